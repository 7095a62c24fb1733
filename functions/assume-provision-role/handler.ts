/** AssumeProvisionRole (state machine): parse, call core, return identity only. */
import { loadConfig } from '../lib/config.js';
import { lambdaHandler } from '../lib/middleware.js';
import type { ValidatedRequest } from '../lib/state.js';
import { defaultStore } from '../lib/store/dynamo-store.js';
import { assumeProvisionRole } from './assume-provision-role.js';

const config = loadConfig();

export const handler = lambdaHandler((event: ValidatedRequest) =>
  assumeProvisionRole(event, { store: defaultStore(), config }),
);
