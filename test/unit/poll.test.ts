import { CloudFormationClient, DescribeStackEventsCommand, StackStatus } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { runBenchmark } from '../../bench/poll-schedules.js';
import { DiagnosedError } from '../../functions/lib/errors.js';
import { resourceGraph, topologicalOrder } from '../../functions/lib/polling/dependencies.js';
import { decide, describePhase, type PlanContext, POLL_TUNING } from '../../functions/lib/polling/plan.js';
import { classifyStackStatus, STACK_STATUS_OUTCOME } from '../../functions/lib/polling/stack-status.js';
import { snapshotFromEvents } from '../../functions/lib/polling/timeline.js';
import type { ProgressUpdate } from '../../functions/lib/progress/progress.js';
import { CLUSTER_TEMPLATE } from '../../functions/lib/template/index.js';
import { expectedResources, pollClusterStack } from '../../functions/poll-cluster-stack/poll-cluster-stack.js';
import { pollStackDeletion } from '../../functions/poll-stack-deletion/poll-stack-deletion.js';
import { eventsVisibleAt, simulateStack } from '../support/simulators/stack.js';
import * as fx from './diagnose.fixtures.js';

const graph = resourceGraph(CLUSTER_TEMPLATE);

describe('stack status classification', () => {
  it('has an explicit answer for every status the SDK knows', () => {
    for (const status of Object.values(StackStatus)) expect(STACK_STATUS_OUTCOME[status], status).toBeDefined();
  });
  it.each([
    ['CREATE_IN_PROGRESS', 'IN_PROGRESS'],
    ['CREATE_COMPLETE', 'COMPLETE'],
    ['CREATE_FAILED', 'FAILED'],
    ['ROLLBACK_IN_PROGRESS', 'IN_PROGRESS'],
    ['ROLLBACK_COMPLETE', 'FAILED'],
    ['ROLLBACK_FAILED', 'FAILED'],
    ['DELETE_IN_PROGRESS', 'FAILED'],
    ['DELETE_COMPLETE', 'FAILED'],
    ['UPDATE_COMPLETE', 'COMPLETE'],
    ['UPDATE_ROLLBACK_COMPLETE', 'COMPLETE'],
    ['UPDATE_ROLLBACK_FAILED', 'FAILED'],
    ['REVIEW_IN_PROGRESS', 'IN_PROGRESS'],
    ['IMPORT_ROLLBACK_FAILED', 'FAILED'],
    ['SOME_FUTURE_IN_PROGRESS', 'IN_PROGRESS'],
    ['SOME_FUTURE_COMPLETE', 'COMPLETE'],
    ['SOMETHING_ELSE', 'FAILED'],
  ])('%s → %s', (status, outcome) => expect(classifyStackStatus(status)).toBe(outcome));
});

describe('template dependency graph', () => {
  it('orders the chain roles/cluster → add-ons → node group → coredns/EBS CSI', () => {
    const order = topologicalOrder(graph, Object.keys(graph.types));
    const at = (id: string) => order.indexOf(id);
    expect(at('Cluster')).toBeLessThan(at('VpcCniAddon'));
    expect(at('NodeRole')).toBeLessThan(at('Nodegroup'));
    expect(at('VpcCniAddon')).toBeLessThan(at('Nodegroup'));
    expect(at('Nodegroup')).toBeLessThan(at('CoreDnsAddon'));
    expect(at('EbsCsiDriverRole')).toBeLessThan(at('EbsCsiDriverAddon'));
    expect(graph.dependsOn.AdminAccessEntry1).toEqual(['Cluster']);
  });
  it('expects only the admin slots in use', () => {
    expect(expectedResources(graph, 0)).not.toContain('AdminAccessEntry1');
    expect(expectedResources(graph, 2)).toEqual(expect.arrayContaining(['AdminAccessEntry1', 'AdminAccessEntry2']));
    expect(expectedResources(graph, 2)).not.toContain('AdminAccessEntry3');
    expect(expectedResources(graph, 0)).toHaveLength(9);
  });
});

describe('poll decision', () => {
  const sim = simulateStack(42, { admins: 1 });
  const ctx = (over: Partial<PlanContext> = {}): PlanContext => ({
    graph: sim.graph,
    expected: sim.expected,
    maxProvisioningSeconds: 3600,
    createdAt: sim.createdAt,
    seed: 'test',
    ...over,
  });
  const at = (secondsAfterStart: number) => {
    const now = sim.createdAt + secondsAfterStart * 1000;
    return decide(snapshotFromEvents(eventsVisibleAt(sim, now), sim.stackName), now, ctx());
  };

  it('says in words what is happening, with progress', () => {
    const early = at(20);
    expect(early.outcome).toBe('IN_PROGRESS');
    expect(early.phase).toBe('Creating control plane');
    expect(early.progress).toMatchObject({ done: 2, total: 10, current: 'Cluster' });
    const clusterEnd = sim.events
      .find((e) => e.LogicalResourceId === 'Cluster' && e.ResourceStatus === 'CREATE_COMPLETE')!
      .Timestamp.getTime();
    expect(at((clusterEnd - sim.createdAt) / 1000 + 5).phase).toBe('Installing add-ons');
    const ngStart = sim.events.find((e) => e.LogicalResourceId === 'Nodegroup')!.Timestamp.getTime();
    expect(at((ngStart - sim.createdAt) / 1000 + 30)).toMatchObject({
      phase: 'Creating node group',
      progress: { current: 'Nodegroup' },
    });
    const done = at((sim.finishedAt - sim.createdAt) / 1000 + 1);
    expect(done).toMatchObject({
      outcome: 'COMPLETE',
      phase: 'Cluster stack created',
      progress: { done: 10, total: 10 },
      nextWaitSeconds: 0,
    });
  });

  it('sleeps long while the end is far and densely only near it', () => {
    const far = at(20).nextWaitSeconds;
    expect(far).toBeGreaterThanOrEqual(120);
    expect(far).toBeLessThanOrEqual(POLL_TUNING.maxWaitSeconds);
    const nearEnd = at((sim.finishedAt - sim.createdAt) / 1000 - 15).nextWaitSeconds;
    expect(nearEnd).toBeGreaterThanOrEqual(POLL_TUNING.minWaitSeconds);
    expect(nearEnd).toBeLessThanOrEqual(30);
  });

  it('is deterministic for the same poll', () => {
    expect(at(400)).toEqual(at(400));
  });

  it('never sleeps past the cap, and reports the timeout at the cap', () => {
    const capped = decide(
      snapshotFromEvents(eventsVisibleAt(sim, sim.createdAt + 100_000), sim.stackName),
      sim.createdAt + 100_000,
      ctx({ maxProvisioningSeconds: 110 }),
    );
    expect(capped.nextWaitSeconds).toBe(10);
    const over = decide(
      snapshotFromEvents(eventsVisibleAt(sim, sim.createdAt + 110_000), sim.stackName),
      sim.createdAt + 110_000,
      ctx({ maxProvisioningSeconds: 110 }),
    );
    expect(over.timedOut).toBe(true);
  });

  it('names the phase of a failing stack', () => {
    expect(describePhase(snapshotFromEvents(fx.rollbackFailed, fx.STACK_NAME), []).phase).toBe('Rollback failed');
    expect(describePhase(snapshotFromEvents(fx.clusterRoleMissingPolicy, fx.STACK_NAME), []).phase).toBe(
      'Stack creation failed',
    );
  });
});

describe('PollClusterStack', () => {
  const cfn = new CloudFormationClient({ region: 'us-east-1' });
  const input = {
    tenantId: 't-1',
    clusterId: 'c-1',
    cluster: { adminPrincipalArns: [] },
    accountId: '222222222222',
    region: 'us-east-1',
    stackName: fx.STACK_NAME,
    executionArn: 'arn:x',
    startedAt: '2026-11-29T10:00:00Z',
    stack: { stackId: fx.STACK_ID, stackName: fx.STACK_NAME, createdAt: '2026-11-29T10:00:00.000Z', adopted: false },
    poll: { polls: 3 },
  } as never;

  it('one DescribeStackEvents per poll when the first page reaches the stack start', async () => {
    const mock = mockClient(cfn);
    mock.on(DescribeStackEventsCommand).resolves({ StackEvents: fx.nodeCreationFailure, NextToken: 'more' });
    const reports: ProgressUpdate[] = [];
    const out = await pollClusterStack(input, {
      cloudformation: cfn,
      now: () => new Date('2026-11-29T10:30:00Z'),
      maxProvisioningSeconds: 3600,
      progress: async (p) => void reports.push(p),
    });
    // A failed stack's end is the run's to record: no progress report.
    expect(reports).toEqual([]);
    expect(mock.commandCalls(DescribeStackEventsCommand)).toHaveLength(1);
    expect(mock.commandCalls(DescribeStackEventsCommand)[0]!.args[0].input).toEqual({ StackName: fx.STACK_ID });
    expect(out).toMatchObject({
      outcome: 'FAILED',
      stackStatus: 'CREATE_FAILED',
      polls: 4,
      elapsedSeconds: 1800,
      nextWaitSeconds: 0,
    });
    mock.restore();
  });

  it('throws PROVISIONING_TIMEOUT (Diagnosed) at the cap', async () => {
    const mock = mockClient(cfn);
    const inProgress = fx.events([
      [0, fx.STACK_NAME, 'AWS::CloudFormation::Stack', 'CREATE_IN_PROGRESS', 'User Initiated'],
      [1, 'Cluster', 'AWS::EKS::Cluster', 'CREATE_IN_PROGRESS'],
    ]);
    mock.on(DescribeStackEventsCommand).resolves({ StackEvents: inProgress });
    const err = await pollClusterStack(input, {
      cloudformation: cfn,
      now: () => new Date('2026-11-29T11:00:00Z'),
      maxProvisioningSeconds: 3600,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DiagnosedError);
    expect((err as DiagnosedError).diagnosis).toMatchObject({
      code: 'PROVISIONING_TIMEOUT',
      evidence: { elapsedSeconds: 3600, maxSeconds: 3600, stackName: fx.STACK_NAME },
    });
    mock.restore();
  });

  it('a throttled look keeps the last known state and looks again later, backing off; at the cap the throttle goes through', async () => {
    const mock = mockClient(cfn);
    mock
      .on(DescribeStackEventsCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } }));
    const reports: ProgressUpdate[] = [];
    const deps = {
      cloudformation: cfn,
      now: () => new Date('2026-11-29T10:20:00Z'),
      maxProvisioningSeconds: 3600,
      progress: async (p: ProgressUpdate) => void reports.push(p),
    };
    const withPoll = (poll: unknown) => ({ ...(input as object), poll }) as never;
    const last = {
      outcome: 'IN_PROGRESS',
      stackStatus: 'CREATE_IN_PROGRESS',
      phase: 'Creating the control plane',
      progress: { done: 3, total: 12 },
      nextWaitSeconds: 20,
      elapsedSeconds: 1100,
      polls: 7,
    } as const;
    const first = await pollClusterStack(withPoll(last), deps);
    expect(first).toEqual({ ...last, nextWaitSeconds: 40, elapsedSeconds: 1200, polls: 8 });
    // The record keeps showing where the stack is while a look is throttled.
    expect(reports).toEqual([{ phase: 'Creating the control plane', progress: { done: 3, total: 12 } }]);
    const second = await pollClusterStack(withPoll(first), deps);
    expect(second.nextWaitSeconds).toBe(80);
    const third = await pollClusterStack(withPoll(second), deps);
    expect(third.nextWaitSeconds).toBe(120); // capped
    const atCap = await pollClusterStack(withPoll(third), {
      ...deps,
      now: () => new Date('2026-11-29T11:00:00Z'),
    }).catch((e: unknown) => e);
    expect((atCap as Error).name).toBe('AwsThrottled');
    mock.restore();
  });

  it('other errors of a look are not swallowed', async () => {
    const mock = mockClient(cfn);
    mock
      .on(DescribeStackEventsCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    const err = await pollClusterStack(input, {
      cloudformation: cfn,
      now: () => new Date('2026-11-29T10:20:00Z'),
      maxProvisioningSeconds: 3600,
    }).catch((e: unknown) => e);
    expect((err as Error).name).not.toBe('AwsThrottled');
    expect(err).toBeInstanceOf(Error);
    mock.restore();
  });
});

describe('PollStackDeletion under throttling', () => {
  const cfn = new CloudFormationClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
  });
  const input = {
    tenantId: 't1',
    clusterId: 'c-1',
    name: 'demo',
    environmentScope: '*',
    accountId: '222222222222',
    region: 'us-east-1',
    cluster: { provisionRoleArn: 'arn:aws:iam::222222222222:role/eks-provisioner-provision' },
    executionArn: 'arn:x',
    startedAt: '2026-11-29T10:00:00Z',
    stack: {
      stackId: fx.STACK_ID,
      stackName: fx.STACK_NAME,
      alreadyGone: false,
      requestedAt: '2026-11-29T10:00:00.000Z',
    },
  };
  const deps = { cloudformation: cfn, now: () => new Date('2026-11-29T10:05:00Z'), maxSeconds: 3600 };

  it('a throttled look keeps the last known state and looks again twice as late (≤ 120 s); at the cap the throttle goes through', async () => {
    const mock = mockClient(cfn);
    mock
      .on(DescribeStackEventsCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } }));
    const last = {
      outcome: 'IN_PROGRESS',
      stackStatus: 'DELETE_IN_PROGRESS',
      phase: 'Deleting node group',
      progress: { done: 2, total: 9 },
      nextWaitSeconds: 30,
      elapsedSeconds: 240,
      polls: 5,
    } as const;
    const first = await pollStackDeletion({ ...input, poll: last }, deps);
    expect(first).toEqual({ ...last, nextWaitSeconds: 60, elapsedSeconds: 300, polls: 6 });
    const second = await pollStackDeletion({ ...input, poll: first }, deps);
    expect(second.nextWaitSeconds).toBe(120);
    expect((await pollStackDeletion({ ...input, poll: second }, deps)).nextWaitSeconds).toBe(120); // capped
    // The first look after DeleteStack (StartDeletionPolling's 10 s) throttled: still deleting, 20 s later.
    const fresh = await pollStackDeletion(
      {
        ...input,
        poll: {
          outcome: 'IN_PROGRESS',
          stackStatus: 'DELETE_IN_PROGRESS',
          phase: 'Starting deletion',
          progress: { done: 0, total: 0 },
          nextWaitSeconds: 10,
          elapsedSeconds: 0,
          polls: 0,
        },
      },
      deps,
    );
    expect(fresh).toMatchObject({
      outcome: 'IN_PROGRESS',
      stackStatus: 'DELETE_IN_PROGRESS',
      nextWaitSeconds: 20,
      polls: 1,
    });
    // Never past the cap: the last wait ends at it, and at it the throttle goes through.
    const nearCap = await pollStackDeletion(
      { ...input, poll: second },
      { ...deps, now: () => new Date('2026-11-29T10:59:30Z') },
    );
    expect(nearCap.nextWaitSeconds).toBe(30);
    const atCap = await pollStackDeletion(
      { ...input, poll: second },
      { ...deps, now: () => new Date('2026-11-29T11:00:00Z') },
    ).catch((e: unknown) => e);
    expect((atCap as Error).name).toBe('AwsThrottled');
    mock.restore();
  });

  it('other errors of a look are not swallowed', async () => {
    const mock = mockClient(cfn);
    mock
      .on(DescribeStackEventsCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    const err = await pollStackDeletion(input, deps).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).name).not.toBe('AwsThrottled');
    mock.restore();
  });
});

describe('poll schedule (small deterministic run of the benchmark)', () => {
  it('meets the goal on 150 simulated creations and beats GitLab/eksctl on lag, fixed 5 s on calls', () => {
    const [ours, gitlab, eksctl, fixed5] = runBenchmark(150);
    expect(ours!.medianLag).toBeLessThanOrEqual(5);
    expect(ours!.p95Lag).toBeLessThanOrEqual(10);
    expect(ours!.medianCalls).toBeLessThanOrEqual(16);
    expect(ours!.medianLag).toBeLessThan(gitlab!.medianLag);
    expect(ours!.medianLag).toBeLessThan(eksctl!.medianLag);
    expect(ours!.medianCalls).toBeLessThan(fixed5!.medianCalls / 5);
  }, 60_000);
});
