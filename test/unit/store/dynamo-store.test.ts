/**
 * The DynamoDB store against a real in-process emulator (dynalite on a random loopback port), with
 * the table layout of store/keys.ts.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DiagnosedError } from '../../../functions/lib/errors.js';
import { ClusterNotFoundError, documentClient, DynamoStore } from '../../../functions/lib/store/dynamo-store.js';
import { keys } from '../../../functions/lib/store/keys.js';
import type { ClusterRecord } from '../../../functions/lib/store/types.js';
import { tableDefinition } from '../../../functions/lib/store/table-definition.js';
import { createTableUntilActive, TABLE_CREATING_MS } from '../../../local/runner/create-table.js';
import { clusterRecord } from '../../support/cluster-record.js';
import { demoSettings } from '../../support/demo-settings.js';

const require = createRequire(import.meta.url);
const dynalite = require('dynalite') as (o: Record<string, unknown>) => Server;

let server: Server;
let client: DynamoDBClient;
let tableN = 0;
let table: string;
let clock = Date.parse('2026-01-01T00:00:00.000Z');
const now = () => new Date(clock);
let store: DynamoStore;

beforeAll(async () => {
  server = dynalite({ createTableMs: TABLE_CREATING_MS });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
  });
});

afterAll(async () => {
  client?.destroy();
  await new Promise<void>((r) => server.close(() => r()));
});

beforeEach(async () => {
  table = `store-test-${++tableN}`;
  await createTableUntilActive(client, tableDefinition(table));
  clock = Date.parse('2026-01-01T00:00:00.000Z');
  store = new DynamoStore(documentClient(client), table, now);
});

function cluster(id: string, over: Partial<ClusterRecord> = {}): ClusterRecord {
  const settings = demoSettings({ subnetIds: ['subnet-0a1b2c3d4e5f60011', 'subnet-0a1b2c3d4e5f60012'], securityGroupIds: [], keyName: undefined, tags: {} });
  return clusterRecord(id, now().toISOString(), { settings, ...over });
}

describe('tenants and External IDs', () => {
  it('creates a random External ID of at least 32 hex characters once, and keeps it', async () => {
    expect(await store.getTenant('t1')).toBeUndefined();
    const first = await store.getOrCreateTenant('t1');
    expect(first.externalId).toMatch(/^[0-9a-f]{32,}$/);
    const again = await store.getOrCreateTenant('t1');
    expect(again.externalId).toBe(first.externalId);
    expect((await store.getTenant('t1'))?.externalId).toBe(first.externalId);
    const other = await store.getOrCreateTenant('t2');
    expect(other.externalId).not.toBe(first.externalId);
  });

  it('gives racing first calls the same External ID', async () => {
    const all = await Promise.all(Array.from({ length: 8 }, () => store.getOrCreateTenant('race')));
    expect(new Set(all.map((t) => t.externalId)).size).toBe(1);
  });

  it('returns records without table keys', async () => {
    const t = await store.getOrCreateTenant('t1');
    expect(Object.keys(t).sort()).toEqual(['createdAt', 'externalId', 'tenantId']);
  });
});

describe('service secrets (the page-token MAC key)', () => {
  it('makes 256 random bits once: every container of the stack reads the same, racing first calls agree, another stack has its own', async () => {
    const other = new DynamoStore(documentClient(client), table, now);
    const [a, b] = await Promise.all([store.getOrCreateSecret('page-token-key'), other.getOrCreateSecret('page-token-key')]);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(b).toBe(a);
    expect(await new DynamoStore(documentClient(client), table, now).getOrCreateSecret('page-token-key')).toBe(a);
    expect(await store.getOrCreateSecret('another')).not.toBe(a);
    const otherTable = `store-test-${++tableN}`;
    await createTableUntilActive(client, tableDefinition(otherTable));
    expect(await new DynamoStore(documentClient(client), otherTable, now).getOrCreateSecret('page-token-key')).not.toBe(a);
  });
});

describe('roles', () => {
  it('stores and reads a registered role per tenant', async () => {
    const role = { tenantId: 'a', roleArn: 'arn:aws:iam::222222222222:role/eks-provisioner-x', region: 'us-east-1', accountId: '222222222222', registeredAt: now().toISOString() };
    await store.putRole(role);
    expect(await store.getRole('a', role.roleArn)).toEqual(role);
    expect(await store.getRole('b', role.roleArn)).toBeUndefined();
  });
});

describe('clusters and name claims', () => {
  it('creates a record and is idempotent for the same id', async () => {
    const c = cluster('c-aaaaaaaaaaaa');
    await store.createCluster(c);
    await store.createCluster(c);
    expect(await store.getCluster('local', c.id)).toEqual(c);
    expect(await store.getCluster('other', c.id)).toBeUndefined();
  });

  it('refuses a name held by a live cluster, for any tenant', async () => {
    await store.createCluster(cluster('c-aaaaaaaaaaaa'));
    const err = await store.createCluster(cluster('c-bbbbbbbbbbbb')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DiagnosedError);
    expect((err as DiagnosedError).diagnosis.code).toBe('NAME_ALREADY_IN_USE');
    expect((err as DiagnosedError).diagnosis.message).toContain('c-aaaaaaaaaaaa');

    const other = await store.createCluster(cluster('c-cccccccccccc', { tenantId: 'someone-else' })).catch((e: unknown) => e);
    expect((other as DiagnosedError).diagnosis.code).toBe('NAME_ALREADY_IN_USE');
    // Another tenant never learns the holder's id.
    expect(JSON.stringify((other as DiagnosedError).diagnosis)).not.toContain('c-aaaaaaaaaaaa');
    expect(await store.getCluster('local', 'c-bbbbbbbbbbbb')).toBeUndefined();
  });

  it('allows the same name in another region or account', async () => {
    await store.createCluster(cluster('c-aaaaaaaaaaaa'));
    await store.createCluster(cluster('c-bbbbbbbbbbbb', { region: 'us-west-2' }));
    await store.createCluster(cluster('c-cccccccccccc', { accountId: '333333333333' }));
    expect((await store.listClusters('local')).items).toHaveLength(3);
  });

  it('reclaims the name when the holding cluster FAILED', async () => {
    await store.createCluster(cluster('c-aaaaaaaaaaaa'));
    await store.updateCluster('local', 'c-aaaaaaaaaaaa', { status: 'FAILED', phase: 'Failed' });
    await store.createCluster(cluster('c-bbbbbbbbbbbb'));
    const claim = await documentClient(client).send(new GetCommand({ TableName: table, Key: keys.nameClaim('222222222222', 'us-east-1', 'demo') }));
    expect(claim.Item?.clusterId).toBe('c-bbbbbbbbbbbb');
    // And now the new one holds it.
    const err = await store.createCluster(cluster('c-dddddddddddd')).catch((e: unknown) => e);
    expect((err as DiagnosedError).diagnosis.code).toBe('NAME_ALREADY_IN_USE');
  });

  it('lets exactly one of two racing requests for a name win', async () => {
    const results = await Promise.allSettled([store.createCluster(cluster('c-111111111111')), store.createCluster(cluster('c-222222222222'))]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const loser = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect((loser.reason as DiagnosedError).diagnosis.code).toBe('NAME_ALREADY_IN_USE');
  });

  it('treats a claim without its record as live for a minute, then as abandoned', async () => {
    const doc = documentClient(client);
    const { PutCommand } = await import('@aws-sdk/lib-dynamodb');
    await doc.send(
      new PutCommand({
        TableName: table,
        Item: { ...keys.nameClaim('222222222222', 'us-east-1', 'demo'), tenantId: 'local', clusterId: 'c-ghostghostgh', claimedAt: now().toISOString() },
      }),
    );
    const err = await store.createCluster(cluster('c-bbbbbbbbbbbb')).catch((e: unknown) => e);
    expect((err as DiagnosedError).diagnosis.code).toBe('NAME_ALREADY_IN_USE');
    clock += 61_000;
    await store.createCluster(cluster('c-bbbbbbbbbbbb'));
    expect((await store.getCluster('local', 'c-bbbbbbbbbbbb'))?.status).toBe('CREATING');
  });

  it('updates fields, stamps updatedAt, and refuses unknown clusters', async () => {
    await store.createCluster(cluster('c-aaaaaaaaaaaa'));
    clock += 5000;
    await store.updateCluster('local', 'c-aaaaaaaaaaaa', { phase: 'Creating control plane', progress: { done: 1, total: 9 }, stackId: 'arn:aws:cloudformation:us-east-1:222222222222:stack/eks-provisioner-demo/1' });
    const got = await store.getCluster('local', 'c-aaaaaaaaaaaa');
    expect(got?.phase).toBe('Creating control plane');
    expect(got?.progress).toEqual({ done: 1, total: 9 });
    expect(got?.updatedAt).toBe(new Date(clock).toISOString());
    expect(got?.createdAt).toBe('2026-01-01T00:00:00.000Z');
    await expect(store.updateCluster('local', 'c-nonexistent0', { phase: 'x' })).rejects.toBeInstanceOf(ClusterNotFoundError);
  });
});

describe('listClusters', () => {
  it('lists newest first, page by page, with an opaque token, per tenant', async () => {
    for (let i = 0; i < 7; i++) {
      clock += 1000;
      await store.createCluster(cluster(`c-${String(i).padStart(12, '0')}`, { name: `n${i}` }));
    }
    await store.createCluster(cluster('c-othertenant', { tenantId: 'other', name: 'x' }));
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await store.listClusters('local', { limit: 3, ...(token ? { nextToken: token } : {}) });
      seen.push(...page.items.map((c) => c.id));
      token = page.nextToken;
      if (token) expect(token).not.toContain('TENANT#');
      pages++;
    } while (token && pages < 10);
    expect(seen).toEqual(['c-000000000006', 'c-000000000005', 'c-000000000004', 'c-000000000003', 'c-000000000002', 'c-000000000001', 'c-000000000000']);
    expect(pages).toBeGreaterThanOrEqual(3);
  });

  it("refuses another tenant's or a garbled token with a field error", async () => {
    for (let i = 0; i < 3; i++) await store.createCluster(cluster(`c-${String(i).padStart(12, '0')}`, { name: `n${i}`, tenantId: 'a' }));
    const page = await store.listClusters('a', { limit: 1 });
    expect(page.nextToken).toBeDefined();
    for (const bad of [page.nextToken as string, 'not-a-token']) {
      const err = await store.listClusters('b', { nextToken: bad }).catch((e: unknown) => e);
      expect((err as DiagnosedError).diagnosis.code).toBe('VALIDATION_FAILED');
      expect((err as DiagnosedError).diagnosis.fields?.[0]?.path).toBe('nextToken');
    }
  });
});

describe('idempotency keys', () => {
  it('keeps the first answer for a key', async () => {
    const first = { tenantId: 'local', key: 'k1', requestHash: 'h1', statusCode: 202, body: { id: 'c-1' }, createdAt: now().toISOString() };
    expect(await store.putIdempotency(first)).toEqual(first);
    const second = await store.putIdempotency({ ...first, requestHash: 'h2', body: { id: 'c-2' } });
    expect(second).toEqual(first);
    expect(await store.getIdempotency('local', 'k1')).toEqual(first);
    expect(await store.getIdempotency('other', 'k1')).toBeUndefined();
  });
});

describe('DynamoStore: optimistic concurrency (updates)', () => {
  it('writes only while the version is the expected one; a record without a version is version 1', async () => {
    const r = cluster('c-ver', { status: 'CREATED' });
    await store.createCluster(r);
    expect(await store.updateClusterIfVersion('local', 'c-ver', 2, { phase: 'too new' })).toBe(false);
    expect(await store.updateClusterIfVersion('local', 'c-ver', 1, { phase: 'first' })).toBe(true);
    expect(await store.getCluster('local', 'c-ver')).toMatchObject({ version: 2, phase: 'first' });
    // The loser of a race read version 1 too: refused, nothing written.
    expect(await store.updateClusterIfVersion('local', 'c-ver', 1, { phase: 'second' })).toBe(false);
    expect(await store.updateClusterIfVersion('local', 'c-ver', 2, { phase: 'third' })).toBe(true);
    expect(await store.getCluster('local', 'c-ver')).toMatchObject({ version: 3, phase: 'third' });
    expect(await store.updateClusterIfVersion('local', 'c-none', 1, { phase: 'x' })).toBe(false);
  });
});
