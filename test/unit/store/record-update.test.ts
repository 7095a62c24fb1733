/**
 * applyRecordUpdate, the adapter record-ended-execution and the reconciler write run ends through,
 * against dynalite with the deployed table: the completion module's updates as they are built.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setUpdate } from '../../../functions/lib/completion/completion.js';
import { DynamoStore, documentClient } from '../../../functions/lib/store/dynamo-store.js';
import { applyRecordUpdate } from '../../../functions/lib/store/record-update.js';
import type { ClusterRecord } from '../../../functions/lib/store/types.js';
import { markPublishedUpdate } from '../../../functions/record-ended-execution/record-ended-execution.js';
import { clusterRecord } from '../../support/cluster-record.js';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.js';

const EXEC = 'arn:aws:states:us-east-1:111111111111:execution:eks-provisioner-provision-cluster:run-1';
let dynamo: LocalDynamo;
let table: string;
let store: DynamoStore;

beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo?.close();
});
beforeEach(async () => {
  table = await dynamo.newTable('record-update');
  store = new DynamoStore(documentClient(dynamo.client), table);
  const settings = {
    provisionRoleArn: 'arn:aws:iam::222222222222:role/eks-provisioner-provision',
  } as ClusterRecord['settings'];
  await store.createCluster(clusterRecord('c-1', '2026-01-01T00:00:00.000Z', { settings, executionArn: EXEC }));
});

const toFailed = () =>
  setUpdate(
    'local',
    'c-1',
    { names: { '#status': 'status' }, values: { ':creating': 'CREATING' }, sets: [] },
    { status: 'FAILED', endedEventPublished: false, phase: 'Failed' },
    '#status = :creating',
  );

describe('applyRecordUpdate', () => {
  it('writes a marshalled conditional update and says so', async () => {
    expect(await applyRecordUpdate(dynamo.client, table, toFailed())).toBe(true);
    expect(await store.getCluster('local', 'c-1')).toMatchObject({
      status: 'FAILED',
      phase: 'Failed',
      endedEventPublished: false,
    });
    expect(await applyRecordUpdate(dynamo.client, table, markPublishedUpdate('local', 'c-1', EXEC))).toBe(true);
    expect((await store.getCluster('local', 'c-1'))?.endedEventPublished).toBe(true);
  });

  it('answers false, writing nothing, when the condition fails', async () => {
    await store.updateCluster('local', 'c-1', { status: 'CREATED', phase: 'Ready' });
    expect(await applyRecordUpdate(dynamo.client, table, toFailed())).toBe(false);
    expect(await store.getCluster('local', 'c-1')).toMatchObject({ status: 'CREATED', phase: 'Ready' });
    // Another execution's mark is refused too.
    expect(await applyRecordUpdate(dynamo.client, table, markPublishedUpdate('local', 'c-1', `${EXEC}-other`))).toBe(
      false,
    );
  });

  it('throws any other failure (a retry is the caller’s to make)', async () => {
    const err = await applyRecordUpdate(dynamo.client, `${table}-missing`, toFailed()).catch((e: unknown) => e);
    expect((err as Error).name).toBe('ResourceNotFoundException');
  });
});
