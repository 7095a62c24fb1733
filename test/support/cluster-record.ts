/**
 * A cluster record as the API first writes it (tenant `local`, cluster `demo` in the default world's
 * customer account), for tests that seed a store; callers give the id, the time and what differs.
 */
import type { ClusterRecord } from '../../functions/lib/store/types.js';

export function clusterRecord(
  id: string,
  at: string,
  over: Partial<ClusterRecord> & Pick<ClusterRecord, 'settings'>,
): ClusterRecord {
  return {
    id,
    tenantId: 'local',
    name: 'demo',
    environmentScope: '*',
    accountId: '222222222222',
    region: 'us-east-1',
    status: 'CREATING',
    phase: 'Validating the request',
    progress: { done: 0, total: 0 },
    createdAt: at,
    updatedAt: at,
    ...over,
  };
}
