/**
 * A cluster's kubeconfig for the caller: built from the record's outputs, the same way
 * FinalizeCluster built the stored one, with an optional AWS CLI profile in the exec env.
 */
import { kubeconfigYaml } from '../../lib/kubernetes/kubeconfig.js';
import type { ClusterRecord } from '../../lib/store/types.js';
import { httpError } from '../http/errors.js';

export function clusterKubeconfig(record: ClusterRecord, profile?: string): string {
  const o = record.outputs;
  if (record.status !== 'CREATED' || !o?.endpoint || !o.certificateAuthorityData || !o.clusterArn || !o.clusterName) {
    const why =
      record.status === 'CREATING'
        ? 'it is still being created; follow GET /v1/clusters/{id} until CREATED'
        : record.status === 'FAILED'
          ? 'it failed; GET /v1/clusters/{id} has the diagnosis'
          : record.status === 'CREATED'
            ? 'its record has no endpoint or certificate yet'
            : `it is ${record.status}`;
    throw httpError(
      409,
      'CLUSTER_NOT_READY',
      `Cluster ${record.id} (status ${record.status}) has no kubeconfig: ${why}.`,
    );
  }
  return kubeconfigYaml({
    clusterName: o.clusterName,
    clusterArn: o.clusterArn,
    endpoint: o.endpoint,
    certificateAuthorityData: o.certificateAuthorityData,
    region: record.region,
    ...(profile !== undefined ? { profile } : {}),
  });
}
