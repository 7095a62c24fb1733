/** StopExecution by an operator, and a run that records its own failure (see ended-harness.ts). One local stack per file. */
import { SFNClient, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { DEFAULT_WORLD } from '../../local/runner/environment.js';
import { deleting, expectRecordedDeletionEnd, expectRecordedEnd, start, submit } from './ended-harness.js';

describe('runs that end without their Catch are recorded', () => {
  it('StopExecution by an operator (AWS SDK through the sandbox) → EXECUTION_ABORTED within seconds', async () => {
    const x = await start();
    const c = await submit(x, 'e2e-stop', 'e2e-stop');
    const sfn = new SFNClient({
      region: 'us-east-1',
      endpoint: x.sandboxUrl,
      credentials: {
        accessKeyId: DEFAULT_WORLD.service.accessKeyId,
        secretAccessKey: DEFAULT_WORLD.service.secretAccessKey,
      },
    });
    try {
      await new Promise((r) => setTimeout(r, 150));
      await sfn.send(
        new StopExecutionCommand({ executionArn: c.executionArn, error: 'OperatorStop', cause: 'no longer needed' }),
      );
    } finally {
      sfn.destroy();
    }
    const t0 = Date.now();
    const record = await expectRecordedEnd(x, 'e2e-stop', c, 'ABORTED', 'EXECUTION_ABORTED');
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(record.diagnosis?.message).toContain('OperatorStop');
  }, 180_000);

  it('StopExecution of a delete execution → FAILED DELETE_EXECUTION_ABORTED, one Deletion Failed event; DELETE again follows the stack to DELETED', async () => {
    const x = await start();
    const tenant = 'e2e-delete-stop';
    const c = await deleting(x, tenant, 'e2e-del-stop');
    const sfn = new SFNClient({
      region: 'us-east-1',
      endpoint: x.sandboxUrl,
      credentials: {
        accessKeyId: DEFAULT_WORLD.service.accessKeyId,
        secretAccessKey: DEFAULT_WORLD.service.secretAccessKey,
      },
    });
    try {
      await sfn.send(
        new StopExecutionCommand({ executionArn: c.executionArn, error: 'OperatorStop', cause: 'wrong cluster' }),
      );
    } finally {
      sfn.destroy();
    }
    const record = await expectRecordedDeletionEnd(x, tenant, c, 'ABORTED', 'DELETE_EXECUTION_ABORTED');
    expect(record.diagnosis?.message).toContain('OperatorStop');
    // Deleting again is allowed (FAILED) and picks the stack up where it is.
    const again = await x.api('DELETE', `/v1/clusters/${c.id}`, undefined, tenant);
    expect([200, 202], again.text).toContain(again.status);
    let done = again.body;
    for (
      const until = Date.now() + 60_000;
      done.status !== 'DELETED' && done.status !== 'FAILED' && Date.now() < until;
    ) {
      await new Promise((r) => setTimeout(r, 100));
      done = (await x.api('GET', `/v1/clusters/${c.id}`, undefined, tenant)).body;
    }
    expect(done.status, JSON.stringify(done.diagnosis)).toBe('DELETED');
    const ends = (await x.events(c.id))
      .filter((ev) => /^EKS Cluster Deletion/.test(ev.detailType))
      .map((ev) => ev.detailType);
    for (const until = Date.now() + 5000; ends.length < 2 && Date.now() < until; ) {
      await new Promise((r) => setTimeout(r, 100));
      ends.splice(
        0,
        ends.length,
        ...(await x.events(c.id))
          .filter((ev) => /^EKS Cluster Deletion/.test(ev.detailType))
          .map((ev) => ev.detailType),
      );
    }
    expect(ends.sort()).toEqual(['EKS Cluster Deletion Failed', 'EKS Cluster Deletion Succeeded']);
  }, 180_000);

  it('PutEvents fails after the record was ended → the handler throws, the retry publishes the Failed event exactly once', async () => {
    const x = await start();
    const tenant = 'e2e-put-fails';
    const c = await submit(x, tenant, 'e2e-put-fails');
    // The run's own Started event first (the fault must hit record-ended-execution only).
    for (
      const until = Date.now() + 10_000;
      !(await x.events(c.id)).some((ev) => ev.detailType === 'EKS Cluster Provisioning Started');
    ) {
      if (Date.now() > until) throw new Error('no Started event');
      await new Promise((r) => setTimeout(r, 50));
    }
    // Every attempt of the handler's EventBridge client (5) fails once: its first invocation throws.
    expect(
      (
        await x.http('PUT', `${x.sandboxUrl}/_sandbox/faults`, [
          { service: 'events', operation: 'PutEvents', errorRate: 1, times: 5 },
        ])
      ).status,
    ).toBeLessThan(300);
    const sfn = new SFNClient({
      region: 'us-east-1',
      endpoint: x.sandboxUrl,
      credentials: {
        accessKeyId: DEFAULT_WORLD.service.accessKeyId,
        secretAccessKey: DEFAULT_WORLD.service.secretAccessKey,
      },
    });
    try {
      await sfn.send(new StopExecutionCommand({ executionArn: c.executionArn, error: 'OperatorStop', cause: 'test' }));
      await expectRecordedEnd(x, tenant, c, 'ABORTED', 'EXECUTION_ABORTED'); // exactly one Failed event
    } finally {
      sfn.destroy();
      await x.http('PUT', `${x.sandboxUrl}/_sandbox/faults`, []);
    }
    const calls = (
      await x.http<{ calls: Array<{ service: string; operation: string; status: number }> }>(
        'GET',
        `${x.sandboxUrl}/_sandbox/calls`,
      )
    ).body.calls;
    const puts = calls.filter((k) => k.service === 'events' && k.operation === 'PutEvents').slice(-6);
    expect(puts.map((k) => k.status >= 500)).toEqual([true, true, true, true, true, false]);
  }, 180_000);

  it('a run that records its own failure is left alone (no second Failed event)', async () => {
    const x = await start();
    const tenant = 'e2e-own';
    // Role B without the policy that GET /v1/setup asks for: the run diagnoses and records itself.
    const roleArn = await x.createRoleB({
      name: 'eks-provisioner-e2e-own',
      tenant,
      withoutActions: /^ec2:DescribeSecurityGroups$/,
    });
    expect((await x.api('POST', '/v1/roles', { roleArn, region: 'us-east-1' }, tenant)).status).toBeLessThan(500);
    const r = await x.api('POST', '/v1/clusters', x.settings({ name: 'e2e-own', provisionRoleArn: roleArn }), tenant);
    expect(r.status, r.text).toBe(202);
    expect(await x.stack.runner.waitFor(r.body.executionArn)).toBe('FAILED');
    await x.stack.statusChanges.drain();
    const record = await x.follow(r.body.id, tenant);
    expect(record.diagnosis?.code).not.toMatch(/^EXECUTION_/);
    expect(
      (await x.events(r.body.id)).filter((ev) => ev.detailType === 'EKS Cluster Provisioning Failed'),
    ).toHaveLength(1);
  }, 180_000);
});
