/** What the API's routes need from outside. handler.ts builds the real ones; tests pass fakes. */
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { ServiceConfig } from '../lib/config.js';
import type { Store } from '../lib/store/types.js';

export interface ApiDeps {
  config: ServiceConfig;
  store: Store;
  sfn: SFNClient;
  now: () => Date;
  /** New cluster ids (also the Step Functions execution name: ≤80 chars of [A-Za-z0-9_-]). */
  newId: () => string;
}
