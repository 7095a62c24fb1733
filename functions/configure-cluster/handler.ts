/** ConfigureCluster (state machine step): role B session → EKS token → the cluster's Kubernetes API. */
import { eksClient } from '../lib/aws/clients.js';
import { roleBSession } from '../lib/aws/tenant-role.js';
import { loadConfig } from '../lib/config.js';
import { kubeApi } from '../lib/kubernetes/client.js';
import { lambdaHandler } from '../lib/middleware.js';
import { recordProgress } from '../lib/progress/progress.js';
import { defaultStore } from '../lib/store/dynamo-store.js';
import { type ConfigureClusterInput, configureCluster } from './configure-cluster.js';

const config = loadConfig();

export const handler = lambdaHandler(async (event: ConfigureClusterInput, { logger }) => {
  const store = defaultStore();
  const { session } = await roleBSession(event, { store, config });
  return configureCluster(event, {
    eks: eksClient(session),
    credentials: session.clientConfig().credentials!,
    kube: kubeApi,
    now: () => new Date(),
    renewCredentials: () => session.renew(),
    progress: recordProgress(store, event, logger),
  });
});
