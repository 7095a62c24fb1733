/**
 * The local API's IAM-authorization mode: what API Gateway does before the deployed function runs,
 * against the sandbox's world (its access keys, sessions and IAM policies).
 *
 * 1. SigV4: the access key must exist (a user's active key, or a live STS session with its token),
 *    the credential scope must name `execute-api`, the clock must be within 5 minutes, and the
 *    signature must match the world's secret.
 * 2. Authorization of `execute-api:Invoke` on `arn:aws:execute-api:<region>:<account>:<api>/<stage>/<METHOD>/<path>`
 *    with API Gateway's rules for IAM authorization plus a resource policy: an explicit Deny in either
 *    wins; in the API's own account either an identity-policy or a resource-policy Allow suffices; from
 *    another account both are needed.
 *    (AWS: "How API Gateway resource policies affect authorization workflow".)
 * 3. The verified principal goes into `requestContext.identity` as API Gateway fills it, so the
 *    handler derives the tenant from `userArn` exactly as in AWS.
 *
 * Failures answer with the deployed API's gateway-response bodies (infra/api-gateway-errors.ts).
 * The resource policy is the one the stack attaches (infra/api-resource-policy.ts).
 */
import { API_STAGE_NAME, gatewayErrorBody } from '../../infra/api-gateway-errors.js';
import { apiResourcePolicy, expandShorthand, INVOKE, type PolicyJson } from '../../infra/api-resource-policy.js';
import { authorize, evaluateResourcePolicy } from '../sandbox/iam/evaluate.js';
import { parseSigV4, verifySignature } from '../sandbox/protocol/sigv4.js';
import { SERVICE_ACCOUNT_ID } from '../sandbox/world/default-world.js';
import type { PolicyDocument, Principal } from '../sandbox/world/types.js';
import type { World } from '../sandbox/world/world.js';

export interface IamAuthOptions {
  /** The sandbox's world: keys, sessions, users, roles and their policies. */
  world: World;
  /** The account the API lives in (default: the default world's service account). */
  accountId?: string;
  region?: string;
  apiId?: string;
  /** Default: the stack's policy for this account with no restriction (infra/api-resource-policy.ts). */
  resourcePolicy?: PolicyJson;
}

export interface SignedRequest {
  method: string;
  /** Path and query exactly as sent (the signature covers them). */
  rawUrl: string;
  /** Percent-decoded path (`/v1/...`). */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** `requestContext.identity` fields API Gateway sets for a SigV4 caller. */
export interface VerifiedIdentity {
  accountId: string;
  accessKey: string;
  caller: string;
  user: string;
  userArn: string;
}

export type IamAuthResult =
  | { ok: true; identity: VerifiedIdentity }
  | { ok: false; status: number; body: string; reason: string };

/** API Gateway refuses signatures dated more than 5 minutes from its clock. */
const MAX_SKEW_MS = 5 * 60 * 1000;

export class IamAuthorizer {
  readonly accountId: string;
  readonly region: string;
  readonly apiId: string;
  private readonly policy: PolicyDocument;

  constructor(private readonly o: IamAuthOptions) {
    this.accountId = o.accountId ?? SERVICE_ACCOUNT_ID;
    this.region = o.region ?? 'us-east-1';
    this.apiId = o.apiId ?? 'local';
    const doc = o.resourcePolicy ?? apiResourcePolicy({ serviceAccountId: this.accountId, stageName: API_STAGE_NAME });
    this.policy = expandShorthand(
      doc,
      `arn:aws:execute-api:${this.region}:${this.accountId}:${this.apiId}`,
    ) as unknown as PolicyDocument;
  }

  /** The ARN API Gateway authorizes for a request (stage of the deployed API, path without its leading slash). */
  methodArn(method: string, path: string): string {
    return `arn:aws:execute-api:${this.region}:${this.accountId}:${this.apiId}/${API_STAGE_NAME}/${method.toUpperCase()}/${path.replace(/^\//, '')}`;
  }

  check(req: SignedRequest, requestId: string): IamAuthResult {
    const fail = (type: string, reason: string, status = 403, messageString?: string): IamAuthResult => ({
      ok: false,
      status,
      body: gatewayErrorBody(type, requestId, messageString),
      reason,
    });
    const url = new URL(req.rawUrl, 'http://127.0.0.1');
    const scope = parseSigV4(req.headers, url);
    if (!scope) return fail('MISSING_AUTHENTICATION_TOKEN', 'no SigV4 signature');
    const { world } = this.o;
    const owner = world.findAccessKey(scope.accessKeyId);
    if (
      !owner ||
      (owner.kind === 'user' && !owner.active) ||
      (owner.kind === 'session' && owner.session.sessionToken !== scope.sessionToken)
    ) {
      return fail(
        'DEFAULT_4XX',
        `unknown access key ${scope.accessKeyId}`,
        403,
        'The security token included in the request is invalid.',
      );
    }
    if (owner.kind === 'session' && Date.parse(owner.session.expiration) <= world.now())
      return fail('EXPIRED_TOKEN', 'session expired');
    if (scope.service !== 'execute-api')
      return fail('INVALID_SIGNATURE', `credential scoped to ${scope.service}, not execute-api`);
    if (scope.region !== this.region)
      return fail('INVALID_SIGNATURE', `credential scoped to ${scope.region}, not ${this.region}`);
    const amzDate = req.headers['x-amz-date'];
    const signedAt =
      typeof amzDate === 'string'
        ? Date.parse(amzDate.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'))
        : NaN;
    if (!Number.isFinite(signedAt) || Math.abs(signedAt - Date.now()) > MAX_SKEW_MS)
      return fail('INVALID_SIGNATURE', 'signature date missing or more than 5 minutes off');
    const secret = owner.kind === 'user' ? owner.secretAccessKey : owner.session.secretAccessKey;
    if (
      !req.headers.authorization ||
      !verifySignature({ method: req.method, rawUrl: req.rawUrl, headers: req.headers, body: req.body }, scope, secret)
    ) {
      return fail('INVALID_SIGNATURE', 'signature does not match');
    }
    const principal = world.principalFor(owner);
    if (!principal)
      return fail('DEFAULT_4XX', 'principal gone', 403, 'The security token included in the request is invalid.');

    const decision = this.decide(principal, req.method, req.path);
    if (!decision.allowed) return fail('ACCESS_DENIED', decision.reason);
    return {
      ok: true,
      identity: {
        accountId: principal.accountId,
        accessKey: scope.accessKeyId,
        caller: principal.userId,
        user: principal.userId,
        userArn: principal.arn,
      },
    };
  }

  /** API Gateway's combination of the caller's identity policies and the API's resource policy. */
  decide(principal: Principal, method: string, path: string): { allowed: boolean; reason: string } {
    const resource = this.methodArn(method, path);
    const context = { region: this.region };
    const identity = authorize(this.o.world, principal, INVOKE, resource, context);
    const resourcePolicy = evaluateResourcePolicy(this.policy, principal, INVOKE, resource, context);
    if (identity.decision === 'explicit-deny')
      return { allowed: false, reason: `explicit deny in the caller's ${identity.policyType} policy` };
    if (resourcePolicy.deny) return { allowed: false, reason: "explicit deny in the API's resource policy" };
    if (principal.accountId === this.accountId) {
      return identity.allowed || resourcePolicy.allow
        ? { allowed: true, reason: 'same account: identity or resource policy allows' }
        : { allowed: false, reason: 'same account: neither the identity policy nor the resource policy allows' };
    }
    if (!resourcePolicy.allow)
      return {
        allowed: false,
        reason: `cross-account: the API's resource policy does not allow account ${principal.accountId}`,
      };
    if (!identity.allowed) return { allowed: false, reason: `cross-account: ${identity.reason}` };
    return { allowed: true, reason: 'cross-account: identity and resource policy allow' };
  }
}
