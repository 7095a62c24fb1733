/** ValidateRequest (state machine step 1): parse, call core, return. */
import { loadConfig } from '../lib/config.js';
import { lambdaHandler } from '../lib/middleware.js';
import { defaultStore } from '../lib/store/dynamo-store.js';
import { newClusterId, type ValidateRequestEvent, validateRequest } from './validate-request.js';

const config = loadConfig();

export const handler = lambdaHandler((event: ValidateRequestEvent) =>
  validateRequest(event, { store: defaultStore(), config, now: () => new Date(), newId: newClusterId }),
);
