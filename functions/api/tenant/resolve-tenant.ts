/**
 * Who is calling. In AWS the tenant is the IAM principal API Gateway authenticated (SigV4):
 * `requestContext.identity.userArn`. Sessions of one role are one tenant, so an assumed-role
 * session ARN is reduced to its role (`arn:aws:sts::123456789012:assumed-role/Name`).
 *
 * Console users sign with credentials of the console's Cognito identity pool: they all share one
 * IAM role, so for them the tenant is their Cognito identity id (`eu-west-1:1a2b…`), never the
 * role. API Gateway fills `requestContext.identity` from the credentials it verified, not from
 * anything the client sends, so the identity id cannot be claimed by a header; we still accept it
 * only from the configured pool, and refuse a session of the shared role that carries no identity
 * (it would otherwise become one tenant for every console user).
 *
 * Locally (config.local only) the `X-Tenant-Id` header names the tenant, default `local`; in AWS
 * that header is ignored, so no caller can claim another tenant.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { httpError } from '../http/errors.js';
import { header } from '../http/request.js';

export const LOCAL_DEFAULT_TENANT = 'local';
export const TENANT_HEADER = 'X-Tenant-Id';

/** Local tenant ids: letters, digits and the punctuation of IAM ARNs; no `#` (key separator). */
export const LOCAL_TENANT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@/+=,-]{0,255}$/;

/** Cognito identity ids and identity pool ids: `<region>:<uuid>` (region as in eu-west-1, us-gov-west-1). */
export const COGNITO_ID_PATTERN =
  /^[a-z]{2}(-[a-z]+)+-\d:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const PRINCIPAL_ARN = /^arn:(aws[a-z-]*):(iam|sts)::(\d{12}):(.+)$/;

/** A stable tenant id for an IAM principal ARN, or undefined when it is not one. */
export function tenantFromPrincipalArn(arn: string): string | undefined {
  const m = PRINCIPAL_ARN.exec(arn);
  if (!m) return undefined;
  const [, partition, service, account, resource] = m as unknown as [string, string, string, string, string];
  if (service === 'sts') {
    // assumed-role/<role-name>/<session-name>: the session changes per login, the role does not.
    const assumed = /^assumed-role\/([^/]+)\/.+$/.exec(resource);
    if (assumed) return `arn:${partition}:sts::${account}:assumed-role/${assumed[1]}`;
    if (/^federated-user\/[^/]+$/.test(resource)) return arn;
    return undefined;
  }
  if (resource === 'root' || /^(user|role)\/.+/.test(resource)) return arn;
  return undefined;
}

/** The tenant id sessions of an IAM role ARN reduce to (`arn:aws:iam::1:role/p/Name` → `arn:aws:sts::1:assumed-role/Name`). */
export function assumedRoleTenant(roleArn: string): string | undefined {
  const m = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn);
  return m ? `arn:${m[1]}:sts::${m[2]}:assumed-role/${m[3]}` : undefined;
}

/**
 * The IAM principal an EKS access entry can name for this tenant, when the tenant is one: an IAM
 * user or role as is, an assumed-role session as its role (path unknown: the session ARN drops it).
 * Not for root, federated users, Cognito identities or plain local names.
 */
export function requesterPrincipalArn(tenantId: string): string | undefined {
  const m = /^arn:(aws[a-z-]*):(iam|sts)::(\d{12}):(.+)$/.exec(tenantId);
  if (!m) return undefined;
  const [, partition, service, account, resource] = m as unknown as [string, string, string, string, string];
  if (service === 'iam') return /^(user|role)\/.+/.test(resource) ? tenantId : undefined;
  const assumed = /^assumed-role\/([^/]+)$/.exec(resource);
  return assumed ? `arn:${partition}:iam::${account}:role/${assumed[1]}` : undefined;
}

export interface TenantOptions {
  local: boolean;
  /** The console's identity pool; identity-pool sessions of any other pool are refused. */
  identityPoolId?: string;
  /** The identity pool's authenticated role: its sessions are tenants only through their identity id. */
  identityPoolRoleArn?: string;
}

export function resolveTenant(event: APIGatewayProxyEvent, opts: TenantOptions): string {
  if (opts.local) {
    const claimed = header(event, TENANT_HEADER);
    if (claimed === undefined) return LOCAL_DEFAULT_TENANT;
    if (!LOCAL_TENANT_PATTERN.test(claimed)) {
      throw httpError(
        400,
        'INVALID_HEADER',
        `${TENANT_HEADER} must be 1–256 characters of letters, digits and . _ : @ / + = , - (starting with a letter or digit).`,
      );
    }
    return claimed;
  }
  const identity = event.requestContext?.identity;
  const identityId = identity?.cognitoIdentityId;
  if (typeof identityId === 'string' && identityId !== '') return cognitoTenant(identityId, identity, opts);

  const userArn = identity?.userArn;
  const tenant = typeof userArn === 'string' ? tenantFromPrincipalArn(userArn) : undefined;
  if (!tenant) {
    // API Gateway with IAM authorization always sets userArn; without it we cannot tell tenants apart.
    throw httpError(
      401,
      'UNAUTHENTICATED',
      'Sign the request with AWS Signature Version 4 (IAM authorization); the calling principal is the tenant.',
    );
  }
  if (opts.identityPoolRoleArn && tenant === assumedRoleTenant(opts.identityPoolRoleArn)) {
    throw httpError(
      403,
      'IDENTITY_REQUIRED',
      "This role is the console's shared sign-in role: call the API with credentials from the console's Cognito identity pool, so that your Cognito identity is the tenant.",
    );
  }
  return tenant;
}

function cognitoTenant(
  identityId: string,
  identity: APIGatewayProxyEvent['requestContext']['identity'],
  opts: TenantOptions,
): string {
  const poolId = identity.cognitoIdentityPoolId;
  if (!opts.identityPoolId || poolId !== opts.identityPoolId) {
    throw httpError(
      403,
      'FOREIGN_IDENTITY_POOL',
      opts.identityPoolId
        ? "These credentials come from a Cognito identity pool other than the console's: sign in through the console, or sign with your own IAM credentials."
        : 'This deployment has no console identity pool: sign with your own IAM credentials (the calling principal is the tenant).',
    );
  }
  if (identity.cognitoAuthenticationType !== 'authenticated') {
    throw httpError(
      403,
      'SIGN_IN_REQUIRED',
      'Sign in to the console first: guest (unauthenticated) identities may not use the API.',
    );
  }
  if (!COGNITO_ID_PATTERN.test(identityId)) {
    throw httpError(
      401,
      'UNAUTHENTICATED',
      'The Cognito identity of this request is not of the form <region>:<uuid>; sign in through the console again.',
    );
  }
  return identityId;
}
