/**
 * PATCH /v1/clusters/{id} through the real handler: plan (dryRun), no-op, field errors, If-Match,
 * busy clusters, idempotency, and the start of the update run.
 */

import { readFileSync } from 'node:fs';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeClusterCommand,
  DescribeNodegroupCommand,
  EKSClient,
  ListAccessEntriesCommand,
  ListInsightsCommand,
} from '@aws-sdk/client-eks';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { UPDATE_PREFLIGHT_ACTIONS } from '../../../functions/api/clusters/preflight-session-policy.js';
import { clearCredentialCache } from '../../../functions/lib/aws/provision-role.js';
import { provisionRolePolicy } from '../../../functions/lib/policy/provision-policy.js';
import { parseClusterSettings } from '../../../functions/lib/schema/cluster-settings.js';
import type { UpdateInput } from '../../../functions/lib/state.js';
import type { ClusterRecord } from '../../../functions/lib/store/types.js';
import { clusterRecord } from '../../support/cluster-record.js';
import { asCorrectRoleB } from '../aws/fixtures.js';
import { makeTestApi, validSettings } from './helpers.js';

const sfn = mockClient(SFNClient);
const sts = mockClient(STSClient);
const eks = mockClient(EKSClient);
const ec2 = mockClient(EC2Client);
const cfn = mockClient(CloudFormationClient);

/** Role B and the live cluster as the dry run's pre-flight reads them; `desired` differs from the stack's 2 = drift. */
function customerAccount(api: ReturnType<typeof makeTestApi>, desired = 2) {
  sts.on(AssumeRoleCommand).callsFake(
    asCorrectRoleB(async () => [(await api.store.getTenant('t1'))?.externalId ?? ''], {
      Credentials: {
        AccessKeyId: 'ASIAEXAMPLEEXAMPLE12',
        SecretAccessKey: 'secret/EXAMPLE/key',
        SessionToken: 'token',
        Expiration: new Date(Date.now() + 3_600_000),
      },
      AssumedRoleUser: {
        Arn: 'arn:aws:sts::222222222222:assumed-role/eks-provisioner-provision/x',
        AssumedRoleId: 'AROAEXAMPLE:x',
      },
    }),
  );
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'eks-provisioner-demo',
        StackStatus: 'CREATE_COMPLETE',
        CreationTime: new Date(),
        Parameters: [
          { ParameterKey: 'KubernetesVersion', ParameterValue: '1.32' },
          { ParameterKey: 'NodeCount', ParameterValue: '2' },
        ],
        Outputs: [
          { OutputKey: 'EksClusterName', OutputValue: 'demo' },
          { OutputKey: 'NodegroupName', OutputValue: 'ng-1' },
        ],
      },
    ],
  });
  eks
    .on(DescribeClusterCommand)
    .resolves({ cluster: { name: 'demo', version: '1.32', resourcesVpcConfig: { subnetIds: ['subnet-1'] } } });
  eks
    .on(DescribeNodegroupCommand)
    .resolves({ nodegroup: { nodegroupName: 'ng-1', version: '1.32', scalingConfig: { desiredSize: desired } } });
  eks.on(ListAccessEntriesCommand).resolves({ accessEntries: [] });
  eks.on(ListInsightsCommand).resolves({ insights: [] });
  ec2.on(DescribeSubnetsCommand).resolves({ Subnets: [{ SubnetId: 'subnet-1', AvailableIpAddressCount: 100 }] });
}
const ID = 'c-aaaaaaaaaaaa';
const PATH = `/v1/clusters/${ID}`;

function seeded(over: Partial<ClusterRecord> = {}) {
  const api = makeTestApi();
  const parsed = parseClusterSettings(validSettings({ kubernetesVersion: '1.32' }), {
    roleNamePrefix: 'eks-provisioner-',
  });
  if (!parsed.ok) throw new Error('settings');
  const record = clusterRecord(ID, '2026-11-29T10:00:00.000Z', {
    tenantId: 't1',
    status: 'CREATED',
    phase: 'Cluster ready',
    settings: parsed.settings,
    stackId: 'arn:aws:cloudformation:us-east-1:222222222222:stack/eks-provisioner-demo/1',
    ...over,
  });
  api.store.clusters.set(`t1|${ID}`, record);
  void api.store.getOrCreateTenant('t1');
  return { api, record };
}

const patch = (
  api: ReturnType<typeof makeTestApi>,
  body: unknown,
  extra: { query?: Record<string, string>; headers?: Record<string, string> } = {},
) => api.call({ method: 'PATCH', path: PATH, tenant: 't1', body, ...extra });

beforeEach(() => {
  for (const m of [sts, eks, ec2, cfn]) m.reset();
  clearCredentialCache();
  sfn.reset();
  sfn.on(StartExecutionCommand).callsFake((input: { name: string; stateMachineArn: string }) => ({
    executionArn: `${input.stateMachineArn.replace(':stateMachine:', ':execution:')}:${input.name}`,
    startDate: new Date(),
  }));
});

describe('PATCH /v1/clusters/{id}', () => {
  it('dryRun answers the plan in order and what pre-flight found, and changes nothing', async () => {
    const { api, record } = seeded();
    customerAccount(api);
    const before = JSON.stringify(record);
    const r = await patch(api, { kubernetesVersion: '1.33', instanceType: 't3.large' }, { query: { dryRun: 'true' } });
    expect(r.statusCode).toBe(200);
    expect(r.body.dryRun).toBe(true);
    expect(r.body.plan.steps.map((s: { component: string }) => s.component)).toEqual([
      'control-plane',
      'node-group',
      'add-ons',
    ]);
    expect(r.headers.ETag).toBe('"1"');
    expect(r.body.preflight).toMatchObject({
      checked: true,
      ok: true,
      result: { clusterVersion: '1.32', freeIpAddresses: 100 },
    });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    expect(JSON.stringify(api.store.clusters.get(`t1|${ID}`))).toBe(before);
  });

  it('starts the update run: version bumped, record CREATED with update RUNNING, 202 with the plan', async () => {
    const { api } = seeded();
    const r = await patch(
      api,
      { kubernetesVersion: '1.33' },
      { headers: { 'If-Match': '"1"', 'Content-Type': 'application/merge-patch+json' } },
    );
    expect(r.statusCode).toBe(202);
    expect(r.headers.ETag).toBe('"2"');
    expect(r.body).toMatchObject({
      id: ID,
      status: 'CREATED',
      version: 2,
      update: { status: 'RUNNING', from: { kubernetesVersion: '1.32' }, to: { kubernetesVersion: '1.33' } },
    });
    const calls = sfn.commandCalls(StartExecutionCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input.stateMachineArn).toMatch(/update-cluster$/);
    expect(calls[0]!.args[0].input.name).toBe(`${ID}-update-2`);
    const input = JSON.parse(calls[0]!.args[0].input.input!) as UpdateInput;
    expect(input).toMatchObject({
      tenantId: 't1',
      clusterId: ID,
      version: 2,
      force: false,
      settings: { kubernetesVersion: '1.33' },
    });
    const stored = api.store.clusters.get(`t1|${ID}`)!;
    expect(stored).toMatchObject({
      status: 'CREATED',
      version: 2,
      update: { status: 'RUNNING', executionArn: r.body.executionArn },
    });
    // Settings change on the record only when the update succeeds.
    expect(stored.settings.kubernetesVersion).toBe('1.32');
    const view = await api.call({ method: 'GET', path: PATH, tenant: 't1' });
    expect(view.headers.ETag).toBe('"2"');
    expect(view.body.update).toMatchObject({ status: 'RUNNING', to: { kubernetesVersion: '1.33' } });
  });

  it('dryRun assumes role B narrowed to the pre-flight reads (a session policy): it could not change anything', async () => {
    const { api } = seeded();
    customerAccount(api);
    const r = await patch(api, { nodeCount: 3 }, { query: { dryRun: 'true' } });
    expect(r.body.preflight).toMatchObject({ checked: true, ok: true });
    const assumed = sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input);
    expect(assumed).toHaveLength(1);
    const policy = JSON.parse(assumed[0]!.Policy ?? 'null') as {
      Statement: Array<{ Effect: string; Action: string[]; Resource: string }>;
    } | null;
    expect(policy?.Statement.flatMap((st) => st.Action).sort()).toEqual([...UPDATE_PREFLIGHT_ACTIONS].sort());
    expect(policy?.Statement.every((st) => st.Effect === 'Allow')).toBe(true);
  });

  it("the dry run's session policy: exactly the commands the update pre-flight sends, reads only, all within role B's policy", () => {
    // The pre-flight module's SDK commands, by the client package each is imported from.
    const source = readFileSync(new URL('../../../functions/update-cluster/preflight.ts', import.meta.url), 'utf8');
    const serviceOf = new Map<string, string>();
    for (const m of source.matchAll(/import \{([^}]*)\} from '@aws-sdk\/client-([a-z0-9-]+)'/g)) {
      for (const name of m[1]!.split(',').map((x) => x.trim().replace(/^type /, ''))) serviceOf.set(name, m[2]!);
    }
    const sent = new Set(
      [...source.matchAll(/new (\w+)Command\(/g)].map((m) => `${serviceOf.get(`${m[1]}Command`)}:${m[1]}`),
    );
    expect(sent.size).toBeGreaterThan(0);
    expect([...UPDATE_PREFLIGHT_ACTIONS].sort()).toEqual([...sent].sort());
    const granted = new Set(
      provisionRolePolicy()
        .Statement.filter((st) => st.Resource === '*' && !st.Condition)
        .flatMap((st) => st.Action.map((a) => a.toLowerCase())),
    );
    for (const action of UPDATE_PREFLIGHT_ACTIONS) {
      expect(action).toMatch(/^[a-z0-9]+:(Describe|List|Get)[A-Za-z]+$/);
      expect(granted.has(action.toLowerCase()), action).toBe(true);
    }
  });

  it('dryRun on a drifted cluster: the pre-flight diagnosis in the answer (still 200, nothing changes)', async () => {
    const { api } = seeded();
    customerAccount(api, 5);
    const r = await patch(api, { nodeCount: 3 }, { query: { dryRun: 'true' } });
    expect(r.statusCode).toBe(200);
    expect(r.body.preflight).toMatchObject({ checked: true, ok: false, diagnosis: { code: 'CLUSTER_DRIFTED' } });
    expect(r.body.preflight.diagnosis.message).toMatch(/5 desired nodes, the stack says 2/);
  });

  it('dryRun when role B cannot be assumed now: the plan, and a pre-flight that says it did not run', async () => {
    const { api } = seeded();
    sts.on(AssumeRoleCommand).rejects(
      Object.assign(new Error('down'), {
        name: 'ServiceUnavailable',
        $fault: 'server',
        $metadata: { httpStatusCode: 503 },
      }),
    );
    const r = await patch(api, { nodeCount: 3 }, { query: { dryRun: 'true' } });
    expect(r.statusCode).toBe(200);
    expect(r.body.plan.steps).toHaveLength(1);
    expect(r.body.preflight.checked === false || r.body.preflight.ok === false).toBe(true);
  });

  it('a patch that changes nothing is 200 with no execution', async () => {
    const { api } = seeded();
    const r = await patch(api, { nodeCount: 2 });
    expect(r.statusCode).toBe(200);
    expect(r.body).toMatchObject({ changed: false, version: 1 });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('a fixed setting is a 400 field error and nothing starts', async () => {
    const { api } = seeded();
    const r = await patch(api, { name: 'renamed', nodeCount: 3 });
    expect(r.statusCode).toBe(400);
    expect(r.body.error.fields).toEqual([{ path: 'name', message: expect.stringMatching(/cannot change in place/) }]);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('If-Match with a stale version is 412 and changes nothing', async () => {
    const { api } = seeded({ version: 3 });
    const r = await patch(api, { nodeCount: 3 }, { headers: { 'If-Match': '"2"' } });
    expect(r.statusCode).toBe(412);
    expect(r.body.error.code).toBe('PRECONDITION_FAILED');
    expect(r.body.error.message).toMatch(/version 3, not 2/);
    expect(api.store.clusters.get(`t1|${ID}`)!.update).toBeUndefined();
    expect((await patch(api, { nodeCount: 3 }, { headers: { 'If-Match': 'soon' } })).statusCode).toBe(400);
  });

  it('a cluster being created, deleted or already updating is 409 CLUSTER_BUSY', async () => {
    for (const over of [
      { status: 'CREATING' as const },
      { status: 'DELETING' as const },
      {
        update: {
          status: 'RUNNING' as const,
          phase: 'Upgrading the control plane',
          from: {},
          to: {},
          startedAt: 'x',
          resources: { done: 0, total: 0 },
          executionArn: 'arn',
        },
      },
    ]) {
      const { api } = seeded(over);
      const r = await patch(api, { nodeCount: 3 });
      expect(r.statusCode).toBe(409);
      expect(r.body.error.code).toBe('CLUSTER_BUSY');
    }
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('a failed update (rolled back, stack stable) can be retried', async () => {
    const { api } = seeded({
      update: {
        status: 'FAILED',
        phase: 'Rolled back',
        from: {},
        to: {},
        startedAt: 'x',
        resources: { done: 0, total: 0 },
        executionArn: 'arn',
      },
    });
    expect((await patch(api, { nodeCount: 3 })).statusCode).toBe(202);
  });

  it('Idempotency-Key replays the first answer; the same key with another change is 422', async () => {
    const { api } = seeded();
    const first = await patch(api, { nodeCount: 3 }, { headers: { 'Idempotency-Key': 'k1' } });
    const again = await patch(api, { nodeCount: 3 }, { headers: { 'Idempotency-Key': 'k1' } });
    expect(again.statusCode).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(again.headers['Idempotent-Replayed']).toBe('true');
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
    expect((await patch(api, { nodeCount: 4 }, { headers: { 'Idempotency-Key': 'k1' } })).statusCode).toBe(422);
  });

  it('two racing changes from the same version: one starts, the other is 412', async () => {
    const { api } = seeded();
    const [a, b] = await Promise.all([patch(api, { nodeCount: 3 }), patch(api, { nodeCount: 4 })]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([202, 412]);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });

  it('when Step Functions cannot start the run: 503, the record says nothing was changed', async () => {
    const { api } = seeded();
    sfn.on(StartExecutionCommand).rejects(
      Object.assign(new Error('down'), {
        name: 'ServiceUnavailable',
        $fault: 'server',
        $metadata: { httpStatusCode: 503 },
      }),
    );
    const r = await patch(api, { nodeCount: 3 });
    expect(r.statusCode).toBe(503);
    expect(api.store.clusters.get(`t1|${ID}`)!.update).toMatchObject({
      status: 'FAILED',
      phase: expect.stringMatching(/nothing was changed/),
    });
  });

  it('DELETE while an update runs is 409 CLUSTER_BUSY', async () => {
    const { api } = seeded();
    expect((await patch(api, { nodeCount: 3 })).statusCode).toBe(202);
    const r = await api.call({ method: 'DELETE', path: PATH, tenant: 't1' });
    expect(r.statusCode).toBe(409);
    expect(r.body.error.message).toMatch(/being updated/);
  });

  it("another tenant's cluster is 404", async () => {
    const { api } = seeded();
    const r = await api.call({ method: 'PATCH', path: PATH, tenant: 't2', body: { nodeCount: 3 } });
    expect(r.statusCode).toBe(404);
  });
});
