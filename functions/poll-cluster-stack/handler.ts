/** PollClusterStack (state machine step): look at the stack, keep the record's phase/progress current. */
import { cloudFormationClient } from '../lib/aws/clients.js';
import { roleBSession } from '../lib/aws/tenant-role.js';
import { loadConfig } from '../lib/config.js';
import { lambdaHandler } from '../lib/middleware.js';
import { recordProgress } from '../lib/progress/progress.js';
import { defaultStore } from '../lib/store/dynamo-store.js';
import { type PollClusterStackInput, pollClusterStack } from './poll-cluster-stack.js';

const config = loadConfig();

export const handler = lambdaHandler(async (event: PollClusterStackInput, { logger }) => {
  const store = defaultStore();
  const { session } = await roleBSession(event, { store, config });
  return pollClusterStack(event, {
    cloudformation: cloudFormationClient(session, { retryThrottling: false }),
    now: () => new Date(),
    maxProvisioningSeconds: config.maxProvisioningSeconds,
    progress: recordProgress(store, event, logger),
  });
});
