/**
 * GET /v1/aws/{resource}: form data through a registered role B. Which role: the `roleArn` query
 * parameter (required; it must be registered by this tenant with POST /v1/roles). Region: the
 * `region` query parameter, default the region the role was registered with.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { VPC_ID_RE as VPC_ID } from '../../lib/schema/cluster-settings.js';
import type { ApiDeps } from '../deps.js';
import { httpError } from '../http/errors.js';
import { type QueryParam, readQuery } from '../http/request.js';
import { assumeReadOnly } from '../roles/assume.js';
import { REGION_PATTERN } from '../roles/register-role.js';
import { checkRoleArn } from '../roles/role-arn.js';
import { type FormPage, type FormResource, listFormData } from './form-data.js';

/** Which query parameters each listing takes. */
export function formQuerySpec(resource: FormResource, roleNamePrefix: string): Record<string, QueryParam> {
  const spec: Record<string, QueryParam> = {
    roleArn: {
      required: true,
      check: (v) => {
        const r = checkRoleArn(v, roleNamePrefix);
        return 'problem' in r ? r.problem : undefined;
      },
    },
    region: { check: (v) => (REGION_PATTERN.test(v) ? undefined : 'Must be an AWS region name such as us-east-1.') },
  };
  if (resource === 'subnets' || resource === 'security-groups') {
    spec.vpcId = { check: (v) => (VPC_ID.test(v) ? undefined : 'Must be a VPC id such as vpc-0123456789abcdef0.') };
  }
  if (resource !== 'regions' && resource !== 'key-pairs') {
    spec.nextToken = {
      check: (v) => (/^[\x21-\x7e]{1,2048}$/.test(v) ? undefined : 'Not a token from a previous page.'),
    };
  }
  return spec;
}

export async function formDataRequest(
  deps: ApiDeps,
  tenantId: string,
  resource: FormResource,
  event: APIGatewayProxyEvent,
): Promise<FormPage> {
  const q = readQuery(event, formQuerySpec(resource, deps.config.roleNamePrefix));
  const roleArn = q.roleArn!;
  const role = await deps.store.getRole(tenantId, roleArn);
  const tenant = role ? await deps.store.getTenant(tenantId) : undefined;
  if (!role || !tenant) {
    throw httpError(
      422,
      'ROLE_NOT_REGISTERED',
      `Role ${roleArn} is not registered for you. Register it with POST /v1/roles first.`,
      {
        fields: [{ path: 'roleArn', message: 'Not registered: POST /v1/roles { roleArn, region } first.' }],
      },
    );
  }
  const region = q.region ?? role.region;
  const { session } = await assumeReadOnly({
    tenantId,
    roleArn,
    externalId: tenant.externalId,
    region,
    roleNamePrefix: deps.config.roleNamePrefix,
    // A trust policy loosened after registration is caught within minutes (PROOF_TTL_MS).
    proveExternalId: 'if-stale',
  });
  return listFormData(resource, session, {
    region,
    ...(q.vpcId ? { vpcId: q.vpcId } : {}),
    ...(q.nextToken ? { nextToken: q.nextToken } : {}),
  });
}
