/**
 * What every Store does, whatever holds the data: run by store-contract.test.ts against the
 * DynamoDB store (on dynalite) and the tests' in-memory store, so a handler test over the memory
 * store sees the rules production has. Layout-specific checks (table keys, TTLs, claims without
 * records) stay in dynamo-store.test.ts.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { DiagnosedError } from '../../../functions/lib/errors.js';
import { ClusterNotFoundError } from '../../../functions/lib/store/dynamo-store.js';
import type { ClusterRecord, IdempotencyRecord, Store } from '../../../functions/lib/store/types.js';
import { clusterRecord } from '../../support/cluster-record.js';
import { demoSettings } from '../../support/demo-settings.js';

export interface StoreFactory {
  /** A new, empty store reading the clock given. */
  create(now: () => Date): Promise<StoreUnderTest>;
}

export interface StoreUnderTest {
  store: Store;
  /** A second store over the same data, as another Lambda container would have. */
  sibling(): Store;
  /** A store over separate data (another deployment). */
  elsewhere(): Promise<Store>;
}

export function describeStoreContract(name: string, factory: StoreFactory): void {
  describe(`Store contract: ${name}`, () => {
    let clock = 0;
    const now = () => new Date(clock);
    let store: Store;
    let under: StoreUnderTest;

    beforeEach(async () => {
      clock = Date.parse('2026-01-01T00:00:00.000Z');
      under = await factory.create(now);
      store = under.store;
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

    async function nameInUse(p: Promise<unknown>): Promise<DiagnosedError> {
      const err = await p.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(DiagnosedError);
      expect((err as DiagnosedError).diagnosis.code).toBe('NAME_ALREADY_IN_USE');
      return err as DiagnosedError;
    }

    describe('tenants and External IDs', () => {
      it('creates a random External ID of at least 32 hex characters once, and keeps it', async () => {
        expect(await store.getTenant('t1')).toBeUndefined();
        const first = await store.getOrCreateTenant('t1');
        expect(first.externalId).toMatch(/^[0-9a-f]{32,}$/);
        expect((await store.getOrCreateTenant('t1')).externalId).toBe(first.externalId);
        expect((await under.sibling().getTenant('t1'))?.externalId).toBe(first.externalId);
        expect((await store.getOrCreateTenant('t2')).externalId).not.toBe(first.externalId);
      });

      it('gives racing first calls the same External ID', async () => {
        const all = await Promise.all(
          Array.from({ length: 8 }, (_, i) => (i % 2 ? under.sibling() : store).getOrCreateTenant('race')),
        );
        expect(new Set(all.map((t) => t.externalId)).size).toBe(1);
      });

      it('returns the record and nothing else', async () => {
        const t = await store.getOrCreateTenant('t1');
        expect(Object.keys(t).sort()).toEqual(['createdAt', 'externalId', 'tenantId']);
        expect(t.createdAt).toBe(now().toISOString());
        expect(await store.getTenant('t1')).toEqual(t);
      });
    });

    describe('service secrets', () => {
      it('makes 256 random bits once: siblings agree, racing first calls agree, another deployment has its own', async () => {
        const [a, b] = await Promise.all([
          store.getOrCreateSecret('page-token-key'),
          under.sibling().getOrCreateSecret('page-token-key'),
        ]);
        expect(a).toMatch(/^[0-9a-f]{64}$/);
        expect(b).toBe(a);
        expect(await under.sibling().getOrCreateSecret('page-token-key')).toBe(a);
        expect(await store.getOrCreateSecret('another')).not.toBe(a);
        expect(await (await under.elsewhere()).getOrCreateSecret('page-token-key')).not.toBe(a);
      });
    });

    describe('roles', () => {
      it('stores and reads a registered role per tenant, replacing it on a second put', async () => {
        const role = {
          tenantId: 'a',
          roleArn: 'arn:aws:iam::222222222222:role/eks-provisioner-x',
          region: 'us-east-1',
          accountId: '222222222222',
          registeredAt: now().toISOString(),
        };
        await store.putRole(role);
        expect(await store.getRole('a', role.roleArn)).toEqual(role);
        expect(await store.getRole('b', role.roleArn)).toBeUndefined();
        await store.putRole({ ...role, region: 'eu-west-1' });
        expect((await store.getRole('a', role.roleArn))?.region).toBe('eu-west-1');
      });
    });

    describe('clusters and name claims', () => {
      it('creates a record, is idempotent for the same id, and hands out copies', async () => {
        const c = cluster('c-aaaaaaaaaaaa');
        await store.createCluster(c);
        await store.createCluster({ ...c, phase: 'changed' });
        const got = await store.getCluster('local', c.id);
        expect(got).toEqual(c);
        expect(await store.getCluster('other', c.id)).toBeUndefined();
        got!.progress.done = 99;
        c.progress.done = 98;
        expect((await store.getCluster('local', c.id))?.progress.done).toBe(0);
      });

      it('refuses a name held by a live cluster, for any tenant, naming the holder only to its tenant', async () => {
        await store.createCluster(cluster('c-aaaaaaaaaaaa'));
        const mine = await nameInUse(store.createCluster(cluster('c-bbbbbbbbbbbb')));
        expect(mine.diagnosis.message).toContain('c-aaaaaaaaaaaa');
        const theirs = await nameInUse(store.createCluster(cluster('c-cccccccccccc', { tenantId: 'someone-else' })));
        expect(JSON.stringify(theirs.diagnosis)).not.toContain('c-aaaaaaaaaaaa');
        expect(await store.getCluster('local', 'c-bbbbbbbbbbbb')).toBeUndefined();
        expect(await store.getCluster('someone-else', 'c-cccccccccccc')).toBeUndefined();
      });

      it('allows the same name in another region or account', async () => {
        await store.createCluster(cluster('c-aaaaaaaaaaaa'));
        await store.createCluster(cluster('c-bbbbbbbbbbbb', { region: 'us-west-2' }));
        await store.createCluster(cluster('c-cccccccccccc', { accountId: '333333333333' }));
        expect((await store.listClusters('local')).items).toHaveLength(3);
      });

      it('keeps the name while the holder is CREATED or DELETING', async () => {
        await store.createCluster(cluster('c-aaaaaaaaaaaa'));
        for (const status of ['CREATED', 'DELETING'] as const) {
          await store.updateCluster('local', 'c-aaaaaaaaaaaa', { status });
          await nameInUse(store.createCluster(cluster('c-bbbbbbbbbbbb', { tenantId: 'other' })));
        }
      });

      it('hands the name over when its holder FAILED or was DELETED, and the new holder keeps it', async () => {
        await store.createCluster(cluster('c-aaaaaaaaaaaa'));
        await store.updateCluster('local', 'c-aaaaaaaaaaaa', { status: 'FAILED', phase: 'Failed' });
        await store.createCluster(cluster('c-bbbbbbbbbbbb'));
        await nameInUse(store.createCluster(cluster('c-dddddddddddd')));
        await store.updateCluster('local', 'c-bbbbbbbbbbbb', { status: 'DELETED', deletedAt: now().toISOString() });
        await store.createCluster(cluster('c-eeeeeeeeeeee', { tenantId: 'other' }));
        await nameInUse(store.createCluster(cluster('c-ffffffffffff')));
      });

      it('releases a name only for the cluster that holds it', async () => {
        const a = cluster('c-aaaaaaaaaaaa');
        await store.createCluster(a);
        await store.updateCluster('local', a.id, { status: 'FAILED' });
        const b = cluster('c-bbbbbbbbbbbb');
        await store.createCluster(b);
        await store.releaseName(a); // a's claim was taken over: b keeps the name
        await nameInUse(store.createCluster(cluster('c-cccccccccccc')));
        await store.updateCluster('local', b.id, { status: 'DELETED' });
        await store.releaseName(b);
        await store.createCluster(cluster('c-cccccccccccc'));
        expect((await store.getCluster('local', 'c-cccccccccccc'))?.status).toBe('CREATING');
      });

      it('lets exactly one of two racing requests for a name win', async () => {
        const results = await Promise.allSettled([
          store.createCluster(cluster('c-111111111111')),
          under.sibling().createCluster(cluster('c-222222222222', { tenantId: 'other' })),
        ]);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const loser = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
        expect((loser.reason as DiagnosedError).diagnosis.code).toBe('NAME_ALREADY_IN_USE');
      });

      it('updates fields, stamps updatedAt, keeps createdAt, leaves undefined fields alone, and refuses unknown clusters', async () => {
        await store.createCluster(
          cluster('c-aaaaaaaaaaaa', { executionArn: 'arn:aws:states:us-east-1:111111111111:execution:sm:x' }),
        );
        clock += 5000;
        await store.updateCluster('local', 'c-aaaaaaaaaaaa', {
          phase: 'Creating control plane',
          progress: { done: 1, total: 9 },
          stackId: 'arn:aws:cloudformation:us-east-1:222222222222:stack/eks-provisioner-demo/1',
          createdAt: '2030-01-01T00:00:00.000Z',
          executionArn: undefined,
        });
        const got = await store.getCluster('local', 'c-aaaaaaaaaaaa');
        expect(got?.phase).toBe('Creating control plane');
        expect(got?.progress).toEqual({ done: 1, total: 9 });
        expect(got?.updatedAt).toBe(new Date(clock).toISOString());
        expect(got?.createdAt).toBe('2026-01-01T00:00:00.000Z');
        expect(got?.executionArn).toBe('arn:aws:states:us-east-1:111111111111:execution:sm:x');
        await store.updateCluster('local', 'c-aaaaaaaaaaaa', { phase: 'x', updatedAt: '2026-02-02T00:00:00.000Z' });
        expect((await store.getCluster('local', 'c-aaaaaaaaaaaa'))?.updatedAt).toBe('2026-02-02T00:00:00.000Z');
        await expect(store.updateCluster('local', 'c-nonexistent0', { phase: 'x' })).rejects.toBeInstanceOf(
          ClusterNotFoundError,
        );
        await expect(store.updateCluster('other', 'c-aaaaaaaaaaaa', { phase: 'x' })).rejects.toBeInstanceOf(
          ClusterNotFoundError,
        );
        expect(await store.getCluster('other', 'c-aaaaaaaaaaaa')).toBeUndefined();
      });
    });

    describe('updateClusterIfVersion (optimistic concurrency for cluster updates)', () => {
      it('writes only while the version is the expected one; a record without a version is version 1', async () => {
        await store.createCluster(cluster('c-ver', { status: 'CREATED' }));
        expect(await store.updateClusterIfVersion('local', 'c-ver', 2, { phase: 'too new' })).toBe(false);
        clock += 1000;
        expect(
          await store.updateClusterIfVersion('local', 'c-ver', 1, {
            phase: 'first',
            createdAt: '2030-01-01T00:00:00.000Z',
          }),
        ).toBe(true);
        expect(await store.getCluster('local', 'c-ver')).toMatchObject({
          version: 2,
          phase: 'first',
          updatedAt: now().toISOString(),
          createdAt: '2026-01-01T00:00:00.000Z',
        });
        // The loser of a race read version 1 too: refused, nothing written.
        expect(await store.updateClusterIfVersion('local', 'c-ver', 1, { phase: 'second' })).toBe(false);
        expect((await store.getCluster('local', 'c-ver'))?.phase).toBe('first');
        expect(await store.updateClusterIfVersion('local', 'c-ver', 2, { phase: 'third' })).toBe(true);
        expect(await store.getCluster('local', 'c-ver')).toMatchObject({ version: 3, phase: 'third' });
        // A plain updateCluster leaves the version alone.
        await store.updateCluster('local', 'c-ver', { phase: 'progress' });
        expect((await store.getCluster('local', 'c-ver'))?.version).toBe(3);
      });

      it("refuses (false, nothing written) a record that does not exist, or another tenant's", async () => {
        await store.createCluster(cluster('c-ver'));
        expect(await store.updateClusterIfVersion('local', 'c-none', 1, { phase: 'x' })).toBe(false);
        expect(await store.updateClusterIfVersion('other', 'c-ver', 1, { phase: 'x' })).toBe(false);
        expect(await store.getCluster('other', 'c-ver')).toBeUndefined();
        expect((await store.getCluster('local', 'c-ver'))?.version).toBeUndefined();
      });

      it('lets exactly one of racing writers with the same version win', async () => {
        await store.createCluster(cluster('c-ver', { status: 'CREATED' }));
        const wins = await Promise.all(
          ['a', 'b', 'c', 'd'].map((p, i) =>
            (i % 2 ? under.sibling() : store).updateClusterIfVersion('local', 'c-ver', 1, { phase: p }),
          ),
        );
        expect(wins.filter(Boolean)).toHaveLength(1);
        expect((await store.getCluster('local', 'c-ver'))?.version).toBe(2);
      });
    });

    describe('listClusters', () => {
      it('lists newest first (ties by id), page by page, with an opaque token, per tenant', async () => {
        for (let i = 0; i < 7; i++) {
          clock += 1000;
          await store.createCluster(cluster(`c-${String(i).padStart(12, '0')}`, { name: `n${i}` }));
        }
        await store.createCluster(cluster('c-00000000000z', { name: 'same-time' }));
        await store.createCluster(cluster('c-othertenant', { tenantId: 'other', name: 'x' }));
        const seen: string[] = [];
        let token: string | undefined;
        let pages = 0;
        do {
          const page = await store.listClusters('local', { limit: 3, ...(token ? { nextToken: token } : {}) });
          expect(page.items.length).toBeLessThanOrEqual(3);
          seen.push(...page.items.map((c) => c.id));
          token = page.nextToken;
          if (token) expect(token).not.toContain('local');
          pages++;
        } while (token && pages < 10);
        expect(seen).toEqual([
          'c-00000000000z',
          'c-000000000006',
          'c-000000000005',
          'c-000000000004',
          'c-000000000003',
          'c-000000000002',
          'c-000000000001',
          'c-000000000000',
        ]);
        expect(pages).toBe(3);
        expect((await store.listClusters('other')).items.map((c) => c.id)).toEqual(['c-othertenant']);
        expect(await store.listClusters('nobody')).toEqual({ items: [] });
      });

      it('clamps the page size to 1..100 and gives no token on the last page', async () => {
        for (let i = 0; i < 3; i++)
          await store.createCluster(cluster(`c-${String(i).padStart(12, '0')}`, { name: `n${i}` }));
        const one = await store.listClusters('local', { limit: 0 });
        expect(one.items).toHaveLength(1);
        expect(one.nextToken).toBeDefined();
        const all = await store.listClusters('local', { limit: 1000 });
        expect(all.items).toHaveLength(3);
        expect(all.nextToken).toBeUndefined();
      });

      it("refuses another tenant's or a garbled token with a field error", async () => {
        for (let i = 0; i < 3; i++)
          await store.createCluster(cluster(`c-${String(i).padStart(12, '0')}`, { name: `n${i}`, tenantId: 'a' }));
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
      const pending = (id: string, attempt: number): IdempotencyRecord => ({
        tenantId: 'local',
        key: 'k1',
        requestHash: 'h1',
        statusCode: 202,
        body: { pending: true, id, attempt },
        createdAt: now().toISOString(),
      });

      it('keeps the first answer for a key, per tenant', async () => {
        const first = {
          tenantId: 'local',
          key: 'k1',
          requestHash: 'h1',
          statusCode: 202,
          body: { id: 'c-1' },
          createdAt: now().toISOString(),
        };
        expect(await store.putIdempotency(first)).toEqual(first);
        expect(await under.sibling().putIdempotency({ ...first, requestHash: 'h2', body: { id: 'c-2' } })).toEqual(
          first,
        );
        expect(await store.getIdempotency('local', 'k1')).toEqual(first);
        expect(await store.getIdempotency('other', 'k1')).toBeUndefined();
      });

      it('replaces a pending answer only for the attempt that holds it and the same request', async () => {
        await store.putIdempotency(pending('c-1', 1));
        const done = { ...pending('c-1', 1), body: { id: 'c-1', status: 'CREATING' } };
        // Another attempt, another cluster id, another request: the pending answer stays.
        expect(await store.updateIdempotency(done, { id: 'c-1', attempt: 2 })).toEqual(pending('c-1', 1));
        expect(await store.updateIdempotency(done, { id: 'c-9', attempt: 1 })).toEqual(pending('c-1', 1));
        expect(await store.updateIdempotency({ ...done, requestHash: 'h2' }, { id: 'c-1', attempt: 1 })).toEqual(
          pending('c-1', 1),
        );
        // The holder moves it on to a new attempt, then to its answer; after that nothing replaces it.
        expect(await store.updateIdempotency(pending('c-1', 2), { id: 'c-1', attempt: 1 })).toEqual(pending('c-1', 2));
        expect(await store.updateIdempotency(done, { id: 'c-1', attempt: 2 })).toEqual(done);
        expect(await store.updateIdempotency(pending('c-1', 3), { id: 'c-1', attempt: 2 })).toEqual(done);
        expect(await store.getIdempotency('local', 'k1')).toEqual(done);
      });

      it('replaces nothing for a key never stored', async () => {
        expect(await store.updateIdempotency(pending('c-1', 1), { id: 'c-1', attempt: 1 })).toBeUndefined();
        expect(await store.getIdempotency('local', 'k1')).toBeUndefined();
      });
    });
  });
}
