/**
 * A new DynamoDB table is CREATING until it is ACTIVE, and item calls on it are refused meanwhile
 * (ResourceNotFoundException, as in AWS). dynalite models that; createTableUntilActive waits it out.
 * Here the CREATING window is long (1.5 s) so "right after CreateTable" is not a race.
 */

import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableDefinition } from '../../../functions/lib/store/table-definition.js';
import { createTableUntilActive } from '../../../local/runner/create-table.js';
import { TABLE_CREATING_MS } from '../../../local/sandbox/dynamodb/proxy.js';

const require = createRequire(import.meta.url);
const dynalite = require('dynalite') as (o: Record<string, unknown>) => Server;

let server: Server;
let ddb: DynamoDBClient;
const item = { PK: { S: 'TENANT#t' }, SK: { S: 'TENANT' } };

beforeAll(async () => {
  server = dynalite({ createTableMs: 1_500 });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  ddb = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
  });
});

afterAll(async () => {
  ddb.destroy();
  await new Promise<void>((r) => server.close(() => r()));
});

describe('a new table', () => {
  it('refuses PutItem while CREATING, as AWS does', async () => {
    const created = await ddb.send(new CreateTableCommand(tableDefinition('creating')));
    expect(created.TableDescription?.TableStatus).toBe('CREATING');
    const err = await ddb.send(new PutItemCommand({ TableName: 'creating', Item: item })).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.name).toBe('ResourceNotFoundException');
  });

  it('takes items once createTableUntilActive returns', async () => {
    await createTableUntilActive(ddb, tableDefinition('waited'));
    await expect(ddb.send(new PutItemCommand({ TableName: 'waited', Item: item }))).resolves.toBeDefined();
  });

  it('stays CREATING for a moment in the sandbox and the harnesses too, so a missing wait fails there as well', () => {
    expect(TABLE_CREATING_MS).toBeGreaterThan(0);
  });
});
