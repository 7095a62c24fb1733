/**
 * The REST API's resource policy, as a plain document: the CDK stack attaches exactly this, and the
 * local API's IAM-authorization mode evaluates exactly this (with API Gateway's rules), so the two
 * cannot drift. Plain data in, plain JSON out: no CDK imports here, and tokens (the stack's account
 * id) pass through as strings.
 *
 * Why a resource policy at all: the API uses IAM authorization and its callers are IAM principals of
 * *customer* accounts. For a caller in another account API Gateway requires an Allow in both the
 * caller's identity policy and the API's resource policy; without a resource policy every
 * cross-account call is 403. What it allows, deliberately (docs/api-access.md):
 *
 * - `execute-api:Invoke` on the product's routes only (`/<stage>/<any method>/v1/*`);
 * - for principals of other accounts only (`aws:PrincipalAccount` ≠ the service account): in the
 *   service's own account the identity policy alone decides, as before (the console's Cognito role);
 * - from every account by default — each caller still needs a valid SigV4 signature and an Allow in
 *   its own identity policy, and is its own tenant — or, when the operator sets `apiAllowedAccounts`
 *   and/or `apiAllowedOrgId`, from those accounts / that AWS Organization only;
 * - CORS preflights (`OPTIONS`, unauthenticated mock integrations that reach nothing): a method
 *   without authorization needs an explicit Allow once a resource policy exists.
 */

export interface ApiResourcePolicyOptions {
  /** The account the API lives in (a CDK token in the stack, a literal locally). */
  serviceAccountId: string;
  /** The deployed stage the routes live under. */
  stageName: string;
  /** Only these AWS accounts (12 digits) may call across accounts; with allowedOrgId the union. */
  allowedAccounts?: readonly string[];
  /** Only principals of this AWS Organization (`o-…`) may call across accounts. */
  allowedOrgId?: string;
}

export type PolicyJson = {
  Version: '2012-10-17';
  Statement: Array<{
    Sid: string;
    Effect: 'Allow' | 'Deny';
    Principal: '*' | { AWS: string | string[] };
    Action: string;
    Resource: string | string[];
    Condition?: Record<string, Record<string, string | string[]>>;
  }>;
};

export const INVOKE = 'execute-api:Invoke';

/** The routes: `execute-api:/` is API Gateway's shorthand for this API's own ARN prefix. */
export const routesResource = (stageName: string) => `execute-api:/${stageName}/*/v1/*`;

export function apiResourcePolicy(o: ApiResourcePolicyOptions): PolicyJson {
  const otherAccounts = { StringNotEquals: { 'aws:PrincipalAccount': o.serviceAccountId } };
  const routes = routesResource(o.stageName);
  const statements: PolicyJson['Statement'] = [];
  const restricted = (o.allowedAccounts?.length ?? 0) > 0 || o.allowedOrgId !== undefined;
  if (!restricted) {
    statements.push({
      Sid: 'CustomerAccountsInvoke',
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: INVOKE,
      Resource: routes,
      Condition: otherAccounts,
    });
  }
  if (o.allowedAccounts?.length) {
    statements.push({
      Sid: 'AllowedAccountsInvoke',
      Effect: 'Allow',
      // One account as a string, as CDK writes it: the synthesized document equals this one exactly.
      Principal: { AWS: o.allowedAccounts.length === 1 ? o.allowedAccounts[0]! : [...o.allowedAccounts] },
      Action: INVOKE,
      Resource: routes,
      Condition: otherAccounts,
    });
  }
  if (o.allowedOrgId !== undefined) {
    statements.push({
      Sid: 'AllowedOrganizationInvoke',
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: INVOKE,
      Resource: routes,
      Condition: { ...otherAccounts, StringEquals: { 'aws:PrincipalOrgID': o.allowedOrgId } },
    });
  }
  statements.push({
    Sid: 'CorsPreflights',
    Effect: 'Allow',
    Principal: '*',
    Action: INVOKE,
    Resource: `execute-api:/${o.stageName}/OPTIONS/*`,
  });
  return { Version: '2012-10-17', Statement: statements };
}

/**
 * The policy's shorthand resources as API Gateway reads them: `execute-api:/…` stands for
 * `arn:<partition>:execute-api:<region>:<account>:<api id>/…`.
 */
export function expandShorthand(doc: PolicyJson, apiArnPrefix: string): PolicyJson {
  const expand = (r: string) =>
    r.startsWith('execute-api:/') ? `${apiArnPrefix}/${r.slice('execute-api:/'.length)}` : r;
  return {
    ...doc,
    Statement: doc.Statement.map((s) => ({
      ...s,
      Resource: Array.isArray(s.Resource) ? s.Resource.map(expand) : expand(s.Resource),
    })),
  };
}
