/** ConfigureCluster (state machine step): role B session → EKS token → the cluster's Kubernetes API. */
import { eksClient } from '../lib/aws/clients.js';
import { roleBSession } from '../lib/aws/tenant-role.js';
import { loadConfig } from '../lib/config.js';
import { kubeApi } from '../lib/kubernetes/client.js';
import { lambdaHandler } from '../lib/middleware.js';
import { defaultStore } from '../lib/store/dynamo-store.js';
import { configureCluster, type ConfigureClusterInput } from './configure-cluster.js';

const config = loadConfig();

export const handler = lambdaHandler(async (event: ConfigureClusterInput, { logger }) => {
  const store = defaultStore();
  const { session } = await roleBSession(event, { store, config });
  const result = await configureCluster(event, {
    eks: eksClient(session),
    credentials: session.clientConfig().credentials!,
    kube: kubeApi,
    now: () => new Date(),
    renewCredentials: () => session.renew(),
  });
  // What the user sees while nodes come up; losing one update is harmless (the next look writes again).
  const phase =
    result.outcome === 'WAITING'
      ? `Waiting for nodes (${result.nodes.ready} of ${result.nodes.expected} Ready)`
      : 'Configuring the cluster';
  await store
    .updateCluster(event.tenantId, event.clusterId, { phase })
    .catch((err: unknown) => logger.warn('could not update the phase on the record', { error: String((err as Error)?.name ?? err) }));
  return result;
});
