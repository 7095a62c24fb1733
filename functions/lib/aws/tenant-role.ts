/**
 * Role B session for one provisioning request: the tenant's External ID comes from the store (never
 * from the state or the caller), then provision-role.ts assumes the role. Every step that touches
 * the customer's account starts here.
 */
import type { ServiceConfig } from '../config.js';
import { makeDiagnosis } from '../diagnosis/catalog.js';
import type { Diagnosis } from '../diagnosis/types.js';
import { DiagnosedError } from '../errors.js';
import type { ValidatedRequest } from '../state.js';
import type { Store } from '../store/types.js';
import type { RoleSession } from './clients.js';
import { type AssumedIdentity, type ExternalIdProof, provisionSession } from './provision-role.js';

/** The tenant never called GET /v1/setup, so there is no External ID for role B's trust policy. */
export function noExternalIdDiagnosis(tenantId: string): Diagnosis {
  return makeDiagnosis(
    'VALIDATION_FAILED',
    { tenantId },
    {
      fields: [
        {
          path: 'tenantId',
          message: `tenant "${tenantId}" has no External ID yet: call GET /v1/setup first, put the Account ID and External ID it returns in role B's trust policy, then submit the cluster again`,
        },
      ],
    },
  );
}

/** The tenant's External ID, or a diagnosis telling them to call setup. */
export async function externalIdOf(store: Store, tenantId: string): Promise<string> {
  const tenant = await store.getTenant(tenantId);
  if (!tenant?.externalId) throw new DiagnosedError(noExternalIdDiagnosis(tenantId));
  return tenant.externalId;
}

export type RequestRef = Pick<ValidatedRequest, 'tenantId' | 'clusterId' | 'region'> & {
  cluster: Pick<ValidatedRequest['cluster'], 'provisionRoleArn'>;
};

/**
 * Assumes role B for this request (cached per role + External ID) and returns its session: build
 * the clients the step uses from it (clients.ts factories), nothing more.
 */
export async function roleBSession(
  req: RequestRef,
  deps: { store: Store; config: Pick<ServiceConfig, 'roleNamePrefix'> },
  opts: { proveExternalId?: ExternalIdProof; sessionPolicy?: object } = {},
): Promise<{ session: RoleSession; identity: AssumedIdentity }> {
  const externalId = await externalIdOf(deps.store, req.tenantId);
  return provisionSession({
    roleArn: req.cluster.provisionRoleArn,
    externalId,
    region: req.region,
    sessionName: req.clusterId,
    evidence: { roleNamePrefix: deps.config.roleNamePrefix },
    ...(opts.proveExternalId ? { proveExternalId: opts.proveExternalId } : {}),
    ...(opts.sessionPolicy ? { sessionPolicy: opts.sessionPolicy } : {}),
  });
}
