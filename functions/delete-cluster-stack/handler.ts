/** DeleteClusterStack (delete state machine): parse, call core, return facts only. */
import { cloudFormationClient } from '../lib/aws/clients.js';
import { roleBSession } from '../lib/aws/tenant-role.js';
import { loadConfig } from '../lib/config.js';
import { lambdaHandler } from '../lib/middleware.js';
import type { DeletionRequest } from '../lib/state.js';
import { defaultStore } from '../lib/store/dynamo-store.js';
import { deleteClusterStack } from './delete-cluster-stack.js';

const config = loadConfig();

export const handler = lambdaHandler(async (event: DeletionRequest) => {
  const store = defaultStore();
  const { session } = await roleBSession(event, { store, config });
  return deleteClusterStack(event, { store, cloudformation: cloudFormationClient(session), now: () => new Date() });
});
