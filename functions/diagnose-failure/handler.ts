/**
 * DiagnoseFailure (state machine step): never fails. Role B is assumed lazily, only when the
 * stack's events are needed; no error escapes (not even through the middleware).
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { cloudFormationClient } from '../lib/aws/clients.js';
import { roleBSession } from '../lib/aws/tenant-role.js';
import { loadConfig } from '../lib/config.js';
import { lambdaHandler } from '../lib/middleware.js';
import type { ValidatedRequest } from '../lib/state.js';
import { defaultStore } from '../lib/store/dynamo-store.js';
import { type DiagnoseFailureEvent, diagnoseFailure } from './diagnose-failure.js';

const config = loadConfig();

export const handler = lambdaHandler((event: DiagnoseFailureEvent) =>
  diagnoseFailure(event, {
    cloudformation: async (): Promise<CloudFormationClient> => {
      const { session } = await roleBSession(event.state as ValidatedRequest, { store: defaultStore(), config });
      return cloudFormationClient(session);
    },
    now: () => new Date(),
  }),
);
