/** PollClusterStack (state machine step): look at the stack, keep the record's phase/progress current. */
import { cloudFormationClient } from '../lib/aws/clients.js';
import { roleBSession } from '../lib/aws/tenant-role.js';
import { loadConfig } from '../lib/config.js';
import { lambdaHandler } from '../lib/middleware.js';
import { defaultStore } from '../lib/store/dynamo-store.js';
import { pollClusterStack, type PollClusterStackInput } from './poll-cluster-stack.js';

const config = loadConfig();

export const handler = lambdaHandler(async (event: PollClusterStackInput, { logger }) => {
  const store = defaultStore();
  const { session } = await roleBSession(event, { store, config });
  const poll = await pollClusterStack(event, {
    cloudformation: cloudFormationClient(session, { retryThrottling: false }),
    now: () => new Date(),
    maxProvisioningSeconds: config.maxProvisioningSeconds,
  });
  // Progress for GET /v1/clusters/{id}; losing one update is harmless (the next poll writes again).
  if (poll.outcome === 'IN_PROGRESS') {
    await store
      .updateCluster(event.tenantId, event.clusterId, { phase: poll.phase, progress: { done: poll.progress.done, total: poll.progress.total } })
      .catch((err: unknown) => logger.warn('could not update progress on the record', { error: String((err as Error)?.name ?? err) }));
  }
  return poll;
});
