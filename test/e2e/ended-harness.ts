/**
 * Shared by the ended-executions*.test.ts files. No record stays CREATING, whatever ends the execution: the definition's TimeoutSeconds, an
 * operator's StopExecution, the history quota, an uncatchable States.Runtime. Each ends the run
 * without its Catch; the runner emits Step Functions' "Execution Status Change" event, the local
 * stack routes it (same pattern as the CDK rule) to record-ended-execution, and the record becomes
 * FAILED with a diagnosis naming the execution — with exactly one Failed event.
 */
import { afterAll, expect } from 'vitest';
import { DEFAULT_WORLD } from '../../local/runner/environment.js';
import { type LocalStackOptions, startLocalStack } from '../../local/runner/stack.js';
import { type ClusterRecord, E2E, E2E_TIME_SCALE } from './harness.js';

let e: E2E | undefined;
afterAll(async () => {
  await e?.stop();
  e = undefined;
});

/** One local stack per test file: handlers bind to the sandbox's address when first imported. */
export async function start(
  runner: LocalStackOptions['runner'] = {},
  timeScale = E2E_TIME_SCALE,
  deleteRunner: LocalStackOptions['deleteRunner'] = {},
): Promise<E2E> {
  if (e) return e;
  const silent = { info: () => undefined, error: () => undefined };
  const stack = await startLocalStack({
    sandboxPort: 0,
    apiPort: 0,
    timeScale,
    log: () => undefined,
    apiLog: silent,
    validateDefinition: false,
    runner,
    deleteRunner,
  });
  e = new E2E(stack);
  return e;
}

export const placement = {
  region: 'us-east-1',
  accountId: DEFAULT_WORLD.service.accountId,
  tableName: process.env['TABLE_NAME'] || 'eks-provisioner',
  eventBusName: process.env['EVENT_BUS_NAME'] || 'eks-provisioner',
};

/** Role B for the tenant, and a cluster submitted through the API (still CREATING). */
export async function submit(x: E2E, tenant: string, name: string): Promise<{ id: string; executionArn: string }> {
  const roleArn = await x.createRoleB({ name: `eks-provisioner-${name}`, tenant });
  const reg = await x.api('POST', '/v1/roles', { roleArn, region: 'us-east-1' }, tenant);
  expect(reg.status, reg.text).toBe(200);
  const r = await x.api('POST', '/v1/clusters', x.settings({ name, provisionRoleArn: roleArn }), tenant);
  expect(r.status, r.text).toBe(202);
  return { id: r.body.id, executionArn: r.body.executionArn };
}

export async function expectRecordedEnd(
  x: E2E,
  tenant: string,
  c: { id: string; executionArn: string },
  status: string,
  code: string,
): Promise<ClusterRecord> {
  expect(await x.stack.runner.waitFor(c.executionArn)).toBe(status);
  await x.stack.statusChanges.drain();
  const record = await x.follow(c.id, tenant, 10_000);
  expect(record.status).toBe('FAILED');
  expect(record.diagnosis?.code).toBe(code);
  expect(record.diagnosis?.message).toContain(c.executionArn);
  expect(JSON.stringify(record.diagnosis?.remediation)).toContain(
    'console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/',
  );
  const failed = (await x.events(c.id)).filter((ev) => ev.detailType === 'EKS Cluster Provisioning Failed');
  expect(failed).toHaveLength(1);
  expect(failed[0]!.detail).toMatchObject({
    clusterId: c.id,
    tenantId: tenant,
    status: 'FAILED',
    executionArn: c.executionArn,
    diagnosis: { code },
  });
  // Step Functions' own event is on the service account's default bus, as in AWS.
  const raw = await x.http<{
    events: Array<{ source: string; eventBusName: string; detail: { executionArn: string; status: string } }>;
  }>('GET', `${x.sandboxUrl}/_sandbox/events?source=aws.states`);
  expect(
    raw.body.events
      .filter((ev) => ev.eventBusName === 'default' && ev.detail.executionArn === c.executionArn)
      .map((ev) => ev.detail.status),
  ).toEqual(['RUNNING', status]);
  return record;
}

/** A CREATED cluster whose role B carries the delete statement, and its DELETE accepted (202): the delete execution runs. */
export async function deleting(
  x: E2E,
  tenant: string,
  name: string,
): Promise<{ id: string; executionArn: string; stackId: string }> {
  const roleArn = await x.createRoleB({ name: `eks-provisioner-${name}`, tenant, withDeleteStatement: true });
  const reg = await x.api('POST', '/v1/roles', { roleArn, region: 'us-east-1' }, tenant);
  expect(reg.status, reg.text).toBe(200);
  const r = await x.api('POST', '/v1/clusters', x.settings({ name, provisionRoleArn: roleArn }), tenant);
  expect(r.status, r.text).toBe(202);
  const created = await x.follow(r.body.id, tenant);
  expect(created.status, JSON.stringify(created.diagnosis)).toBe('CREATED');
  const del = await x.api('DELETE', `/v1/clusters/${r.body.id}`, undefined, tenant);
  expect(del.status, del.text).toBe(202);
  expect(del.body.executionArn).toMatch(/:execution:eks-provisioner-delete-cluster:/);
  return {
    id: r.body.id,
    executionArn: del.body.executionArn,
    stackId: (created as ClusterRecord & { stackId: string }).stackId,
  };
}

/** A delete execution that ended without its Catch: the record FAILED with the DELETE_EXECUTION_* code, one Deletion Failed event. */
export async function expectRecordedDeletionEnd(
  x: E2E,
  tenant: string,
  c: { id: string; executionArn: string },
  status: string,
  code: string,
): Promise<ClusterRecord> {
  expect(await x.stack.deleteRunner.waitFor(c.executionArn)).toBe(status);
  await x.stack.statusChanges.drain();
  let record: ClusterRecord;
  for (const until = Date.now() + 10_000; ; ) {
    record = (await x.api('GET', `/v1/clusters/${c.id}`, undefined, tenant)).body;
    if (record.status !== 'DELETING' || Date.now() > until) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(record.status, JSON.stringify(record)).toBe('FAILED');
  expect(record.diagnosis?.code).toBe(code);
  expect(record.diagnosis?.message).toContain(c.executionArn);
  expect(record.diagnosis?.remediation.join('\n')).toContain(`eks-provisioner delete ${c.id}`);
  const ended = (await x.events(c.id)).filter((ev) => /^EKS Cluster Deletion/.test(ev.detailType));
  expect(ended.map((ev) => ev.detailType)).toEqual(['EKS Cluster Deletion Failed']);
  expect(ended[0]!.detail).toMatchObject({
    clusterId: c.id,
    tenantId: tenant,
    status: 'FAILED',
    executionArn: c.executionArn,
    diagnosis: { code },
  });
  const raw = await x.http<{
    events: Array<{ eventBusName: string; detail: { executionArn: string; status: string } }>;
  }>('GET', `${x.sandboxUrl}/_sandbox/events?source=aws.states`);
  expect(
    raw.body.events
      .filter((ev) => ev.eventBusName === 'default' && ev.detail.executionArn === c.executionArn)
      .map((ev) => ev.detail.status),
  ).toEqual(['RUNNING', status]);
  return record;
}
