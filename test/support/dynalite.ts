/**
 * A DynamoDB engine for tests: dynalite on a random loopback port (tables CREATING for a moment, as
 * in AWS), and a client for it. Each caller makes its own tables, ACTIVE before use, so tests never
 * share data.
 */

import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { tableDefinition } from '../../functions/lib/store/table-definition.js';
import { createTableUntilActive, TABLE_CREATING_MS } from '../../local/runner/create-table.js';

const require = createRequire(import.meta.url);
const dynalite = require('dynalite') as (o: Record<string, unknown>) => Server;

export interface LocalDynamo {
  client: DynamoDBClient;
  /** Creates a fresh table with the service's layout and returns its name. */
  newTable(prefix?: string): Promise<string>;
  close(): Promise<void>;
}

let tables = 0;

export async function startDynalite(): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: TABLE_CREATING_MS });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
  });
  return {
    client,
    async newTable(prefix = 'test') {
      const name = `${prefix}-${++tables}`;
      await createTableUntilActive(client, tableDefinition(name));
      return name;
    },
    async close() {
      client.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
