/**
 * The API Lambda (API Gateway REST proxy, IAM authorization). Thin: wires the real store, Step
 * Functions client and logger into the app; the routes live in routes.ts.
 */
import { randomUUID } from 'node:crypto';
import { SFNClient } from '@aws-sdk/client-sfn';
import { loadConfig } from '../lib/config.js';
import { logger } from '../lib/middleware.js';
import { defaultStore } from '../lib/store/dynamo-store.js';
import { type ApiHandler, createApiHandler } from './app.js';
import type { ApiDeps } from './deps.js';

/** The deps the deployed function runs with; the local API server overrides `config.local`. */
export function defaultApiDeps(overrides: Partial<ApiDeps> = {}): ApiDeps {
  return {
    config: overrides.config ?? loadConfig(),
    store: overrides.store ?? defaultStore(),
    sfn: overrides.sfn ?? new SFNClient({ maxAttempts: 3 }),
    now: overrides.now ?? (() => new Date()),
    newId: overrides.newId ?? (() => randomUUID()),
  };
}

let app: ApiHandler | undefined;

export const handler: ApiHandler = (event, context) => {
  app ??= createApiHandler(defaultApiDeps(), {
    info: (message, attributes) => logger.info(message, attributes ?? {}),
    error: (message, attributes) => logger.error(message, attributes ?? {}),
  });
  return app(event, context);
};
