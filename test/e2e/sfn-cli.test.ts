/**
 * The "Step Functions console execution" entry point walked with the AWS CLI v1 (botocore, an
 * independent client) against the local stack, as the README shows: list-state-machines,
 * describe-state-machine (the definition as deployed), start-execution with a console-style input,
 * describe-state-machine-for-execution, stop-execution — and the record says why within seconds.
 * Skips with a message when `aws` is absent.
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clusterIdForExecution } from '../../functions/lib/cluster-ids.js';
import { executionTimeoutSeconds } from '../../functions/lib/polling/budget.js';
import { DEFAULT_WORLD } from '../../local/runner/environment.js';
import { awsCli } from '../support/aws-cli.js';
import { requireTool } from '../support/tools.js';
import { start } from './ended-harness.js';

const version = requireTool('aws', 'the AWS CLI against the local Step Functions (test/e2e/sfn-cli)')?.version;

describe.skipIf(!version)(`AWS CLI (${version ?? 'absent'}) against the local Step Functions`, () => {
  it('list → describe (as deployed) → start a console execution → describe for execution → stop → FAILED record within seconds', async () => {
    // A slow clock: each CLI call takes a second or two, and the cluster must still be creating when stopped.
    const x = await start({}, 10);
    // The service account's keys (the default world's IAM user eks-provisioner).
    const aws = awsCli(() => x.sandboxUrl, DEFAULT_WORLD.service);

    const listed = await aws('stepfunctions', 'list-state-machines');
    const sm = listed.stateMachines.find((m: { name: string }) => m.name === 'eks-provisioner-provision-cluster');
    expect(sm).toMatchObject({
      stateMachineArn: 'arn:aws:states:us-east-1:111111111111:stateMachine:eks-provisioner-provision-cluster',
      type: 'STANDARD',
    });

    const described = await aws('stepfunctions', 'describe-state-machine', '--state-machine-arn', sm.stateMachineArn);
    expect(described).toMatchObject({ name: 'eks-provisioner-provision-cluster', status: 'ACTIVE', type: 'STANDARD' });
    const definition = JSON.parse(described.definition);
    expect(definition.TimeoutSeconds).toBe(executionTimeoutSeconds(3600)); // the default poll cap + the derived margin
    expect(described.definition).not.toContain('${');
    expect(definition.States.ValidateRequest.Resource).toBe(
      'arn:aws:lambda:us-east-1:111111111111:function:eks-provisioner-validate-request',
    );

    // A console execution: the tenant has called GET /v1/setup; role B exists as it says.
    const tenant = 'e2e-cli';
    const roleArn = await x.createRoleB({ name: 'eks-provisioner-cli', tenant });
    const dir = mkdtempSync(join(tmpdir(), 'sfn-cli-'));
    writeFileSync(
      join(dir, 'input.json'),
      JSON.stringify({ tenantId: tenant, cluster: x.settings({ name: 'e2e-cli', provisionRoleArn: roleArn }) }),
    );
    const started = await aws(
      'stepfunctions',
      'start-execution',
      '--state-machine-arn',
      sm.stateMachineArn,
      '--name',
      'cli-walk',
      '--input',
      `file://${join(dir, 'input.json')}`,
    );
    expect(started.executionArn).toBe(
      'arn:aws:states:us-east-1:111111111111:execution:eks-provisioner-provision-cluster:cli-walk',
    );

    const forExecution = await aws(
      'stepfunctions',
      'describe-state-machine-for-execution',
      '--execution-arn',
      started.executionArn,
    );
    expect(forExecution).toMatchObject({
      stateMachineArn: sm.stateMachineArn,
      name: 'eks-provisioner-provision-cluster',
    });
    expect(JSON.parse(forExecution.definition).TimeoutSeconds).toBe(executionTimeoutSeconds(3600));

    // Wait until the run made its record, then stop it by hand.
    const clusterId = clusterIdForExecution(started.executionArn);
    for (let i = 0; i < 100 && (await x.api('GET', `/v1/clusters/${clusterId}`, undefined, tenant)).status !== 200; i++)
      await new Promise((r) => setTimeout(r, 50));
    await aws(
      'stepfunctions',
      'stop-execution',
      '--execution-arn',
      started.executionArn,
      '--error',
      'OperatorStop',
      '--cause',
      'stopped from the CLI',
    );
    const t0 = Date.now();
    const record = await x.follow(clusterId, tenant, 10_000);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(record).toMatchObject({ status: 'FAILED', diagnosis: { code: 'EXECUTION_ABORTED' } });
    const list = await x.api('GET', '/v1/clusters', undefined, tenant);
    expect(list.body.items.map((c: { id: string }) => c.id)).toContain(clusterId);
    expect((await aws('stepfunctions', 'describe-execution', '--execution-arn', started.executionArn)).status).toBe(
      'ABORTED',
    );
  }, 120_000);
});
