/**
 * The DynamoDB store's own layout against a real in-process emulator (dynalite on a random loopback
 * port), with the table of store/keys.ts. What every store does is in store-contract.ts; here is
 * only what the table shows: claim items, claims without records, tokens, TTLs.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DiagnosedError } from '../../../functions/lib/errors.js';
import {
  DynamoStore,
  documentClient,
  IDEMPOTENCY_TTL_SECONDS,
  TTL_ATTRIBUTE,
} from '../../../functions/lib/store/dynamo-store.js';
import { keys } from '../../../functions/lib/store/keys.js';
import type { ClusterRecord } from '../../../functions/lib/store/types.js';
import { clusterRecord } from '../../support/cluster-record.js';
import { demoSettings } from '../../support/demo-settings.js';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.js';

let dynamo: LocalDynamo;
let table: string;
let clock = Date.parse('2026-01-01T00:00:00.000Z');
const now = () => new Date(clock);
let store: DynamoStore;
const raw = () => documentClient(dynamo.client);

beforeAll(async () => {
  dynamo = await startDynalite();
});

afterAll(async () => {
  await dynamo?.close();
});

beforeEach(async () => {
  table = await dynamo.newTable('store-test');
  clock = Date.parse('2026-01-01T00:00:00.000Z');
  store = new DynamoStore(documentClient(dynamo.client), table, now);
});

function cluster(id: string, over: Partial<ClusterRecord> = {}): ClusterRecord {
  const settings = demoSettings({
    subnetIds: ['subnet-0a1b2c3d4e5f60011', 'subnet-0a1b2c3d4e5f60012'],
    securityGroupIds: [],
    keyName: undefined,
    tags: {},
  });
  return clusterRecord(id, now().toISOString(), { settings, ...over });
}

describe('name claim items', () => {
  it('moves the claim item to the cluster that took the name over', async () => {
    await store.createCluster(cluster('c-aaaaaaaaaaaa'));
    await store.updateCluster('local', 'c-aaaaaaaaaaaa', { status: 'FAILED', phase: 'Failed' });
    await store.createCluster(cluster('c-bbbbbbbbbbbb'));
    const claim = await raw().send(
      new GetCommand({ TableName: table, Key: keys.nameClaim('222222222222', 'us-east-1', 'demo') }),
    );
    expect(claim.Item?.clusterId).toBe('c-bbbbbbbbbbbb');
    await store.releaseName(cluster('c-bbbbbbbbbbbb'));
    expect(
      (await raw().send(new GetCommand({ TableName: table, Key: keys.nameClaim('222222222222', 'us-east-1', 'demo') })))
        .Item,
    ).toBeUndefined();
  });

  it('treats a claim without its record as live for a minute, then as abandoned', async () => {
    await raw().send(
      new PutCommand({
        TableName: table,
        Item: {
          ...keys.nameClaim('222222222222', 'us-east-1', 'demo'),
          tenantId: 'local',
          clusterId: 'c-ghostghostgh',
          claimedAt: now().toISOString(),
        },
      }),
    );
    const err = await store.createCluster(cluster('c-bbbbbbbbbbbb')).catch((e: unknown) => e);
    expect((err as DiagnosedError).diagnosis.code).toBe('NAME_ALREADY_IN_USE');
    clock += 61_000;
    await store.createCluster(cluster('c-bbbbbbbbbbbb'));
    expect((await store.getCluster('local', 'c-bbbbbbbbbbbb'))?.status).toBe('CREATING');
  });
});

describe('table items', () => {
  it('page tokens carry no table keys in the clear', async () => {
    for (let i = 0; i < 3; i++)
      await store.createCluster(cluster(`c-${String(i).padStart(12, '0')}`, { name: `n${i}` }));
    const page = await store.listClusters('local', { limit: 1 });
    expect(page.nextToken).toBeDefined();
    expect(page.nextToken).not.toContain('TENANT#');
  });

  it('idempotency items expire a day after they were first written', async () => {
    const first = {
      tenantId: 'local',
      key: 'k1',
      requestHash: 'h1',
      statusCode: 202,
      body: { id: 'c-1' },
      createdAt: now().toISOString(),
    };
    await store.putIdempotency(first);
    const item = await raw().send(new GetCommand({ TableName: table, Key: keys.idempotency('local', 'k1') }));
    expect(item.Item?.[TTL_ATTRIBUTE]).toBe(clock / 1000 + IDEMPOTENCY_TTL_SECONDS);
    expect(await store.getIdempotency('local', 'k1')).toEqual(first);
  });
});
