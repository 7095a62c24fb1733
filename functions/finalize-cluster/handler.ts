/** FinalizeCluster (state machine step): role B clients, read the finished cluster, build the completion. */
import { cloudFormationClient, eksClient } from '../lib/aws/clients.js';
import { roleBSession } from '../lib/aws/tenant-role.js';
import { loadConfig } from '../lib/config.js';
import { lambdaHandler } from '../lib/middleware.js';
import { defaultStore } from '../lib/store/dynamo-store.js';
import { type FinalizeClusterInput, finalizeCluster } from './finalize-cluster.js';

const config = loadConfig();

export const handler = lambdaHandler(async (event: FinalizeClusterInput) => {
  const { session } = await roleBSession(event, { store: defaultStore(), config });
  return finalizeCluster(event, {
    cloudformation: cloudFormationClient(session),
    eks: eksClient(session),
    now: () => new Date(),
  });
});
