/**
 * Deleting clusters end to end over HTTP: the API, the delete state machine (unchanged ASL) in the
 * local runner, the handlers and the AWS sandbox, default world. Role B is made by the customer
 * exactly as GET /v1/setup says, with or without the optional delete statement.
 */
import { CloudFormationClient, DeleteStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { GetRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_WORLD } from '../../local/runner/environment.js';
import { type ClusterRecord, E2E } from './harness.js';

let e: E2E;
const admin = () => ({
  region: 'us-east-1',
  endpoint: e.sandboxUrl,
  credentials: {
    accessKeyId: DEFAULT_WORLD.customer.accessKeyId,
    secretAccessKey: DEFAULT_WORLD.customer.secretAccessKey,
  },
});

beforeAll(async () => {
  e = await E2E.start();
}, 120_000);

afterAll(async () => {
  await e?.stop();
});

async function registered(tenant: string, roleName: string, withDeleteStatement: boolean): Promise<string> {
  const roleArn = await e.createRoleB({ name: roleName, tenant });
  if (withDeleteStatement) await addDeleteStatement(tenant, roleName);
  const r = await e.api('POST', '/v1/roles', { roleArn, region: 'us-east-1' }, tenant);
  expect(r.status, r.text).toBe(200);
  return roleArn;
}

/** What a customer does with provisionRoleDeleteStatement: put it on role B (as the 422 says). */
async function addDeleteStatement(tenant: string, roleName: string): Promise<void> {
  const setup = await e.api('GET', '/v1/setup', undefined, tenant);
  expect(setup.body.provisionRoleDeleteStatement?.Statement?.length).toBeGreaterThan(0);
  const iam = new IAMClient(admin());
  try {
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: roleName,
        PolicyName: 'eks-provisioner-delete',
        PolicyDocument: JSON.stringify(setup.body.provisionRoleDeleteStatement),
      }),
    );
  } finally {
    iam.destroy();
  }
}

async function created(
  tenant: string,
  name: string,
  roleArn: string,
  extra: Record<string, unknown> = {},
): Promise<ClusterRecord & { stackId?: string }> {
  const r = await e.api('POST', '/v1/clusters', e.settings({ name, provisionRoleArn: roleArn, ...extra }), tenant);
  expect(r.status, r.text).toBe(202);
  return e.follow(r.body.id, tenant);
}

/** Follows a deletion until DELETED or FAILED. */
async function deleted(
  id: string,
  tenant: string,
  timeoutMs = 60_000,
): Promise<ClusterRecord & { deletedAt?: string; stackId?: string }> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const r = await e.api('GET', `/v1/clusters/${id}`, undefined, tenant);
    expect(r.status, r.text).toBe(200);
    if (r.body.status === 'DELETED' || r.body.status === 'FAILED') return r.body;
    if (Date.now() > until) throw new Error(`cluster ${id} still ${r.body.status} after ${timeoutMs} ms`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

async function stackStatus(ref: string): Promise<string> {
  const cfn = new CloudFormationClient(admin());
  try {
    return (await cfn.send(new DescribeStacksCommand({ StackName: ref }))).Stacks?.[0]?.StackStatus ?? '';
  } catch (err) {
    return `error: ${(err as Error).message}`;
  } finally {
    cfn.destroy();
  }
}

async function deletionEvent(clusterId: string) {
  const until = Date.now() + 5000;
  for (;;) {
    const hit = (await e.events(clusterId)).find((ev) => /^EKS Cluster Deletion/.test(ev.detailType));
    if (hit || Date.now() > until) return hit;
    await new Promise((res) => setTimeout(res, 100));
  }
}

describe('deleting clusters (local stack e2e)', () => {
  it('with the delete statement on role B: DELETE → DELETING → DELETED, stack gone, name free, Succeeded event', async () => {
    const tenant = 'e2e-delete';
    const roleArn = await registered(tenant, 'eks-provisioner-deleter', true);
    const record = await created(tenant, 'e2e-delete', roleArn);
    expect(record.status, JSON.stringify(record.diagnosis)).toBe('CREATED');
    const stackId = record.stackId!;
    expect(stackId).toMatch(/^arn:aws:cloudformation:us-east-1:222222222222:stack\/eks-provisioner-e2e-delete\//);

    const r = await e.api('DELETE', `/v1/clusters/${record.id}`, undefined, tenant);
    expect(r.status, r.text).toBe(202);
    expect(r.body).toMatchObject({ id: record.id, status: 'DELETING' });
    expect(r.body.executionArn).toMatch(
      /^arn:aws:states:us-east-1:111111111111:execution:eks-provisioner-delete-cluster:/,
    );

    const done = await deleted(record.id, tenant);
    expect(done.status, JSON.stringify(done.diagnosis)).toBe('DELETED');
    expect(done.deletedAt).toBeTruthy();
    // The deletion's own start (its elapsed time and progress count from here, not from the creation).
    const startedAt = Date.parse(String((done as unknown as Record<string, unknown>)['deletionStartedAt']));
    expect(startedAt).toBeGreaterThanOrEqual(
      Date.parse(String((record as unknown as Record<string, unknown>)['updatedAt'])),
    );
    expect(startedAt).toBeLessThanOrEqual(Date.parse(String(done.deletedAt)));

    // The stack is gone: by name nothing, by id DELETE_COMPLETE; EKS no longer knows the cluster.
    expect(await stackStatus('eks-provisioner-e2e-delete')).toMatch(/does not exist/);
    expect(await stackStatus(stackId)).toBe('DELETE_COMPLETE');
    const eks = new EKSClient(admin());
    await expect(eks.send(new DescribeClusterCommand({ name: 'e2e-delete' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    eks.destroy();
    // The stack's IAM roles went with it (deleted through the delete statement's role-path scope).
    const iam = new IAMClient(admin());
    const nodeRole = (record.outputs?.['nodeRoleArn'] ?? '').split('/').pop()!;
    await expect(iam.send(new GetRoleCommand({ RoleName: nodeRole }))).rejects.toMatchObject({
      name: 'NoSuchEntityException',
    });
    iam.destroy();

    const ev = await deletionEvent(record.id);
    expect(ev?.detailType).toBe('EKS Cluster Deletion Succeeded');
    expect(ev?.detail).toMatchObject({
      clusterId: record.id,
      name: 'e2e-delete',
      status: 'DELETED',
      stackId,
      tenantId: tenant,
    });
    expect(typeof ev?.detail['durationSeconds']).toBe('number');

    // DELETE again: nothing to do, 200 with the record.
    const again = await e.api('DELETE', `/v1/clusters/${record.id}`, undefined, tenant);
    expect(again.status, again.text).toBe(200);
    expect(again.body.status).toBe('DELETED');

    // The name is free: a new cluster with the same name is created.
    const reborn = await created(tenant, 'e2e-delete', roleArn);
    expect(reborn.status, JSON.stringify(reborn.diagnosis)).toBe('CREATED');
    expect(reborn.id).not.toBe(record.id);
  }, 120_000);

  it('without the delete statement: 422 DELETE_NOT_PERMITTED with the manual commands; nothing changes; after a manual delete-stack, DELETE marks it DELETED', async () => {
    const tenant = 'e2e-nodelete';
    const roleArn = await registered(tenant, 'eks-provisioner-nodelete', false);
    const record = await created(tenant, 'e2e-nodelete', roleArn);
    expect(record.status).toBe('CREATED');

    const r = await e.api('DELETE', `/v1/clusters/${record.id}`, undefined, tenant);
    expect(r.status, r.text).toBe(422);
    expect(r.body.error.code).toBe('DELETE_NOT_PERMITTED');
    expect(r.body.error.message).toMatch(/cloudformation:DeleteStack/);
    const steps = (r.body.error.remediation as string[]).join('\n');
    expect(steps).toContain(`aws cloudformation delete-stack --stack-name ${record.stackId} --region us-east-1`);
    expect(steps).toContain(
      `aws cloudformation wait stack-delete-complete --stack-name ${record.stackId} --region us-east-1`,
    );
    expect(steps).toContain('aws iam put-role-policy --role-name eks-provisioner-nodelete');
    expect(steps).toContain(`eks-provisioner delete ${record.id}`);
    const still = await e.api('GET', `/v1/clusters/${record.id}`, undefined, tenant);
    expect(still.body.status).toBe('CREATED');
    expect(await stackStatus(record.stackId!)).toBe('CREATE_COMPLETE');

    // The customer follows the first manual command as admin; the stack goes.
    const cfn = new CloudFormationClient(admin());
    await cfn.send(new DeleteStackCommand({ StackName: record.stackId! }));
    cfn.destroy();
    const until = Date.now() + 30_000;
    while ((await stackStatus(record.stackId!)) !== 'DELETE_COMPLETE') {
      if (Date.now() > until) throw new Error('stack not deleted');
      await new Promise((res) => setTimeout(res, 100));
    }
    const after = await e.api('DELETE', `/v1/clusters/${record.id}`, undefined, tenant);
    expect(after.status, after.text).toBe(200);
    expect(after.body).toMatchObject({ id: record.id, status: 'DELETED', phase: 'Stack already gone' });
    const reborn = await created(tenant, 'e2e-nodelete', roleArn);
    expect(reborn.status, JSON.stringify(reborn.diagnosis)).toBe('CREATED');
  }, 120_000);

  it('a FAILED cluster whose stack was kept (CREATE_FAILED) is deleted too', async () => {
    const tenant = 'e2e-delete-kept';
    const roleArn = await registered(tenant, 'eks-provisioner-kept', true);
    await e.setFlags({ nodesFailToJoin: true });
    const record = await created(tenant, 'e2e-kept', roleArn);
    await e.setFlags({ nodesFailToJoin: false });
    expect(record.status).toBe('FAILED');
    expect(await stackStatus(record.stackId!)).toBe('CREATE_FAILED');

    const r = await e.api('DELETE', `/v1/clusters/${record.id}`, undefined, tenant);
    expect(r.status, r.text).toBe(202);
    const done = await deleted(record.id, tenant);
    expect(done.status, JSON.stringify(done.diagnosis)).toBe('DELETED');
    expect(await stackStatus(record.stackId!)).toBe('DELETE_COMPLETE');
  }, 120_000);

  it('a load balancer left by a Kubernetes Service: DELETE_FAILED naming the cluster and AWS reason; once it is gone, deleting again succeeds', async () => {
    const tenant = 'e2e-delete-lb';
    const roleArn = await registered(tenant, 'eks-provisioner-lb', true);
    const record = await created(tenant, 'e2e-lb', roleArn);
    expect(record.status).toBe('CREATED');
    // A load balancer a Kubernetes Service left in the cluster security group: the sandbox's deletion fault.
    const set = await e.http('PUT', `${e.sandboxUrl}/_sandbox/faults`, [
      { resourceType: 'AWS::EKS::Cluster', dependencyViolationRate: 1 },
    ]);
    expect(set.status, set.text).toBe(200);
    try {
      const r = await e.api('DELETE', `/v1/clusters/${record.id}`, undefined, tenant);
      expect(r.status, r.text).toBe(202);
      const failed = await deleted(record.id, tenant);
      expect(failed.status).toBe('FAILED');
      const d = failed.diagnosis as ClusterRecord['diagnosis'] & {
        failedResource?: { logicalId: string; type: string; reason: string };
      };
      expect(d?.code).toBe('DELETE_FAILED');
      expect(d?.failedResource).toMatchObject({ logicalId: 'Cluster', type: 'AWS::EKS::Cluster' });
      expect(d?.message).toMatch(/has a dependent object/);
      expect(d?.message).toMatch(/load balancer/);
      expect(d?.remediation.join('\n')).toMatch(
        /aws ec2 describe-network-interfaces --region us-east-1 --filters Name=group-id,Values=sg-/,
      );
      expect(await stackStatus(record.stackId!)).toBe('DELETE_FAILED');
      const ev = await deletionEvent(record.id);
      expect(ev?.detailType).toBe('EKS Cluster Deletion Failed');
      expect(ev?.detail['diagnosis']?.code).toBe('DELETE_FAILED');
    } finally {
      await e.http('PUT', `${e.sandboxUrl}/_sandbox/faults`, []);
    }
    const again = await e.api('DELETE', `/v1/clusters/${record.id}`, undefined, tenant);
    expect(again.status, again.text).toBe(202);
    const done = await deleted(record.id, tenant);
    expect(done.status, JSON.stringify(done.diagnosis)).toBe('DELETED');
  }, 120_000);

  it('deletion polling backs off under throttling: 30 throttled DescribeStackEvents (more than the retries of one step) and the cluster is still DELETED', async () => {
    const tenant = 'e2e-delete-throttled';
    const roleArn = await registered(tenant, 'eks-provisioner-throttled', true);
    const record = await created(tenant, 'e2e-throttled', roleArn);
    expect(record.status).toBe('CREATED');
    // Each look is SDK_MAX_ATTEMPTS (3) calls and the Task retries AwsThrottled 6 times: 21 calls would end it.
    const set = await e.http('PUT', `${e.sandboxUrl}/_sandbox/faults`, [
      { service: 'cloudformation', operation: 'DescribeStackEvents', throttleRate: 1, times: 30 },
    ]);
    expect(set.status).toBeLessThan(300);
    try {
      const r = await e.api('DELETE', `/v1/clusters/${record.id}`, undefined, tenant);
      expect(r.status, r.text).toBe(202);
      const done = await deleted(record.id, tenant);
      expect(done.status, JSON.stringify(done.diagnosis)).toBe('DELETED');
      // Every one of the 30 was injected into this deletion's looks.
      const calls = await e.http<{ calls: Array<{ operation: string; errorCode?: string }> }>(
        'GET',
        `${e.sandboxUrl}/_sandbox/calls`,
      );
      expect(
        calls.body.calls.filter((c) => c.operation === 'DescribeStackEvents' && c.errorCode === 'Throttling'),
      ).toHaveLength(30);
    } finally {
      await e.http('PUT', `${e.sandboxUrl}/_sandbox/faults`, []);
    }
    expect(await stackStatus(record.stackId!)).toBe('DELETE_COMPLETE');
    const events = (await e.events(record.id)).filter((ev) => /^EKS Cluster Deletion/.test(ev.detailType));
    expect(events.map((ev) => ev.detailType)).toEqual(['EKS Cluster Deletion Succeeded']);
  }, 120_000);

  it('a cluster still CREATING cannot be deleted (409), another tenant cannot see it (404)', async () => {
    const tenant = 'e2e-delete-busy';
    const roleArn = await registered(tenant, 'eks-provisioner-busy', true);
    const r = await e.api('POST', '/v1/clusters', e.settings({ name: 'e2e-busy', provisionRoleArn: roleArn }), tenant);
    expect(r.status).toBe(202);
    const busy = await e.api('DELETE', `/v1/clusters/${r.body.id}`, undefined, tenant);
    expect(busy.status, busy.text).toBe(409);
    expect(busy.body.error.code).toBe('CLUSTER_BUSY');
    const other = await e.api('DELETE', `/v1/clusters/${r.body.id}`, undefined, 'someone-else');
    expect(other.status).toBe(404);
    await e.follow(r.body.id, tenant);
  }, 120_000);
});
