/**
 * Status-change events are best-effort: with the fault flag on, the local stack loses every one of
 * them (as if EventBridge never delivered), so record-ended-execution never runs. The reconciler's
 * sweep must settle each run within one sweep — create and delete alike — with the same diagnosis
 * and exactly one Failed event, and take the record out of the RunningRuns index.
 */
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { SFNClient, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, describe, expect, it } from 'vitest';
import { RUNNING_PARTITION, TABLE_KEYS } from '../../functions/lib/store/keys.js';
import { DEFAULT_WORLD } from '../../local/runner/environment.js';
import { startLocalStack } from '../../local/runner/stack.js';
import { deleting, placement, submit } from './ended-harness.js';
import { type ClusterRecord, E2E, E2E_TIME_SCALE } from './harness.js';

let x: E2E | undefined;
afterAll(async () => x?.stop());

async function start(): Promise<E2E> {
  if (x) return x;
  const silent = { info: () => undefined, error: () => undefined };
  // No periodic sweep: the test runs the one sweep it counts.
  const stack = await startLocalStack({
    sandboxPort: 0,
    apiPort: 0,
    timeScale: E2E_TIME_SCALE,
    log: () => undefined,
    apiLog: silent,
    validateDefinition: false,
    dropStatusChanges: true,
    reconcileSchedule: false,
  });
  x = new E2E(stack);
  return x;
}

async function stop(e: E2E, executionArn: string): Promise<void> {
  const sfn = new SFNClient({
    region: 'us-east-1',
    endpoint: e.sandboxUrl,
    credentials: {
      accessKeyId: DEFAULT_WORLD.service.accessKeyId,
      secretAccessKey: DEFAULT_WORLD.service.secretAccessKey,
    },
  });
  try {
    await sfn.send(new StopExecutionCommand({ executionArn, error: 'OperatorStop', cause: 'reconciler test' }));
  } finally {
    sfn.destroy();
  }
}

async function record(e: E2E, tenant: string, id: string): Promise<ClusterRecord> {
  return (await e.api('GET', `/v1/clusters/${id}`, undefined, tenant)).body;
}

/** Cluster ids in the RunningRuns index (a Query of its one partition). */
async function running(e: E2E): Promise<string[]> {
  const ddb = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: e.sandboxUrl,
    credentials: {
      accessKeyId: DEFAULT_WORLD.service.accessKeyId,
      secretAccessKey: DEFAULT_WORLD.service.secretAccessKey,
    },
  });
  try {
    const out = await ddb.send(
      new QueryCommand({
        TableName: placement.tableName,
        IndexName: TABLE_KEYS.running,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': TABLE_KEYS.runpk },
        ExpressionAttributeValues: { ':pk': { S: RUNNING_PARTITION } },
      }),
    );
    return (out.Items ?? []).map((i) => i['id']?.S ?? '');
  } finally {
    ddb.destroy();
  }
}

/** Waits until the run is older than the reconciler's grace (wall time at this time scale). */
async function pastGrace(e: E2E, since: number): Promise<void> {
  while (Date.now() - since <= e.stack.reconciler.graceSeconds * 1000 + 5) await new Promise((r) => setTimeout(r, 20));
}

describe('the reconciler settles runs whose status-change event was lost', () => {
  it('a stopped create run: still CREATING with the event dropped → FAILED EXECUTION_ABORTED after one sweep, one Failed event', async () => {
    const e = await start();
    const tenant = 'e2e-recon-create';
    const c = await submit(e, tenant, 'e2e-recon-create');
    await stop(e, c.executionArn);
    expect(await e.stack.runner.waitFor(c.executionArn)).toBe('ABORTED');
    const t0 = Date.now(); // the run started before this
    await e.stack.statusChanges.drain();
    expect(e.stack.statusChanges.dropped).toBeGreaterThan(0);
    expect((await record(e, tenant, c.id)).status).toBe('CREATING'); // nothing else will ever end it
    expect(await running(e)).toContain(c.id);

    await pastGrace(e, t0);
    const swept = await e.stack.reconciler.sweep();
    const r = await record(e, tenant, c.id);
    expect(r.status, JSON.stringify(swept)).toBe('FAILED');
    expect(r.diagnosis?.code).toBe('EXECUTION_ABORTED');
    expect(r.diagnosis?.message).toContain(c.executionArn);
    expect(r.diagnosis?.message).toContain('OperatorStop');
    expect((await e.events(c.id)).filter((ev) => ev.detailType === 'EKS Cluster Provisioning Failed')).toHaveLength(1);
    expect(await running(e)).not.toContain(c.id);

    // A second sweep changes nothing (no second event).
    await e.stack.reconciler.sweep();
    expect((await e.events(c.id)).filter((ev) => ev.detailType === 'EKS Cluster Provisioning Failed')).toHaveLength(1);
  }, 180_000);

  it('a stopped delete run: still DELETING → FAILED DELETE_EXECUTION_ABORTED after one sweep; a run that ended on its own just leaves the index', async () => {
    const e = await start();
    const tenant = 'e2e-recon-delete';
    const c = await deleting(e, tenant, 'e2e-recon-del');
    // The create run recorded CREATED itself: the sweep takes it out of the index without a Failed event.
    await stop(e, c.executionArn);
    expect(await e.stack.deleteRunner.waitFor(c.executionArn)).toBe('ABORTED');
    const t0 = Date.now();
    expect((await record(e, tenant, c.id)).status).toBe('DELETING');

    await pastGrace(e, t0);
    await e.stack.reconciler.sweep();
    const r = await record(e, tenant, c.id);
    expect(r.status).toBe('FAILED');
    expect(r.diagnosis?.code).toBe('DELETE_EXECUTION_ABORTED');
    const ends = (await e.events(c.id))
      .filter((ev) => /^EKS Cluster (Deletion|Provisioning) (Failed|Succeeded)/.test(ev.detailType))
      .map((ev) => ev.detailType);
    expect(ends.sort()).toEqual(['EKS Cluster Deletion Failed', 'EKS Cluster Provisioning Succeeded']);
    expect(await running(e)).not.toContain(c.id);
  }, 180_000);

  it('a stopped update run: update still RUNNING → FAILED UPDATE_EXECUTION_ENDED after one sweep, record CREATED, one Update Failed event', async () => {
    const e = await start();
    const tenant = 'e2e-recon-update';
    const c = await submit(e, tenant, 'e2e-recon-upd');
    const created = await e.follow(c.id, tenant);
    expect(created.status, JSON.stringify(created.diagnosis)).toBe('CREATED');
    const started = await fetch(`${e.stack.apiUrl}/v1/clusters/${c.id}`, {
      method: 'PATCH',
      headers: {
        'content-type': 'application/merge-patch+json',
        'x-tenant-id': tenant,
        'if-match': `"${(created as { version?: number }).version ?? 1}"`,
      },
      body: JSON.stringify({ nodeCount: 3 }),
    });
    const body = (await started.json()) as { executionArn: string };
    expect(started.status, JSON.stringify(body)).toBe(202);
    expect(body.executionArn).toMatch(/:execution:eks-provisioner-update-cluster:/);
    // The PATCH put the record into RunningRuns for the update run.
    expect(await running(e)).toContain(c.id);
    await stop(e, body.executionArn);
    expect(await e.stack.updateRunner.waitFor(body.executionArn)).toBe('ABORTED');
    const t0 = Date.now();
    await e.stack.statusChanges.drain();
    const before = (await record(e, tenant, c.id)) as ClusterRecord & { update?: { status: string } };
    expect(before.update?.status).toBe('RUNNING'); // nothing else will ever end it

    await pastGrace(e, t0);
    const swept = await e.stack.reconciler.sweep();
    const r = (await record(e, tenant, c.id)) as ClusterRecord & {
      update?: { status: string; diagnosis?: { code: string; message: string } };
    };
    expect(r.update?.status, JSON.stringify(swept)).toBe('FAILED');
    expect(r.update?.diagnosis?.code).toBe('UPDATE_EXECUTION_ENDED');
    expect(r.update?.diagnosis?.message).toContain(body.executionArn);
    expect(r.status).toBe('CREATED');
    const failed = () =>
      e.events(c.id).then((evs) => evs.filter((ev) => ev.detailType === 'EKS Cluster Update Failed'));
    expect(await failed()).toHaveLength(1);
    expect(await running(e)).not.toContain(c.id);

    // A second sweep changes nothing; the cluster can be updated again.
    await e.stack.reconciler.sweep();
    expect(await failed()).toHaveLength(1);
    expect((await e.api('PATCH', `/v1/clusters/${c.id}?dryRun=true`, { nodeCount: 3 }, tenant)).status).toBe(200);
  }, 180_000);
});
