/**
 * record-ended-execution against a real DynamoDB engine (dynalite, the table as deployed): a delete
 * execution's end resolves its DELETING record, and the Failed event goes out at least once and, in
 * the normal path and on redelivery, exactly once — also when PutEvents fails after the update won.
 */

import { createRequire } from 'node:module';
import type { AddressInfo, Server } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ENV, loadConfig } from '../../../functions/lib/config.js';
import { type ExecutionStatus, statusChangeEvent } from '../../../functions/lib/execution-status/event.js';
import { DynamoStore, documentClient } from '../../../functions/lib/store/dynamo-store.js';
import { tableDefinition } from '../../../functions/lib/store/table-definition.js';
import type { ClusterRecord } from '../../../functions/lib/store/types.js';
import { endedExecutionDeps } from '../../../functions/record-ended-execution/aws-deps.js';
import {
  type RecordEndedExecutionDeps,
  recordEndedExecution,
} from '../../../functions/record-ended-execution/record-ended-execution.js';
import { createTableUntilActive, TABLE_CREATING_MS } from '../../../local/runner/create-table.js';
import { clusterRecord } from '../../support/cluster-record.js';

const require = createRequire(import.meta.url);
const dynalite = require('dynalite') as (o: Record<string, unknown>) => Server;

const DELETE_SM = 'arn:aws:states:us-east-1:111111111111:stateMachine:eks-provisioner-delete-cluster';
const PROVISION_SM = 'arn:aws:states:us-east-1:111111111111:stateMachine:eks-provisioner-provision-cluster';
const exec = (sm: string, name: string) => `${sm.replace(':stateMachine:', ':execution:')}:${name}`;
const STACK_ID =
  'arn:aws:cloudformation:us-east-1:222222222222:stack/eks-provisioner-demo/0a1b2c3d-0000-4000-8000-000000000001';

let server: Server;
let ddb: DynamoDBClient;
let store: DynamoStore;
let table = '';
let n = 0;

beforeAll(async () => {
  server = dynalite({ createTableMs: TABLE_CREATING_MS });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  ddb = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
  });
});
afterAll(async () => {
  ddb?.destroy();
  await new Promise<void>((r) => server.close(() => r()));
});
beforeEach(async () => {
  table = `ended-${++n}`;
  await createTableUntilActive(ddb, tableDefinition(table));
  store = new DynamoStore(documentClient(ddb), table);
});

async function seed(status: ClusterRecord['status'], executionArn: string): Promise<ClusterRecord> {
  const at = '2026-01-01T00:00:00.000Z';
  const record = clusterRecord('c-del-1', at, {
    settings: {
      provisionRoleArn: 'arn:aws:iam::222222222222:role/eks-provisioner-provision',
    } as ClusterRecord['settings'],
    stackId: STACK_ID,
  });
  await store.createCluster(record);
  await store.updateCluster('local', record.id, {
    status,
    executionArn,
    phase: status === 'DELETING' ? 'Deleting node group' : 'Creating node group',
    progress: { done: 3, total: 9 },
  });
  return record;
}

/**
 * The handler's own deps (endedExecutionDeps: the store's read and the record-update adapter over the
 * real table); PutEvents fails `failures` times first (as EventBridge refusing an entry).
 */
function deps(failures = 0) {
  const published: Array<{ detailType: string; detail: Record<string, unknown>; resources: string[] }> = [];
  let attempts = 0;
  const d: RecordEndedExecutionDeps = {
    ...endedExecutionDeps(loadConfig({ [ENV.tableName]: table }), ddb),
    publish: async (detailType, detail, resources) => {
      attempts++;
      if (attempts <= failures) throw new Error('EventBridge refused the event: InternalFailure');
      published.push({ detailType, detail: detail as Record<string, unknown>, resources });
    },
    now: () => new Date('2026-01-01T01:00:05Z'),
  };
  return { d, published, attempts: () => attempts };
}

const ended = (
  executionArn: string,
  sm: string,
  status: ExecutionStatus,
  extra: { error?: string; cause?: string } = {},
) =>
  statusChangeEvent({
    account: '111111111111',
    region: 'us-east-1',
    executionArn,
    stateMachineArn: sm,
    name: executionArn.split(':').at(-1)!,
    status,
    startDate: Date.parse('2026-01-01T00:30:00Z'),
    stopDate: Date.parse('2026-01-01T01:00:00Z'),
    input: JSON.stringify({ tenantId: 'local', clusterId: 'c-del-1' }),
    output: null,
    error: extra.error ?? null,
    cause: extra.cause ?? null,
  });

describe('a delete execution that ends without its Catch', () => {
  it.each([
    ['TIMED_OUT', 'DELETE_EXECUTION_TIMED_OUT'],
    ['ABORTED', 'DELETE_EXECUTION_ABORTED'],
    ['FAILED', 'DELETE_EXECUTION_FAILED'],
  ] as const)(
    '%s: DELETING → FAILED %s (delete again allowed, said in words), one Deletion Failed event',
    async (status, code) => {
      const arn = exec(DELETE_SM, 'c-del-1-delete-abc');
      await seed('DELETING', arn);
      const x = deps();
      const out = await recordEndedExecution(
        ended(arn, DELETE_SM, status, { error: 'OperatorStop', cause: 'not now' }),
        x.d,
      );
      expect(out).toEqual({
        action: 'recorded',
        run: 'deletion',
        tenantId: 'local',
        clusterId: 'c-del-1',
        code,
        marked: true,
      });
      const r = (await store.getCluster('local', 'c-del-1'))!;
      expect(r).toMatchObject({
        status: 'FAILED',
        phase: 'Deletion failed',
        executionArn: arn,
        progress: { done: 3, total: 9 },
        endedEventPublished: true,
        diagnosis: { code, retryable: true },
      });
      expect(r.pendingEndedEvent).toBeUndefined();
      expect(r.diagnosis!.message).toContain(arn);
      const steps = r.diagnosis!.remediation.join('\n');
      expect(steps).toContain('eks-provisioner delete c-del-1');
      expect(steps).toContain(`aws cloudformation describe-stacks --stack-name ${STACK_ID} --region us-east-1`);
      expect(steps).toContain('console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/');
      expect(x.published).toHaveLength(1);
      expect(x.published[0]).toMatchObject({ detailType: 'EKS Cluster Deletion Failed', resources: [arn, DELETE_SM] });
      expect(x.published[0]!.detail).toMatchObject({
        clusterId: 'c-del-1',
        tenantId: 'local',
        status: 'FAILED',
        executionArn: arn,
        stackId: STACK_ID,
        durationSeconds: 1805,
        diagnosis: { code },
      });
      // A redelivered event changes nothing and sends nothing.
      expect((await recordEndedExecution(ended(arn, DELETE_SM, status), x.d)).action).toBe('skipped');
      expect(x.published).toHaveLength(1);
    },
  );

  it('a late event of an older delete execution cannot overwrite a newer run', async () => {
    const older = exec(DELETE_SM, 'c-del-1-delete-old');
    await seed('DELETING', exec(DELETE_SM, 'c-del-1-delete-new'));
    const x = deps();
    expect(await recordEndedExecution(ended(older, DELETE_SM, 'TIMED_OUT'), x.d)).toEqual({
      action: 'skipped',
      reason: 'the record belongs to another execution',
    });
    expect((await store.getCluster('local', 'c-del-1'))!.status).toBe('DELETING');
    expect(x.published).toHaveLength(0);
  });

  it('a delete run that recorded its own failure is left alone', async () => {
    const arn = exec(DELETE_SM, 'c-del-1-delete-abc');
    await seed('FAILED', arn);
    const x = deps();
    expect((await recordEndedExecution(ended(arn, DELETE_SM, 'FAILED'), x.d)).action).toBe('skipped');
    expect(x.published).toHaveLength(0);
  });
});

describe('the Failed event, at least once and not twice', () => {
  it.each([
    ['a deletion', DELETE_SM, 'DELETING', 'EKS Cluster Deletion Failed'],
    ['a provisioning', PROVISION_SM, 'CREATING', 'EKS Cluster Provisioning Failed'],
  ] as const)(
    '%s: PutEvents fails once → the invocation throws; the retry publishes exactly one event; a redelivery none',
    async (_, sm, from, detailType) => {
      const arn = exec(sm, 'c-del-1-x');
      await seed(from, arn);
      const x = deps(1);
      await expect(recordEndedExecution(ended(arn, sm, 'TIMED_OUT'), x.d)).rejects.toThrow(/EventBridge refused/);
      const between = (await store.getCluster('local', 'c-del-1'))!;
      expect(between).toMatchObject({
        status: 'FAILED',
        endedEventPublished: false,
        pendingEndedEvent: { detailType },
      });
      expect(x.published).toHaveLength(0);

      const retry = await recordEndedExecution(ended(arn, sm, 'TIMED_OUT'), x.d);
      expect(retry).toMatchObject({ action: 'republished', marked: true });
      expect(x.published).toHaveLength(1);
      // The event sent on retry is the one the update stored (same finishedAt, same diagnosis).
      expect(x.published[0]!.detail).toEqual(between.pendingEndedEvent!.detail);
      expect(x.published[0]).toMatchObject({ detailType, resources: [arn, sm] });
      const after = (await store.getCluster('local', 'c-del-1'))!;
      expect(after.endedEventPublished).toBe(true);
      expect(after.pendingEndedEvent).toBeUndefined();

      expect((await recordEndedExecution(ended(arn, sm, 'TIMED_OUT'), x.d)).action).toBe('skipped');
      expect(x.published).toHaveLength(1);
      expect(x.attempts()).toBe(2);
    },
  );

  it('the normal path publishes exactly once and marks the record', async () => {
    const arn = exec(PROVISION_SM, 'c-del-1');
    await seed('CREATING', arn);
    const x = deps();
    expect(await recordEndedExecution(ended(arn, PROVISION_SM, 'ABORTED'), x.d)).toMatchObject({
      action: 'recorded',
      run: 'provisioning',
      marked: true,
    });
    expect(await recordEndedExecution(ended(arn, PROVISION_SM, 'ABORTED'), x.d)).toMatchObject({ action: 'skipped' });
    expect(x.published).toHaveLength(1);
    expect(x.attempts()).toBe(1);
  });

  it('an unpublished event kept by an earlier execution is never sent for a later one', async () => {
    const first = exec(PROVISION_SM, 'c-del-1');
    await seed('CREATING', first);
    await expect(recordEndedExecution(ended(first, PROVISION_SM, 'TIMED_OUT'), deps(1).d)).rejects.toThrow();
    // The cluster is then deleted; the delete run records its own failure (its Catch path).
    const del = exec(DELETE_SM, 'c-del-1-delete-abc');
    await store.updateCluster('local', 'c-del-1', { status: 'FAILED', executionArn: del });
    const x = deps();
    expect((await recordEndedExecution(ended(del, DELETE_SM, 'FAILED'), x.d)).action).toBe('skipped');
    expect(x.published).toHaveLength(0);
  });
});

describe('an update execution that ends without its Catch', () => {
  const UPDATE_SM = 'arn:aws:states:us-east-1:111111111111:stateMachine:eks-provisioner-update-cluster';
  const arn = exec(UPDATE_SM, 'c-del-1-update-2');
  async function seedUpdating(): Promise<void> {
    await seed('CREATED', exec(PROVISION_SM, 'c-del-1'));
    await store.updateCluster('local', 'c-del-1', {
      update: {
        status: 'RUNNING',
        phase: 'Updating the control plane',
        from: { kubernetesVersion: '1.32' },
        to: { kubernetesVersion: '1.33' },
        startedAt: '2026-01-01T00:30:00Z',
        resources: { done: 1, total: 3 },
        executionArn: arn,
      },
    });
  }

  it('TIMED_OUT: update FAILED with what ended it, the cluster stays CREATED, one Update Failed event; a redelivery changes nothing', async () => {
    await seedUpdating();
    const x = deps();
    const out = await recordEndedExecution(ended(arn, UPDATE_SM, 'TIMED_OUT'), x.d);
    expect(out).toMatchObject({ action: 'recorded', run: 'update', code: 'UPDATE_EXECUTION_ENDED' });
    const r = (await store.getCluster('local', 'c-del-1'))!;
    expect(r.status).toBe('CREATED');
    expect(r.update).toMatchObject({
      status: 'FAILED',
      executionArn: arn,
      diagnosis: { code: 'UPDATE_EXECUTION_ENDED' },
      from: { kubernetesVersion: '1.32' },
    });
    expect(r.update!.diagnosis!.message).toMatch(/reached its time limit/);
    expect(r.update!.diagnosis!.remediation.join(' ')).toMatch(
      /describe-stacks --stack-name eks-provisioner-demo --region us-east-1/,
    );
    expect(x.published).toEqual([
      expect.objectContaining({
        detailType: 'EKS Cluster Update Failed',
        detail: expect.objectContaining({
          clusterId: 'c-del-1',
          status: 'UPDATE_FAILED',
          to: { kubernetesVersion: '1.33' },
        }),
      }),
    ]);
    expect(await recordEndedExecution(ended(arn, UPDATE_SM, 'TIMED_OUT'), x.d)).toMatchObject({ action: 'skipped' });
    expect(x.published).toHaveLength(1);
  });

  it("another update run's end leaves this update alone", async () => {
    await seedUpdating();
    const x = deps();
    expect(
      await recordEndedExecution(ended(exec(UPDATE_SM, 'c-del-1-update-1'), UPDATE_SM, 'FAILED'), x.d),
    ).toMatchObject({ action: 'skipped' });
    expect((await store.getCluster('local', 'c-del-1'))!.update?.status).toBe('RUNNING');
    expect(x.published).toHaveLength(0);
  });
});
