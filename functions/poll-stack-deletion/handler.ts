/** PollStackDeletion (delete state machine): look at the stack, keep the record's phase/progress current. */
import { cloudFormationClient } from '../lib/aws/clients.js';
import { roleBSession } from '../lib/aws/tenant-role.js';
import { loadConfig } from '../lib/config.js';
import { lambdaHandler } from '../lib/middleware.js';
import { recordProgress } from '../lib/progress/progress.js';
import { defaultStore } from '../lib/store/dynamo-store.js';
import { type PollStackDeletionInput, pollStackDeletion } from './poll-stack-deletion.js';

const config = loadConfig();

export const handler = lambdaHandler(async (event: PollStackDeletionInput, { logger }) => {
  const store = defaultStore();
  const { session } = await roleBSession(event, { store, config });
  return pollStackDeletion(event, {
    cloudformation: cloudFormationClient(session, { retryThrottling: false }),
    now: () => new Date(),
    maxSeconds: config.maxProvisioningSeconds,
    progress: recordProgress(store, event, logger),
  });
});
