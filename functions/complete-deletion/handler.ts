/** CompleteDeletion (delete state machine): role B only when the stack's events are needed. */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { cloudFormationClient } from '../lib/aws/clients.js';
import { roleBSession } from '../lib/aws/tenant-role.js';
import { loadConfig } from '../lib/config.js';
import { lambdaHandler } from '../lib/middleware.js';
import type { DeletionRequest } from '../lib/state.js';
import { defaultStore } from '../lib/store/dynamo-store.js';
import { type CompleteDeletionEvent, completeDeletion } from './complete-deletion.js';

const config = loadConfig();

export const handler = lambdaHandler((event: CompleteDeletionEvent) =>
  completeDeletion(event, {
    cloudformation: async (): Promise<CloudFormationClient> => {
      const { session } = await roleBSession(event.state as DeletionRequest, { store: defaultStore(), config });
      return cloudFormationClient(session);
    },
    now: () => new Date(),
  }),
);
