/**
 * The Store contract (store-contract.ts) against every Store: the DynamoDB one on the local
 * DynamoDB emulator (dynalite), and the in-memory one the handler and API tests use.
 */
import { afterAll, beforeAll } from 'vitest';
import { DynamoStore, documentClient } from '../../../functions/lib/store/dynamo-store.js';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.js';
import { MemoryStore } from '../../support/memory-store.js';
import { describeStoreContract } from './store-contract.js';

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo?.close();
});

describeStoreContract('DynamoStore on dynalite', {
  async create(now) {
    const table = await dynamo.newTable('contract');
    const over = (t: string) => new DynamoStore(documentClient(dynamo.client), t, now);
    return {
      store: over(table),
      sibling: () => over(table),
      elsewhere: async () => over(await dynamo.newTable('contract')),
    };
  },
});

describeStoreContract('MemoryStore', {
  async create(now) {
    const store = new MemoryStore(now);
    return { store, sibling: () => store, elsewhere: async () => new MemoryStore(now) };
  },
});
