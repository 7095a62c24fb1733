/** CreateClusterStack (state machine step): role B clients, create (or adopt) the stack, note its id on the record. */
import { cloudFormationClient } from '../lib/aws/clients.js';
import { roleBSession } from '../lib/aws/tenant-role.js';
import { loadConfig } from '../lib/config.js';
import { lambdaHandler } from '../lib/middleware.js';
import { recordProgress } from '../lib/progress/progress.js';
import { defaultStore } from '../lib/store/dynamo-store.js';
import { type CreateClusterStackInput, createClusterStack } from './create-cluster-stack.js';

const config = loadConfig();

export const handler = lambdaHandler(async (event: CreateClusterStackInput, { logger }) => {
  const store = defaultStore();
  const { session } = await roleBSession(event, { store, config });
  return createClusterStack(event, {
    cloudformation: cloudFormationClient(session, { retryThrottling: false }),
    now: () => new Date(),
    progress: recordProgress(store, event, logger),
  });
});
