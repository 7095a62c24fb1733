/**
 * The real statemachine/update-cluster.asl.json on aws-local-stepfunctions. Lambda tasks run the
 * update steps' real cores (and the reused AssumeProvisionRole / FinalizeCluster) through the real
 * middleware with a Lambda-like JSON boundary; AWS is mocked per call (aws-sdk-client-mock), the store
 * is dynalite. ConfigureCluster is the one stand-in (it talks to a Kubernetes API; its own tests cover
 * it): it answers DONE. Waits take 0 ms; each poll advances a virtual clock by the chosen wait.
 */
import { readFileSync } from 'node:fs';
import {
  CreateChangeSetCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  type StackEvent,
} from '@aws-sdk/client-cloudformation';
import { DescribeRegionsCommand, DescribeSubnetsCommand } from '@aws-sdk/client-ec2';
import {
  DescribeAddonVersionsCommand,
  DescribeClusterCommand,
  DescribeInsightCommand,
  DescribeNodegroupCommand,
  ListAccessEntriesCommand,
  ListInsightsCommand,
} from '@aws-sdk/client-eks';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { StateMachine } from 'aws-local-stepfunctions';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { assumeProvisionRole } from '../../functions/assume-provision-role/assume-provision-role.js';
import { finalizeCluster } from '../../functions/finalize-cluster/finalize-cluster.js';
import { cloudFormationClient, ec2Client, eksClient } from '../../functions/lib/aws/clients.js';
import { roleBSession } from '../../functions/lib/aws/tenant-role.js';
import { parseClusterSettings } from '../../functions/lib/schema/cluster-settings.js';
import type { ClusterRecord } from '../../functions/lib/store/types.js';
import { applyClusterPatch } from '../../functions/lib/update/patch.js';
import type { UpdateRun } from '../../functions/lib/update/run.js';
import { executeChangeSet, prepareChangeSet } from '../../functions/update-cluster/change-set.js';
import { completeUpdateFailed, completeUpdateSucceeded } from '../../functions/update-cluster/complete.js';
import { pollStackUpdate } from '../../functions/update-cluster/poll.js';
import { updatePreflight } from '../../functions/update-cluster/preflight.js';
import { prepareUpdate } from '../../functions/update-cluster/prepare.js';
import { clusterRecord } from '../support/cluster-record.js';
import { asCorrectRoleB } from '../unit/aws/fixtures.js';
import { Harness, lambdaTask, ROLE_B_CREDENTIALS, runToEnd, SERVICE_ACCOUNT, workflowDefinition } from './harness.js';

const h = new Harness();
beforeAll(() => h.start(), 60_000);
afterAll(() => h.stop());
beforeEach(() => h.reset());

const ASL = new URL('../../statemachine/update-cluster.asl.json', import.meta.url);
const ID = 'c-upd-1';
const EXECUTION = `arn:aws:states:us-east-1:${SERVICE_ACCOUNT}:execution:eks-provisioner-update-cluster:${ID}-update-2`;
const STACK = 'eks-provisioner-demo';
const STACK_ID = `arn:aws:cloudformation:us-east-1:222222222222:stack/${STACK}/0a1b2c3d-0000-4000-8000-000000000001`;
const ROLE_B = 'arn:aws:iam::222222222222:role/eks-provisioner-provision';
const opts = { roleNamePrefix: 'eks-provisioner-' };

const definition = () =>
  workflowDefinition(ASL, h.table, ['AssumeProvisionRole', 'UpdateCluster', 'ConfigureCluster', 'FinalizeCluster']);

const settings = () => {
  const r = parseClusterSettings(
    {
      name: 'demo',
      region: 'us-east-1',
      provisionRoleArn: ROLE_B,
      serviceRoleArn: 'arn:aws:iam::222222222222:role/eks-cluster-role',
      kubernetesVersion: '1.32',
      vpcId: 'vpc-0a1b2c3d4e5f60718',
      subnetIds: ['subnet-0a1b2c3d4e5f60711', 'subnet-0a1b2c3d4e5f60712'],
      instanceType: 'm5.large',
      nodeCount: 2,
    },
    opts,
  );
  if (!r.ok) throw new Error('settings');
  return r.settings;
};

/** A CREATED cluster whose update the API has just started (record version 2, update RUNNING). */
async function seed(patch: Record<string, unknown>, force = false) {
  const before = settings();
  const p = applyClusterPatch(before, '1.32', patch, opts);
  if (!p.ok) throw new Error('patch');
  const at = new Date(Date.UTC(2026, 0, 1, 11)).toISOString();
  const record: ClusterRecord = clusterRecord(ID, at, {
    status: 'CREATED',
    phase: 'Cluster ready',
    settings: before,
    stackId: STACK_ID,
  });
  await h.store.createCluster(record);
  await h.store.updateCluster('local', ID, {
    status: 'CREATED',
    outputs: { kubernetesVersion: '1.32' } as ClusterRecord['outputs'],
    version: 2,
    update: {
      status: 'RUNNING',
      phase: 'Queued',
      from: Object.fromEntries(p.changes.map((c) => [c.field, c.from])),
      to: Object.fromEntries(p.changes.map((c) => [c.field, c.to])),
      startedAt: at,
      resources: { done: 0, total: 0 },
      executionArn: EXECUTION,
    },
  });
  return { tenantId: 'local', clusterId: ID, version: 2, settings: p.settings, changes: p.changes, force };
}

const ev = (id: string, logical: string, type: string, status: string, t: number, reason?: string): StackEvent => ({
  EventId: id,
  StackId: STACK_ID,
  StackName: STACK,
  LogicalResourceId: logical,
  PhysicalResourceId: logical === STACK ? STACK_ID : logical === 'Nodegroup' ? 'demo/Nodegroup-abc' : `${logical}-phys`,
  ResourceType: type,
  Timestamp: new Date(t),
  ResourceStatus: status as StackEvent['ResourceStatus'],
  ...(reason ? { ResourceStatusReason: reason } : {}),
});
const S = 'AWS::CloudFormation::Stack';

interface Scenario {
  patch: Record<string, unknown>;
  force?: boolean;
  insight?: 'ERROR' | 'PASSING';
  liveDesired?: number;
  freeIps?: number;
  changeSetDenied?: boolean;
  /** How the stack update ends ('pdb' / 'rollbackFailed': the node stage's). */
  ends?: 'complete' | 'pdb' | 'rollbackFailed';
  /** What the cluster runs before the update (default 1.32 everywhere, and a stack without NodegroupVersion). */
  live?: { controlPlane: string; nodes: string };
}

async function run(s: Scenario) {
  const config = { roleNamePrefix: 'eks-provisioner-' };
  const store = h.store;
  const input = await seed(s.patch, s.force);
  const t0 = Date.UTC(2026, 0, 1, 12, 0, 0);
  let virtualNow = t0;
  const now = () => new Date(virtualNow);
  const captured: Array<{ DetailType: string; Detail: Record<string, unknown> }> = [];
  const calls: Record<string, number> = {};
  const count = (k: string) => (calls[k] = (calls[k] ?? 0) + 1);
  // A stack made before NodegroupVersion existed (the change set brings the current template).
  let stackParams: Record<string, string> = {
    KubernetesVersion: s.live?.controlPlane ?? '1.32',
    NodeCount: '2',
    AdminPrincipalArn1: '',
    ...(s.live ? { NodegroupVersion: s.live.nodes } : {}),
  };
  let liveVersion = s.live?.controlPlane ?? '1.32';
  let liveNodeVersion = s.live?.nodes ?? '1.32';
  const sentParamsByChangeSet: Array<{ name: string; params: Record<string, string> }> = [];

  h.sts.on(AssumeRoleCommand).callsFake(
    asCorrectRoleB(async () => [(await store.getTenant('local'))?.externalId ?? ''], {
      Credentials: { ...ROLE_B_CREDENTIALS, Expiration: new Date(Date.now() + 3600_000) },
      AssumedRoleUser: {
        Arn: `arn:aws:sts::222222222222:assumed-role/eks-provisioner-provision/eks-provisioner-${ID}`,
        AssumedRoleId: 'AROAEXAMPLE:x',
      },
    }),
  );
  h.ec2
    .on(DescribeRegionsCommand)
    .resolves({ Regions: [{ RegionName: 'us-east-1', OptInStatus: 'opt-in-not-required' }] });
  h.ec2.on(DescribeSubnetsCommand).resolves({
    Subnets: [
      { SubnetId: 'subnet-0a1b2c3d4e5f60711', AvailableIpAddressCount: s.freeIps ?? 200 },
      { SubnetId: 'subnet-0a1b2c3d4e5f60712', AvailableIpAddressCount: 0 },
    ],
  });
  h.eks.on(DescribeClusterCommand).callsFake(() => ({
    cluster: {
      name: 'demo',
      arn: 'arn:aws:eks:us-east-1:222222222222:cluster/demo',
      version: liveVersion,
      endpoint: 'https://demo.eks.example',
      certificateAuthority: { data: 'Q0E=' },
      resourcesVpcConfig: { subnetIds: ['subnet-0a1b2c3d4e5f60711', 'subnet-0a1b2c3d4e5f60712'] },
    },
  }));
  h.eks.on(DescribeNodegroupCommand).callsFake(() => ({
    nodegroup: {
      nodegroupName: 'Nodegroup-abc',
      version: liveNodeVersion,
      status: 'ACTIVE',
      scalingConfig: { desiredSize: s.liveDesired ?? Number(stackParams.NodeCount) },
      nodeRole: 'arn:aws:iam::222222222222:role/eks-provisioner/node',
    },
  }));
  h.eks.on(ListAccessEntriesCommand).resolves({ accessEntries: [ROLE_B] });
  h.eks.on(DescribeAddonVersionsCommand).callsFake((i: { addonName: string; kubernetesVersion: string }) => ({
    addons: [
      {
        addonName: i.addonName,
        addonVersions: [
          {
            addonVersion: `v1.0.0-eksbuild.1`,
            compatibilities: [{ clusterVersion: i.kubernetesVersion, defaultVersion: false }],
          },
          {
            addonVersion: `v1.1.0-${i.kubernetesVersion}-eksbuild.2`,
            compatibilities: [{ clusterVersion: i.kubernetesVersion, defaultVersion: true }],
          },
        ],
      },
    ],
  }));
  h.eks.on(ListInsightsCommand).resolves({
    insights: [
      {
        id: 'ins-1',
        name: 'Deprecated APIs removed in Kubernetes v1.33',
        category: 'UPGRADE_READINESS',
        insightStatus: {
          status: s.insight ?? 'PASSING',
          reason: 'Deprecated API usage detected within last 30 days',
        },
      },
    ],
  });
  h.eks.on(DescribeInsightCommand).resolves({
    insight: {
      id: 'ins-1',
      insightStatus: { status: 'ERROR', reason: 'Deprecated API usage detected within last 30 days' },
      categorySpecificSummary: {
        deprecationDetails: [
          {
            usage: '/apis/flowcontrol.apiserver.k8s.io/v1beta3/flowschemas',
            replacedWith: '/apis/flowcontrol.apiserver.k8s.io/v1/flowschemas',
            clientStats: [{ userAgent: 'legacy-operator' }],
          },
        ],
      },
    },
  });
  // Each executed change set is one stack update: what it changes decides its events (a control-plane
  // stage, a node stage, or the rest), timed from its own execution.
  type Kind = 'controlPlane' | 'nodes' | 'other';
  const execs: Array<{ t: number; kind: Kind; params: Record<string, string> }> = [];
  let created: { kind: Kind; params: Record<string, string> } | undefined;
  const kindOf = (sent: Record<string, string>): Kind =>
    sent.KubernetesVersion !== stackParams.KubernetesVersion
      ? 'controlPlane'
      : sent.NodegroupVersion !== (stackParams.NodegroupVersion || stackParams.KubernetesVersion)
        ? 'nodes'
        : 'other';
  const failsHere = (kind: Kind) => (s.ends === 'pdb' || s.ends === 'rollbackFailed') && kind !== 'controlPlane';
  const stackStatus = () => {
    const last = execs.at(-1);
    if (!last) return 'UPDATE_COMPLETE';
    if (virtualNow - last.t < 300_000) return 'UPDATE_IN_PROGRESS';
    if (failsHere(last.kind)) return s.ends === 'pdb' ? 'UPDATE_ROLLBACK_COMPLETE' : 'UPDATE_ROLLBACK_FAILED';
    return 'UPDATE_COMPLETE';
  };
  h.cfn.on(DescribeStacksCommand).callsFake(() => ({
    Stacks: [
      {
        StackId: STACK_ID,
        StackName: STACK,
        StackStatus: stackStatus(),
        CreationTime: new Date(t0 - 3600_000),
        Parameters: Object.entries(stackParams).map(([ParameterKey, ParameterValue]) => ({
          ParameterKey,
          ParameterValue,
        })),
        Outputs: [
          { OutputKey: 'EksClusterName', OutputValue: 'demo' },
          { OutputKey: 'NodegroupName', OutputValue: 'Nodegroup-abc' },
        ],
      },
    ],
  }));
  h.cfn
    .on(CreateChangeSetCommand)
    .callsFake((i: { ChangeSetName: string; Parameters: Array<{ ParameterKey: string; ParameterValue: string }> }) => {
      count('CreateChangeSet');
      if (s.changeSetDenied) {
        throw Object.assign(
          new Error(
            `User: arn:aws:sts::222222222222:assumed-role/eks-provisioner-provision/x is not authorized to perform: cloudformation:CreateChangeSet on resource: ${STACK_ID}`,
          ),
          { name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 } },
        );
      }
      const sent = Object.fromEntries(i.Parameters.map((p) => [p.ParameterKey, p.ParameterValue]));
      sentParamsByChangeSet.push({ name: i.ChangeSetName, params: sent });
      (calls as Record<string, unknown>).sentParams = sent;
      created = { kind: kindOf(sent), params: sent };
      describes = 0;
      return { Id: `arn:aws:cloudformation:us-east-1:222222222222:changeSet/${i.ChangeSetName}/1`, StackId: STACK_ID };
    });
  let describes = 0;
  h.cfn.on(DescribeChangeSetCommand).callsFake((i: { ChangeSetName: string }) => ({
    ChangeSetId: `arn:aws:cloudformation:us-east-1:222222222222:changeSet/${i.ChangeSetName}/1`,
    Status: ++describes < 2 ? 'CREATE_IN_PROGRESS' : 'CREATE_COMPLETE',
    Changes: [
      ...(created?.kind === 'controlPlane'
        ? [
            {
              Type: 'Resource' as const,
              ResourceChange: {
                Action: 'Modify' as const,
                LogicalResourceId: 'Cluster',
                ResourceType: 'AWS::EKS::Cluster',
                Replacement: 'False' as const,
              },
            },
          ]
        : []),
      ...(created?.kind !== 'controlPlane'
        ? [
            {
              Type: 'Resource' as const,
              ResourceChange: {
                Action: 'Modify' as const,
                LogicalResourceId: 'Nodegroup',
                ResourceType: 'AWS::EKS::Nodegroup',
                Replacement: 'False' as const,
              },
            },
          ]
        : []),
    ],
  }));
  h.cfn.on(ExecuteChangeSetCommand).callsFake(() => {
    count('ExecuteChangeSet');
    execs.push({ t: virtualNow, kind: created!.kind, params: created!.params });
    return {};
  });
  const stageEvents = (x: { t: number; kind: Kind }, n: number): StackEvent[] => {
    const at = (dt: number) => x.t + dt;
    const id = (k: string) => `s${n}-${k}`;
    const out = [ev(id('u0'), STACK, S, 'UPDATE_IN_PROGRESS', at(0), 'User Initiated')];
    if (x.kind === 'controlPlane') {
      out.push(
        ev(id('u1'), 'Cluster', 'AWS::EKS::Cluster', 'UPDATE_IN_PROGRESS', at(1000)),
        ev(id('u2'), 'Cluster', 'AWS::EKS::Cluster', 'UPDATE_COMPLETE', at(120_000)),
        ev(id('u9'), STACK, S, 'UPDATE_COMPLETE', at(290_000)),
      );
      return out;
    }
    out.push(ev(id('u3'), 'Nodegroup', 'AWS::EKS::Nodegroup', 'UPDATE_IN_PROGRESS', at(1000)));
    if (failsHere(x.kind)) {
      out.push(
        ev(
          id('u4'),
          'Nodegroup',
          'AWS::EKS::Nodegroup',
          'UPDATE_FAILED',
          at(280_000),
          'Resource handler returned message: "[ErrorCode: PodEvictionFailure] Reached max retries while trying to evict pods from nodes in node group Nodegroup-abc: PodDisruptionBudget shop/checkout-pdb allows no disruption"',
        ),
        ev(
          id('u5'),
          STACK,
          S,
          'UPDATE_ROLLBACK_IN_PROGRESS',
          at(281_000),
          'The following resource(s) failed to update: [Nodegroup].',
        ),
        ev(
          id('u6'),
          'VpcCniAddon',
          'AWS::EKS::Addon',
          s.ends === 'rollbackFailed' ? 'UPDATE_FAILED' : 'UPDATE_COMPLETE',
          at(290_000),
          s.ends === 'rollbackFailed'
            ? 'Resource handler returned message: "Addon version v1.0.0-eksbuild.1 is older than the installed one"'
            : undefined,
        ),
      );
    } else {
      out.push(
        ev(id('u4'), 'Nodegroup', 'AWS::EKS::Nodegroup', 'UPDATE_COMPLETE', at(280_000)),
        ev(id('u9'), STACK, S, 'UPDATE_COMPLETE', at(290_000)),
      );
    }
    return out;
  };
  const events = (): StackEvent[] =>
    execs
      .flatMap((x, n) => stageEvents(x, n))
      .filter((e) => e.Timestamp!.getTime() <= virtualNow)
      .reverse();
  h.cfn.on(DescribeStackEventsCommand).callsFake(() => ({ StackEvents: events() }));

  const session = async (st: UpdateRun) => (await roleBSession(st, { store, config })).session;
  const step = (fn: (st: UpdateRun & { error?: never }) => Promise<unknown>) =>
    lambdaTask((e) => fn((e as { state: UpdateRun & { error?: never } }).state));
  const core: Record<string, (input: unknown) => Promise<unknown>> = {
    PrepareUpdate: lambdaTask((e) => {
      const x = e as { state: typeof input; executionArn: string; startedAt: string };
      return prepareUpdate({ ...x.state, executionArn: x.executionArn, startedAt: x.startedAt }, { store });
    }),
    AssumeProvisionRole: lambdaTask((e) => assumeProvisionRole(e as never, { store, config })),
    UpdatePreflight: step(async (st) => {
      const ss = await session(st);
      return updatePreflight(st, { eks: eksClient(ss), ec2: ec2Client(ss), cloudformation: cloudFormationClient(ss) });
    }),
    CreateChangeSet: step(async (st) => {
      const ss = await session(st);
      return prepareChangeSet(st, { cloudformation: cloudFormationClient(ss), eks: eksClient(ss) });
    }),
    ExecuteChangeSet: step(async (st) => {
      const r = await executeChangeSet(st, { cloudformation: cloudFormationClient(await session(st)), now });
      stackParams = { ...stackParams, ...((calls as Record<string, unknown>).sentParams as Record<string, string>) };
      return r;
    }),
    PollStackUpdate: step(async (st) => {
      virtualNow += (st.poll?.nextWaitSeconds ?? 0) * 1000;
      count('polls');
      const last = execs.at(-1)!;
      if (last.kind === 'controlPlane' && virtualNow - last.t >= 120_000) liveVersion = last.params.KubernetesVersion!;
      if (last.kind === 'nodes' && virtualNow - last.t >= 280_000 && !failsHere('nodes'))
        liveNodeVersion = last.params.NodegroupVersion!;
      return pollStackUpdate(st, {
        cloudformation: cloudFormationClient(await session(st)),
        now,
        maxProvisioningSeconds: 3600,
      });
    }),
    // Stand-in for the reused Kubernetes step (covered by its own tests): the nodes are Ready.
    ConfigureCluster: async () => ({
      outcome: 'DONE',
      attempts: 1,
      elapsedSeconds: 0,
      nextWaitSeconds: 0,
      nodes: { ready: 2, registered: 2, expected: 2 },
    }),
    FinalizeCluster: lambdaTask(async (e) => {
      const ss = await session(e as UpdateRun);
      return finalizeCluster(e as never, { cloudformation: cloudFormationClient(ss), eks: eksClient(ss), now });
    }),
    RecordUpdateSucceeded: step((st) => completeUpdateSucceeded(st as never, { store, now })),
    RecordUpdateFailed: lambdaTask((e) => {
      const st = (e as { state: UpdateRun }).state;
      return completeUpdateFailed(st, {
        store,
        now,
        cloudformation: async () => cloudFormationClient(await session(st)),
      });
    }),
    NotifyUpdateStarted: async (p) => capture(p),
    NotifyUpdateSucceeded: async (p) => capture(p),
    NotifyUpdateFailed: async (p) => capture(p),
  };
  const capture = (p: unknown) => {
    for (const e of (p as { Entries: Array<{ DetailType: string; Detail: unknown }> }).Entries)
      captured.push({
        DetailType: e.DetailType,
        Detail: (typeof e.Detail === 'string' ? JSON.parse(e.Detail) : e.Detail) as Record<string, unknown>,
      });
    return { Entries: [{ EventId: 'x' }], FailedEntryCount: 0 };
  };
  const def = definition() as { States: Record<string, { Type: string }> };
  for (const [name, st] of Object.entries(def.States))
    if (st.Type === 'Task' && !core[name]) throw new Error(`no local handler for Task ${name}`);
  const machine = new StateMachine(def as never, { validationOptions: { checkArn: false } });
  const execution = machine.run(input as never, {
    overrides: {
      taskResourceLocalHandlers: core as never,
      waitTimeOverrides: { WaitForUpdate: 0, WaitForChangeSet: 0, WaitForNodes: 0 },
      retryIntervalOverrides: Object.fromEntries(Object.keys(core).map((k) => [k, 0])),
    },
    context: {
      Execution: { Id: EXECUTION, Name: `${ID}-update-2`, StartTime: new Date(t0 - 2000).toISOString() },
      State: Object.defineProperty({}, 'EnteredTime', { enumerable: true, get: () => new Date().toISOString() }),
    } as never,
  });
  const { log, error } = await runToEnd(execution);
  const record = await store.getCluster('local', ID);
  const entered = log.filter((e) => e.type === 'StateEntered').map((e) => (e.state as { name: string }).name);
  return {
    error,
    record,
    captured,
    calls,
    entered,
    sentParams: (calls as Record<string, unknown>).sentParams as Record<string, string> | undefined,
    changeSets: sentParamsByChangeSet,
  };
}

describe('update-cluster state machine', () => {
  it('is valid for asl-validator and every Task has Retry and a Catch', async () => {
    const { createRequire } = await import('node:module');
    const validator = createRequire(import.meta.url)('asl-validator') as (d: unknown) => {
      isValid: boolean;
      errors: unknown[];
    };
    expect(validator(definition()).errors).toEqual([]);
    const def = JSON.parse(readFileSync(ASL, 'utf8')) as { States: Record<string, Record<string, unknown>> };
    for (const [name, s] of Object.entries(def.States)) {
      if (s.Type !== 'Task') continue;
      expect((s.Retry as unknown[]).length, name).toBeGreaterThan(0);
      expect(
        (s.Catch as Array<{ ErrorEquals: string[] }>).some((c) => c.ErrorEquals.includes('States.ALL')),
        name,
      ).toBe(true);
    }
  });

  it('1.32 → 1.33 in two stages (control plane, then nodes + add-ons): CREATED with the new version, Started and Succeeded events', async () => {
    const r = await run({ patch: { kubernetesVersion: '1.33' }, ends: 'complete' });
    expect(r.error).toBeUndefined();
    expect(r.entered).toEqual(
      expect.arrayContaining([
        'PrepareUpdate',
        'UpdatePreflight',
        'StartStages',
        'CreateChangeSet',
        'WaitForChangeSet',
        'ExecuteChangeSet',
        'PollStackUpdate',
        'NextStage',
        'HasMoreStages',
        'FinalizeCluster',
        'RecordUpdateSucceeded',
      ]),
    );
    // Stage 1 moves the control plane only: the nodes and add-ons keep what the stack has (a stack from
    // before NodegroupVersion existed: its nodes ran the control plane's version, its add-ons EKS's default).
    expect(r.changeSets.map((c) => c.name)).toEqual([
      'eks-provisioner-update-2-control-plane',
      'eks-provisioner-update-2-nodes',
    ]);
    expect(r.changeSets[0]!.params).toMatchObject({
      KubernetesVersion: '1.33',
      NodegroupVersion: '1.32',
      NodeCount: '2',
      UpgradePolicy: 'STANDARD',
      CoreDnsAddonVersion: '',
      VpcCniAddonVersion: '',
    });
    // Stage 2: the nodes and each add-on to EKS's default version for 1.33.
    expect(r.changeSets[1]!.params).toMatchObject({
      KubernetesVersion: '1.33',
      NodegroupVersion: '1.33',
      NodeCount: '2',
    });
    expect(r.changeSets[1]!.params).toMatchObject({
      CoreDnsAddonVersion: 'v1.1.0-1.33-eksbuild.2',
      VpcCniAddonVersion: 'v1.1.0-1.33-eksbuild.2',
      EbsCsiDriverAddonVersion: 'v1.1.0-1.33-eksbuild.2',
    });
    expect(r.calls.ExecuteChangeSet).toBe(2);
    // Adaptive: 60 s looks while the control plane upgrades, not a fixed short interval.
    expect(r.calls.polls).toBeLessThan(20);
    expect(r.record).toMatchObject({
      status: 'CREATED',
      version: 2,
      settings: { kubernetesVersion: '1.33' },
      outputs: { kubernetesVersion: '1.33' },
      update: { status: 'SUCCEEDED', from: { kubernetesVersion: '1.32' }, to: { kubernetesVersion: '1.33' } },
    });
    expect(r.record?.update?.stages?.map((x) => `${x.name} ${x.status}`)).toEqual([
      'control-plane SUCCEEDED',
      'nodes SUCCEEDED',
    ]);
    expect(r.captured.map((e) => e.DetailType)).toEqual(['EKS Cluster Update Started', 'EKS Cluster Update Succeeded']);
    expect(r.captured[1]!.Detail).toMatchObject({
      clusterId: ID,
      status: 'UPDATED',
      from: { kubernetesVersion: '1.32' },
      to: { kubernetesVersion: '1.33' },
    });
    expect(JSON.stringify(r.captured)).not.toMatch(/ASIA|SecretAccessKey|SessionToken/);
    // The samples in events/ have the shape the machine sends.
    for (const [i, kind] of [
      [0, 'started'],
      [1, 'succeeded'],
    ] as const) {
      const sample = JSON.parse(
        readFileSync(new URL(`../../events/eventbridge-update-${kind}.json`, import.meta.url), 'utf8'),
      ) as { 'detail-type': string; detail: Record<string, unknown> };
      expect(sample['detail-type']).toBe(r.captured[i]!.DetailType);
      expect(Object.keys(sample.detail).sort()).toEqual(Object.keys(r.captured[i]!.Detail).sort());
    }
  });

  it('node count: one stage, the change set carries NodeCount and the record the new count', async () => {
    const r = await run({ patch: { nodeCount: 3 }, ends: 'complete' });
    expect(r.error).toBeUndefined();
    expect(r.changeSets.map((c) => c.name)).toEqual(['eks-provisioner-update-2']);
    expect(r.sentParams).toMatchObject({ NodeCount: '3', KubernetesVersion: '1.32', NodegroupVersion: '1.32' });
    // No version change: the add-ons keep what the stack has ('' = EKS's default at creation).
    expect(r.sentParams).toMatchObject({ CoreDnsAddonVersion: '', VpcCniAddonVersion: '' });
    expect(r.record).toMatchObject({ settings: { nodeCount: 3 }, update: { status: 'SUCCEEDED' } });
  });

  it('an ERROR upgrade insight refuses the upgrade with its details; nothing changes', async () => {
    const r = await run({ patch: { kubernetesVersion: '1.33' }, insight: 'ERROR' });
    expect(r.error?.name).toBe('UPDATE_FAILED');
    expect(r.calls.CreateChangeSet).toBeUndefined();
    expect(r.record?.settings.kubernetesVersion).toBe('1.32');
    expect(r.record?.update).toMatchObject({ status: 'FAILED', diagnosis: { code: 'UPGRADE_BLOCKED_BY_INSIGHT' } });
    expect(r.record?.update?.diagnosis?.message).toMatch(/flowschemas.*legacy-operator/);
    expect(r.captured.map((e) => e.DetailType)).toEqual(['EKS Cluster Update Started', 'EKS Cluster Update Failed']);
    const failedSample = JSON.parse(
      readFileSync(new URL('../../events/eventbridge-update-failed.json', import.meta.url), 'utf8'),
    ) as { detail: Record<string, unknown> };
    expect(Object.keys(failedSample.detail).sort()).toEqual(Object.keys(r.captured[1]!.Detail).sort());
  });

  it('force goes past an ERROR insight', async () => {
    const r = await run({ patch: { kubernetesVersion: '1.33' }, insight: 'ERROR', force: true, ends: 'complete' });
    expect(r.error).toBeUndefined();
    expect(r.record?.update?.status).toBe('SUCCEEDED');
  });

  it('a drifted cluster (node group resized outside the stack) is refused with what differs', async () => {
    const r = await run({ patch: { nodeCount: 3 }, liveDesired: 5 });
    expect(r.calls.CreateChangeSet).toBeUndefined();
    expect(r.record?.update?.diagnosis).toMatchObject({ code: 'CLUSTER_DRIFTED' });
    expect(r.record?.update?.diagnosis?.message).toMatch(/5 desired nodes, the stack says 2/);
  });

  it('too few free IPs and an ERROR insight: both in one report', async () => {
    const r = await run({ patch: { kubernetesVersion: '1.33' }, insight: 'ERROR', freeIps: 2 });
    expect(r.record?.update?.diagnosis?.problems?.map((p) => p.code).sort()).toEqual([
      'SUBNET_IPS_EXHAUSTED',
      'UPGRADE_BLOCKED_BY_INSIGHT',
    ]);
    expect(r.record?.update?.diagnosis?.title).toBe('2 problems found before changing anything');
  });

  it('a PodDisruptionBudget that blocks eviction: the node stage rolled back, the control plane stays on 1.33, the diagnosis names the PDB and namespace', async () => {
    const r = await run({ patch: { kubernetesVersion: '1.33' }, ends: 'pdb' });
    expect(r.error?.name).toBe('UPDATE_FAILED');
    expect(r.record?.status).toBe('CREATED');
    // The settings keep the old version: the same PATCH again is a change, not a no-op.
    expect(r.record?.settings.kubernetesVersion).toBe('1.32');
    expect(r.record?.update?.stages?.map((x) => `${x.name} ${x.status}`)).toEqual([
      'control-plane SUCCEEDED',
      'nodes FAILED',
    ]);
    expect(r.record?.update?.versions).toEqual({ controlPlane: '1.33', nodegroup: '1.32' });
    const d = r.record?.update?.diagnosis;
    expect(d).toMatchObject({ code: 'NODEGROUP_UPDATE_BLOCKED_BY_PDB', failedResource: { logicalId: 'Nodegroup' } });
    expect(d?.message).toMatch(/checkout-pdb in namespace shop/);
    expect(d?.message).toMatch(/control plane runs Kubernetes 1\.33 and the nodes 1\.32, a skew Kubernetes supports/);
    expect(d?.remediation.join(' ')).toMatch(/kubectl get pdb checkout-pdb -n shop -o yaml/);
    expect(d?.remediation.at(-1)).toMatch(/same change again/);
    expect(r.captured.map((e) => e.DetailType)).toEqual(['EKS Cluster Update Started', 'EKS Cluster Update Failed']);
  });

  it('the control plane already on 1.33 (an earlier node stage rolled back): the node stage only, no upgrade insights asked', async () => {
    const r = await run({
      patch: { kubernetesVersion: '1.33' },
      live: { controlPlane: '1.33', nodes: '1.32' },
      insight: 'ERROR',
      ends: 'complete',
    });
    expect(r.error).toBeUndefined();
    expect(r.changeSets.map((c) => c.name)).toEqual(['eks-provisioner-update-2-nodes']);
    expect(r.changeSets[0]!.params).toMatchObject({
      KubernetesVersion: '1.33',
      NodegroupVersion: '1.33',
      CoreDnsAddonVersion: 'v1.1.0-1.33-eksbuild.2',
    });
    expect(r.record).toMatchObject({
      settings: { kubernetesVersion: '1.33' },
      update: { status: 'SUCCEEDED', stages: [{ name: 'nodes', status: 'SUCCEEDED' }] },
    });
  });

  it('a rollback that fails: the continue-update-rollback command with the resources to skip', async () => {
    const r = await run({ patch: { kubernetesVersion: '1.33' }, ends: 'rollbackFailed' });
    const d = r.record?.update?.diagnosis;
    expect(d?.code).toBe('UPDATE_ROLLBACK_FAILED');
    expect(d?.remediation.join(' ')).toMatch(
      /continue-update-rollback --stack-name eks-provisioner-demo --region us-east-1 --resources-to-skip VpcCniAddon/,
    );
    expect(d?.cause?.code).toBe('NODEGROUP_UPDATE_BLOCKED_BY_PDB');
  });

  it('role B without the update actions: UPDATE_NOT_PERMITTED with the statements to add; nothing changes', async () => {
    const r = await run({ patch: { nodeCount: 3 }, changeSetDenied: true });
    expect(r.calls.ExecuteChangeSet).toBeUndefined();
    const d = r.record?.update?.diagnosis;
    expect(d?.code).toBe('UPDATE_NOT_PERMITTED');
    expect(d?.message).toMatch(/cloudformation:CreateChangeSet/);
    expect(d?.remediation[0]).toMatch(/"Sid":"UpdateClusterStack"/);
  });

  it('a run the record is not waiting for changes nothing', async () => {
    const input = await seed({ nodeCount: 3 });
    // Another execution (started by hand, or an older change): the record waits for EXECUTION.
    await expect(
      prepareUpdate(
        { ...input, executionArn: `${EXECUTION}-other`, startedAt: new Date().toISOString() },
        { store: h.store },
      ),
    ).rejects.toThrow(/not the update the record is waiting for/);
  });
});
