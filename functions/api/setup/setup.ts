/**
 * GET /v1/setup: what a tenant needs to create role B and role A (the seed's "Account ID" and
 * "External ID", plus the policies ready to paste as JSON objects).
 */
import { serviceIdentity } from '../../lib/aws/service-identity.js';
import { provisionRoleDeleteStatement } from '../../lib/policy/delete-statement.js';
import { provisionRolePolicy, provisionRoleTrustPolicy } from '../../lib/policy/provision-policy.js';
import type { ApiDeps } from '../deps.js';
import { EXAMPLE_ROLE_ARN } from '../roles/role-arn.js';
import { requesterPrincipalArn } from '../tenant/resolve-tenant.js';

/** Tests import it from here. */
export { forgetServiceIdentity } from '../../lib/aws/service-identity.js';

/** The body of GET /v1/setup (the CLI and the demo read it too). */
export type SetupResponse = Awaited<ReturnType<typeof setupFor>>;

export async function setupFor(deps: ApiDeps, tenantId: string) {
  const { accountId, partition } = await serviceIdentity();
  const tenant = await deps.store.getOrCreateTenant(tenantId);
  const prefix = deps.config.roleNamePrefix;
  const requester = requesterPrincipalArn(tenantId);
  return {
    accountId,
    externalId: tenant.externalId,
    provisionRolePolicy: provisionRolePolicy({ partition, allowDelete: deps.config.allowDelete }),
    provisionRoleTrustPolicy: provisionRoleTrustPolicy(accountId, tenant.externalId, partition),
    /** Optional: add to role B so DELETE /v1/clusters/{id} can delete what the service made (and nothing else). */
    provisionRoleDeleteStatement: provisionRoleDeleteStatement({ partition }),
    clusterRoleManagedPolicies: [`arn:${partition}:iam::aws:policy/AmazonEKSClusterPolicy`],
    clusterRoleTrustedService: 'eks.amazonaws.com',
    roleNamePrefix: prefix,
    exampleProvisionRoleArn: EXAMPLE_ROLE_ARN(prefix).replace('123456789012', '<your-account-id>'),
    /** The caller as an IAM principal an access entry can name (API callers), so forms can propose them as administrator. */
    ...(requester ? { requester } : {}),
  };
}
