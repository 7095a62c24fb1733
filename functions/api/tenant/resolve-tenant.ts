/**
 * Who is calling. In AWS the tenant is the IAM principal API Gateway authenticated (SigV4):
 * `requestContext.identity.userArn`. Sessions of one role are one tenant, so an assumed-role
 * session ARN is reduced to its role (`arn:aws:sts::123456789012:assumed-role/Name`). Locally
 * (config.local only) the `X-Tenant-Id` header names the tenant, default `local`; in AWS that
 * header is ignored, so no caller can claim another tenant.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { httpError } from '../http/errors.js';
import { header } from '../http/request.js';

export const LOCAL_DEFAULT_TENANT = 'local';
export const TENANT_HEADER = 'X-Tenant-Id';

/** Local tenant ids: letters, digits and the punctuation of IAM ARNs; no `#` (key separator). */
export const LOCAL_TENANT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@/+=,-]{0,255}$/;

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

export function resolveTenant(event: APIGatewayProxyEvent, opts: { local: boolean }): string {
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
  const userArn = event.requestContext?.identity?.userArn;
  const tenant = typeof userArn === 'string' ? tenantFromPrincipalArn(userArn) : undefined;
  if (!tenant) {
    // API Gateway with IAM authorization always sets userArn; without it we cannot tell tenants apart.
    throw httpError(401, 'UNAUTHENTICATED', 'Sign the request with AWS Signature Version 4 (IAM authorization); the calling principal is the tenant.');
  }
  return tenant;
}
