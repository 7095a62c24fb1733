/** CreateClusterStack (state machine step): role B clients, create (or adopt) the stack, note its id on the record. */
import { cloudFormationClient } from '../lib/aws/clients.js';
import { roleBSession } from '../lib/aws/tenant-role.js';
import { loadConfig } from '../lib/config.js';
import { lambdaHandler } from '../lib/middleware.js';
import { defaultStore } from '../lib/store/dynamo-store.js';
import { createClusterStack, type CreateClusterStackInput } from './create-cluster-stack.js';

const config = loadConfig();

export const handler = lambdaHandler(async (event: CreateClusterStackInput, { logger }) => {
  const store = defaultStore();
  const { session } = await roleBSession(event, { store, config });
  const stack = await createClusterStack(event, { cloudformation: cloudFormationClient(session, { retryThrottling: false }), now: () => new Date() });
  // The record shows the stack as soon as it exists; a failed write here must not fail the step.
  await store
    .updateCluster(event.tenantId, event.clusterId, { stackId: stack.stackId, phase: 'Creating IAM roles' })
    .catch((err: unknown) => logger.warn('could not note the stack id on the record', { error: String((err as Error)?.name ?? err) }));
  return stack;
});
