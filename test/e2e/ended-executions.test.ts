/** StopExecution by an operator, and a run that records its own failure (see ended-harness.ts). One local stack per file. */
import { SFNClient, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { DEFAULT_WORLD } from '../../local/runner/environment.js';
import { describe, expect, it } from 'vitest';
import { expectRecordedEnd, start, submit } from './ended-harness.js';

describe('runs that end without their Catch are recorded', () => {
  it('StopExecution by an operator (AWS SDK through the sandbox) → EXECUTION_ABORTED within seconds', async () => {
    const x = await start();
    const c = await submit(x, 'e2e-stop', 'e2e-stop');
    const sfn = new SFNClient({ region: 'us-east-1', endpoint: x.sandboxUrl, credentials: { accessKeyId: DEFAULT_WORLD.service.accessKeyId, secretAccessKey: DEFAULT_WORLD.service.secretAccessKey } });
    try {
      await new Promise((r) => setTimeout(r, 150));
      await sfn.send(new StopExecutionCommand({ executionArn: c.executionArn, error: 'OperatorStop', cause: 'no longer needed' }));
    } finally {
      sfn.destroy();
    }
    const t0 = Date.now();
    const record = await expectRecordedEnd(x, 'e2e-stop', c, 'ABORTED', 'EXECUTION_ABORTED');
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(record.diagnosis?.message).toContain('OperatorStop');
  }, 180_000);

  it('a run that records its own failure is left alone (no second Failed event)', async () => {
    const x = await start();
    const tenant = 'e2e-own';
    // Role B without the policy that GET /v1/setup asks for: the run diagnoses and records itself.
    const roleArn = await x.createRoleB({ name: 'eks-provisioner-e2e-own', tenant, withoutActions: /^ec2:DescribeSecurityGroups$/ });
    expect((await x.api('POST', '/v1/roles', { roleArn, region: 'us-east-1' }, tenant)).status).toBeLessThan(500);
    const r = await x.api('POST', '/v1/clusters', x.settings({ name: 'e2e-own', provisionRoleArn: roleArn }), tenant);
    expect(r.status, r.text).toBe(202);
    expect(await x.stack.runner.waitFor(r.body.executionArn)).toBe('FAILED');
    await x.stack.statusChanges.drain();
    const record = await x.follow(r.body.id, tenant);
    expect(record.diagnosis?.code).not.toMatch(/^EXECUTION_/);
    expect((await x.events(r.body.id)).filter((ev) => ev.detailType === 'EKS Cluster Provisioning Failed')).toHaveLength(1);
  }, 180_000);
});
