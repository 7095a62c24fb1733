/**
 * The API on the real DynamoDB store (dynalite in-process on loopback): External IDs, name claims,
 * idempotency records and newest-first pages behave the same as with the in-memory fake.
 */

import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApiHandler } from '../../../functions/api/app.js';
import type { ApiDeps } from '../../../functions/api/deps.js';
import { forgetServiceIdentity } from '../../../functions/api/setup/setup.js';
import { DynamoStore, documentClient } from '../../../functions/lib/store/dynamo-store.js';
import { tableDefinition } from '../../../functions/lib/store/table-definition.js';
import { createTableUntilActive, TABLE_CREATING_MS } from '../../../local/runner/create-table.js';
import { apiEvent, type EventInput, ROLE_B, SERVICE_ACCOUNT, silentLog, testConfig, validSettings } from './helpers.js';

const require = createRequire(import.meta.url);
const dynalite = require('dynalite') as (o: Record<string, unknown>) => Server;

const sts = mockClient(STSClient);
const sfn = mockClient(SFNClient);

let server: Server;
let client: DynamoDBClient;
let tableN = 0;
let store: DynamoStore;
let call: (i: EventInput) => Promise<{ statusCode: number; body: any; headers: Record<string, string> }>;

beforeAll(async () => {
  server = dynalite({ createTableMs: TABLE_CREATING_MS });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' },
  });
});

afterAll(async () => {
  client?.destroy();
  await new Promise<void>((r) => server.close(() => r()));
});

beforeEach(async () => {
  sts.reset();
  sfn.reset();
  forgetServiceIdentity();
  sts
    .on(GetCallerIdentityCommand)
    .resolves({ Account: SERVICE_ACCOUNT, Arn: `arn:aws:iam::${SERVICE_ACCOUNT}:user/eks-provisioner` });
  sfn.on(StartExecutionCommand).callsFake((i: { name: string }) => ({
    executionArn: `arn:aws:states:us-east-1:111111111111:execution:m:${i.name}`,
    startDate: new Date(),
  }));
  const table = `api-test-${++tableN}`;
  await createTableUntilActive(client, tableDefinition(table));
  let clock = Date.parse('2026-11-29T10:00:00.000Z');
  const now = () => new Date((clock += 1000));
  store = new DynamoStore(documentClient(client), table, now);
  let n = 0;
  const deps: ApiDeps = {
    config: testConfig(),
    store,
    sfn: new SFNClient({ region: 'us-east-1' }),
    now,
    newId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
  };
  const handler = createApiHandler(deps, silentLog);
  call = async (i) => {
    const r = await handler(apiEvent(i));
    return { statusCode: r.statusCode, body: JSON.parse(r.body), headers: r.headers as Record<string, string> };
  };
});

async function registerRole(tenant: string, roleArn = ROLE_B) {
  await store.getOrCreateTenant(tenant);
  await store.putRole({
    tenantId: tenant,
    roleArn,
    region: 'us-east-1',
    accountId: roleArn.split(':')[4]!,
    registeredAt: new Date().toISOString(),
  });
}

describe('API on the DynamoDB store', () => {
  it('keeps one External ID per tenant', async () => {
    const a1 = await call({ method: 'GET', path: '/v1/setup', tenant: 'a' });
    const a2 = await call({ method: 'GET', path: '/v1/setup', tenant: 'a' });
    const b = await call({ method: 'GET', path: '/v1/setup', tenant: 'b' });
    expect(a1.statusCode).toBe(200);
    expect(a1.body.externalId).toMatch(/^[0-9a-f]{32,}$/);
    expect(a2.body.externalId).toBe(a1.body.externalId);
    expect(b.body.externalId).not.toBe(a1.body.externalId);
  });

  it('creates, refuses a live duplicate name (409), replays an Idempotency-Key, and pages newest first', async () => {
    await registerRole('a');
    const key = { 'Idempotency-Key': 'req-0001' };
    const c1 = await call({
      method: 'POST',
      path: '/v1/clusters',
      body: validSettings({ name: 'one' }),
      tenant: 'a',
      headers: key,
    });
    expect(c1.statusCode).toBe(202);
    const replay = await call({
      method: 'POST',
      path: '/v1/clusters',
      body: validSettings({ name: 'one' }),
      tenant: 'a',
      headers: key,
    });
    expect(replay.statusCode).toBe(202);
    expect(replay.body).toEqual(c1.body);
    expect(replay.headers['Idempotent-Replayed']).toBe('true');
    const reused = await call({
      method: 'POST',
      path: '/v1/clusters',
      body: validSettings({ name: 'two' }),
      tenant: 'a',
      headers: key,
    });
    expect(reused.statusCode).toBe(422);

    const dup = await call({ method: 'POST', path: '/v1/clusters', body: validSettings({ name: 'one' }), tenant: 'a' });
    expect(dup.statusCode).toBe(409);
    expect(dup.body.error.code).toBe('NAME_ALREADY_IN_USE');

    for (const name of ['two', 'three'])
      expect(
        (await call({ method: 'POST', path: '/v1/clusters', body: validSettings({ name }), tenant: 'a' })).statusCode,
      ).toBe(202);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(3);

    const p1 = await call({ method: 'GET', path: '/v1/clusters', query: { limit: '2' }, tenant: 'a' });
    expect(p1.body.items.map((c: { name: string }) => c.name)).toEqual(['three', 'two']);
    const p2 = await call({
      method: 'GET',
      path: '/v1/clusters',
      query: { limit: '2', nextToken: p1.body.nextToken },
      tenant: 'a',
    });
    expect(p2.body.items.map((c: { name: string }) => c.name)).toEqual(['one']);

    const one = await call({ method: 'GET', path: `/v1/clusters/${c1.body.id}`, tenant: 'a' });
    expect(one.body).toMatchObject({
      id: c1.body.id,
      status: 'CREATING',
      phase: 'Queued',
      executionArn: c1.body.executionArn,
    });
  });

  it("hides other tenants' clusters and tokens", async () => {
    await registerRole('a');
    const c = await call({ method: 'POST', path: '/v1/clusters', body: validSettings({ name: 'mine' }), tenant: 'a' });
    await call({ method: 'POST', path: '/v1/clusters', body: validSettings({ name: 'mine2' }), tenant: 'a' });
    expect((await call({ method: 'GET', path: `/v1/clusters/${c.body.id}`, tenant: 'b' })).statusCode).toBe(404);
    expect((await call({ method: 'GET', path: '/v1/clusters', tenant: 'b' })).body.items).toEqual([]);
    const p1 = await call({ method: 'GET', path: '/v1/clusters', query: { limit: '1' }, tenant: 'a' });
    const stolen = await call({
      method: 'GET',
      path: '/v1/clusters',
      query: { nextToken: p1.body.nextToken },
      tenant: 'b',
    });
    expect(stolen.statusCode).toBe(400);
    // Role B registered by a is not usable by b.
    const viaB = await call({
      method: 'POST',
      path: '/v1/clusters',
      body: validSettings({ name: 'theirs' }),
      tenant: 'b',
    });
    expect(viaB.statusCode).toBe(422);
    expect(viaB.body.error.code).toBe('ROLE_NOT_REGISTERED');
  });
});
