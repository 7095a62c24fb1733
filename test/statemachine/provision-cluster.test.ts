/**
 * The real state machine definition, executed (aws-local-stepfunctions) through the happy path,
 * every failure branch, retries and the timeout cap. See harness.ts for what runs behind each Task.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeDiagnosis } from '../../functions/lib/diagnosis/catalog.js';
import { DiagnosedError } from '../../functions/lib/errors.js';
import { POLL_TUNING } from '../../functions/lib/polling/plan.js';
import { findCredentials, Harness, ROLE_B_CREDENTIALS } from './harness.js';

const require = createRequire(import.meta.url);
const input = JSON.parse(readFileSync(new URL('../../events/create-cluster.json', import.meta.url), 'utf8')) as Record<
  string,
  unknown
>;
const h = new Harness();

beforeAll(() => h.start(), 60_000);
afterAll(() => h.stop());
beforeEach(() => h.reset());

type Run = Awaited<ReturnType<Harness['run']>>;
const entered = (run: Run) =>
  run.log.filter((e) => e.type === 'StateEntered').map((e) => (e.state as { name: string }).name);
const detailTypes = (run: Run) => run.captured.map((e) => e.DetailType);
const lastDetail = (run: Run) => JSON.parse(run.captured[run.captured.length - 1]!.Detail) as Record<string, unknown>;

/** Nothing credential-shaped in any state input/output, event, record or error. */
function expectNoCredentials(run: Run) {
  for (const ev of run.log) expect(findCredentials(ev), JSON.stringify(ev).slice(0, 200)).toEqual([]);
  for (const ev of run.captured) expect(findCredentials(ev)).toEqual([]);
  expect(findCredentials(run.record ?? {})).toEqual([]);
  expect(findCredentials(run.error ?? {})).toEqual([]);
  const everything = JSON.stringify([run.log, run.captured, run.record, run.error]);
  for (const secret of Object.values(ROLE_B_CREDENTIALS)) expect(everything).not.toContain(secret);
  expect(everything).not.toContain('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
}

describe('definition', () => {
  it('is valid for asl-validator (with the substitutions filled in, and as committed)', () => {
    const validator = require('asl-validator') as (d: unknown) => { isValid: boolean; errors: unknown[] };
    const filled = validator(h.definition());
    expect(filled.errors).toEqual([]);
    expect(filled.isValid).toBe(true);
    const cli = execFileSync(
      process.execPath,
      [
        require.resolve('asl-validator/dist/bin/asl-validator.js'),
        '--json-path',
        'statemachine/provision-cluster.asl.json',
      ],
      { encoding: 'utf8' },
    );
    expect(cli).toMatch(/is valid/);
  });

  it('names its states as functions/lib/state.ts documents them, uses only the agreed substitutions, and every Task can fail into DiagnoseFailure', () => {
    const text = readFileSync('statemachine/provision-cluster.asl.json', 'utf8');
    const def = JSON.parse(text) as { States: Record<string, Record<string, unknown>> };
    const subs = new Set([...text.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]));
    expect([...subs].sort()).toEqual(
      [
        'AssumeProvisionRoleFunctionArn',
        'ConfigureClusterFunctionArn',
        'CreateClusterStackFunctionArn',
        'DescribeVpcResourcesFunctionArn',
        'DiagnoseFailureFunctionArn',
        'EventBusName',
        'FinalizeClusterFunctionArn',
        'PollClusterStackFunctionArn',
        'TableName',
        'ValidateRequestFunctionArn',
      ].sort(),
    );
    for (const name of [
      'ValidateRequest',
      'RecordRequest',
      'AssumeProvisionRole',
      'DescribeVpcResources',
      'CreateClusterStack',
      'WaitForStack',
      'PollClusterStack',
      'IsStackDone',
      'FinalizeCluster',
      'RecordSucceeded',
      'RecordFailed',
      'NotifySucceeded',
      'NotifyFailed',
      'DiagnoseFailure',
    ]) {
      expect(def.States[name], name).toBeDefined();
    }
    // Notifications must not turn a result into its opposite; the last line must not loop.
    const exempt = new Set([
      'DiagnoseFailure',
      'RecordFailed',
      'RecordUndiagnosedFailure',
      'NotifyFailed',
      'NotifyStarted',
      'NotifySucceeded',
    ]);
    for (const [name, s] of Object.entries(def.States)) {
      if (s.Type !== 'Task') continue;
      const catches = s.Catch as Array<{ ErrorEquals: string[]; Next: string; ResultPath: string }>;
      expect(
        catches.some((c) => c.ErrorEquals.includes('States.ALL')),
        name,
      ).toBe(true);
      if (!exempt.has(name))
        expect(catches[0], name).toMatchObject({
          ErrorEquals: ['States.ALL'],
          Next: 'DiagnoseFailure',
          ResultPath: '$.error',
        });
      else expect(catches[0]!.Next, name).not.toBe('DiagnoseFailure');
      const retry = s.Retry as Array<{
        ErrorEquals: string[];
        JitterStrategy?: string;
        MaxDelaySeconds?: number;
        BackoffRate?: number;
      }>;
      expect(retry.length, name).toBeGreaterThan(0);
      for (const r of retry)
        expect(r, name).toMatchObject({ JitterStrategy: 'FULL', BackoffRate: 2, MaxDelaySeconds: expect.any(Number) });
      if (String(s.Resource).includes('FunctionArn')) {
        const names = retry.flatMap((r) => r.ErrorEquals);
        expect(names).toEqual(
          expect.arrayContaining([
            'Lambda.ServiceException',
            'Lambda.SdkClientException',
            'Lambda.TooManyRequestsException',
          ]),
        );
        if (name !== 'DiagnoseFailure') expect(names).toEqual(expect.arrayContaining(['AwsThrottled', 'AwsTransient']));
      }
    }
    expect(def.States.StartPolling!.Result).toMatchObject({ nextWaitSeconds: POLL_TUNING.firstWaitSeconds });
    expect(def.States.ValidateRequest!.Parameters).toEqual({
      'input.$': '$',
      'executionArn.$': '$$.Execution.Id',
      'startedAt.$': '$$.Execution.StartTime',
    });
    expect(def.States.ValidateRequest!.ResultPath).toBe('$');
  });
});

describe('happy path (events/create-cluster.json as is)', () => {
  it('creates, follows, records CREATED and announces Started + Succeeded', async () => {
    const run = await h.run(input);
    expect(run.error).toBeUndefined();
    expect(entered(run)).toEqual(
      expect.arrayContaining([
        'ValidateRequest',
        'RecordRequest',
        'NotifyStarted',
        'AssumeProvisionRole',
        'DescribeVpcResources',
        'CreateClusterStack',
        'StartPolling',
        'WaitForStack',
        'PollClusterStack',
        'IsStackDone',
        'StartConfiguring',
        'ConfigureCluster',
        'IsClusterConfigured',
        'FinalizeCluster',
        'RecordSucceeded',
        'NotifySucceeded',
      ]),
    );
    expect(entered(run)).not.toContain('DiagnoseFailure');
    expect(detailTypes(run)).toEqual(['EKS Cluster Provisioning Started', 'EKS Cluster Provisioning Succeeded']);
    expect(run.captured.every((e) => e.Source === 'eks-provisioner' && e.EventBusName === 'eks-provisioner')).toBe(
      true,
    );
    expect(JSON.parse(run.captured[0]!.Detail)).toMatchObject({
      clusterId: run.clusterId,
      tenantId: 'local',
      name: 'demo',
      status: 'CREATING',
      stackId: null,
      finishedAt: null,
    });
    const done = lastDetail(run);
    expect(done).toMatchObject({
      clusterId: run.clusterId,
      tenantId: 'local',
      name: 'demo',
      environmentScope: '*',
      accountId: '222222222222',
      region: 'us-east-1',
      status: 'CREATED',
      stackId: run.sim!.stackId,
    });
    expect(typeof done.durationSeconds).toBe('number');
    expect((done.outputs as Record<string, string>).kubeconfig).toContain('get-token');
    // The record, read back through the store.
    expect(run.record).toMatchObject({
      status: 'CREATED',
      phase: 'Cluster ready',
      stackId: run.sim!.stackId,
      outputs: { clusterName: 'demo', kubernetesVersion: '1.33', nodegroupStatus: 'ACTIVE' },
    });
    expect(run.record!.progress.done).toBe(run.record!.progress.total);
    expect(run.record!.executionArn).toMatch(/:execution:eks-provisioner-provision-cluster:c-statemachine01$/);
    expect(run.clusterId).toMatch(/^c-/);
    // Polling was adaptive: few polls, and the stack's end was seen within seconds.
    const polls = run.calls.PollClusterStack!;
    expect(polls).toBeLessThanOrEqual(16);
    expect(run.stackSeconds * 1000 - (run.sim!.finishedAt - run.sim!.createdAt - 1000)).toBeLessThan(15_000);
    expectNoCredentials(run);
  });
});

describe('failure branches', () => {
  it('invalid console input: a FAILED record the tenant can list, and a Failed event with the execution ARN and the name given', async () => {
    const run = await h.run({
      tenantId: 'local',
      cluster: { ...(input.cluster as object), name: 'Bad Name!', nodeCount: 0 },
    });
    expect(run.error?.name).toBe('VALIDATION_FAILED');
    expect(entered(run)).toEqual(
      expect.arrayContaining([
        'DiagnoseFailure',
        'CanRecordFailure',
        'RecordFailed',
        'NotifyFailed',
        'ProvisioningFailed',
      ]),
    );
    const detail = lastDetail(run) as { clusterId: string; executionArn: string };
    expect(detail).toMatchObject({
      status: 'FAILED',
      tenantId: 'local',
      name: 'Bad Name!',
      diagnosis: { code: 'VALIDATION_FAILED' },
    });
    expect(detail.clusterId).toMatch(/^c-[a-z2-7]{12}$/);
    expect(detail.executionArn).toMatch(/^arn:aws:states:/);
    const listed = await h.store.listClusters('local');
    const record = listed.items.find((r) => r.id === detail.clusterId);
    expect(record).toMatchObject({
      status: 'FAILED',
      name: 'Bad Name!',
      executionArn: detail.executionArn,
      diagnosis: { code: 'VALIDATION_FAILED' },
    });
    // Without a tenant there is no one to show it to: no record, still the event.
    const anonymous = await h.run({ cluster: input.cluster });
    expect(entered(anonymous)).not.toContain('RecordFailed');
    expect(lastDetail(anonymous)).toMatchObject({ status: 'FAILED', clusterId: null, tenantId: null });
    expectNoCredentials(run);
  });

  it('AssumeRole denied: record FAILED with ASSUME_ROLE_DENIED, Failed event, execution FAILED', async () => {
    const run = await h.run(input, {
      around: {
        AssumeProvisionRole: async () => {
          throw Object.assign(new Error('x'), { name: 'Diagnosed' });
        },
      },
    });
    expect(run.error?.name).toBe('UNKNOWN'); // a Diagnosed error without a diagnosis cannot be read
    await h.reset();
    const denied = await h.run(input, {
      around: {
        AssumeProvisionRole: async () => {
          const d = new DiagnosedError(
            makeDiagnosis('ASSUME_ROLE_DENIED', {
              roleArn: 'arn:aws:iam::222222222222:role/eks-provisioner-provision',
            }),
          );
          throw Object.assign(new Error(d.message), { name: 'Diagnosed' });
        },
      },
    });
    expect(denied.error?.name).toBe('ASSUME_ROLE_DENIED');
    expect(denied.record).toMatchObject({
      status: 'FAILED',
      phase: 'Failed',
      diagnosis: { code: 'ASSUME_ROLE_DENIED' },
    });
    expect(lastDetail(denied)).toMatchObject({ status: 'FAILED', diagnosis: { code: 'ASSUME_ROLE_DENIED' } });
  });

  it('stack fails at once (role A without AmazonEKSClusterPolicy): diagnosed from the stack events within ~20 s', async () => {
    const run = await h.run(input, {
      stack: {
        failure: {
          logicalId: 'Cluster',
          atFraction: 0.005,
          reason:
            'Resource handler returned message: "The provided role doesn\'t have the Amazon EKS Managed Policies associated with it. Please ensure the following policy is attached: arn:aws:iam::aws:policy/AmazonEKSClusterPolicy (Service: Eks, Status Code: 400, Request ID: 1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b)" (RequestToken: 2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d, HandlerErrorCode: InvalidRequest)',
        },
      },
    });
    expect(run.error?.name).toBe('CLUSTER_ROLE_MISSING_EKS_POLICY');
    expect(run.calls.PollClusterStack).toBe(1);
    expect(run.record).toMatchObject({
      status: 'FAILED',
      phase: 'Stack creation failed',
      diagnosis: {
        code: 'CLUSTER_ROLE_MISSING_EKS_POLICY',
        failedResource: { logicalId: 'Cluster', type: 'AWS::EKS::Cluster' },
      },
    });
    expect(lastDetail(run)).toMatchObject({
      status: 'FAILED',
      stackId: run.sim!.stackId,
      diagnosis: { code: 'CLUSTER_ROLE_MISSING_EKS_POLICY' },
    });
    expectNoCredentials(run);
  });

  it('nodes fail to join late in the creation: NODE_CREATION_FAILURE', async () => {
    const run = await h.run(input, {
      stack: {
        failure: {
          logicalId: 'Nodegroup',
          atFraction: 1.3,
          reason:
            'Resource handler returned message: "[Issue(Code=NodeCreationFailure, Message=Instances failed to join the kubernetes cluster, ResourceIds=[i-0a1b2c3d4e5f60718])] (Service: null, Status Code: 0, Request ID: null)" (RequestToken: 0d1c2b3a-4e5f-6a7b-8c9d-0e1f2a3b4c5d, HandlerErrorCode: GeneralServiceException)',
        },
      },
    });
    expect(run.error?.name).toBe('NODE_CREATION_FAILURE');
    expect(run.record?.diagnosis?.evidence?.instanceIds).toEqual(['i-0a1b2c3d4e5f60718']);
  });

  it('ROLLBACK requested and the rollback fails: ROLLBACK_FAILED with the original cause', async () => {
    const run = await h.run(
      { ...input, cluster: { ...(input.cluster as object), onFailure: 'ROLLBACK' } },
      {
        stack: {
          rollbackFails: true,
          failure: {
            logicalId: 'Nodegroup',
            atFraction: 1.3,
            reason:
              'Resource handler returned message: "[Issue(Code=NodeCreationFailure, Message=Instances failed to join the kubernetes cluster, ResourceIds=[i-0a1b2c3d4e5f60718])] (Service: null, Status Code: 0, Request ID: null)" (RequestToken: 0d1c2b3a-4e5f-6a7b-8c9d-0e1f2a3b4c5d, HandlerErrorCode: GeneralServiceException)',
          },
        },
      },
    );
    expect(run.error?.name).toBe('ROLLBACK_FAILED');
    expect(run.record).toMatchObject({
      phase: 'Rollback failed',
      diagnosis: { code: 'ROLLBACK_FAILED', cause: { code: 'NODE_CREATION_FAILURE' } },
    });
    const rollbackPoll = run.log.find(
      (e) =>
        e.type === 'StateExited' &&
        (e.state as { name: string }).name === 'PollClusterStack' &&
        JSON.stringify((e.state as { output: unknown }).output).includes('"Rolling back"'),
    );
    expect(rollbackPoll, 'a poll saw the rollback in progress').toBeDefined();
  });

  it('a stack of that name that is not ours: NAME_ALREADY_IN_USE, no polling', async () => {
    const run = await h.run(input, { existingStackOwner: 'c-someoneelse' });
    expect(run.error?.name).toBe('NAME_ALREADY_IN_USE');
    expect(run.calls.PollClusterStack).toBeUndefined();
  });

  it('a retried CreateClusterStack adopts its own stack and goes on', async () => {
    const first = await h.run(input);
    await h.reset();
    const run = await h.run(input, { existingStackOwner: first.clusterId! });
    expect(run.error).toBeUndefined();
    expect(run.record?.status).toBe('CREATED');
  });

  it('the timeout cap: PROVISIONING_TIMEOUT when the stack is still running at the limit', async () => {
    const run = await h.run(input, { stack: { stuck: true }, maxProvisioningSeconds: 1800 });
    expect(run.error?.name).toBe('PROVISIONING_TIMEOUT');
    expect(run.stackSeconds).toBeGreaterThanOrEqual(1800 - 2);
    expect(run.stackSeconds).toBeLessThanOrEqual(1800 + 2);
    expect(run.record).toMatchObject({
      status: 'FAILED',
      phase: expect.stringMatching(/^Failed while /),
      diagnosis: { code: 'PROVISIONING_TIMEOUT' },
    });
  });

  it('FinalizeCluster fails (DescribeCluster denied): FAILED with PERMISSION_DENIED eks:DescribeCluster', async () => {
    const { DescribeClusterCommand } = await import('@aws-sdk/client-eks');
    const run = await h.run(input, {
      around: {
        FinalizeCluster: async (next, i) => {
          h.eks
            .on(DescribeClusterCommand)
            .rejects(
              Object.assign(
                new Error(
                  'User: arn:aws:sts::222222222222:assumed-role/eks-provisioner-provision/x is not authorized to perform: eks:DescribeCluster on resource: arn:aws:eks:us-east-1:222222222222:cluster/demo',
                ),
                { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } },
              ),
            );
          return next(i);
        },
      },
    });
    expect(run.error?.name).toBe('PERMISSION_DENIED');
    expect(run.record?.diagnosis?.evidence?.action).toBe('eks:DescribeCluster');
  });

  it('DiagnoseFailure itself unavailable: the record still leaves CREATING, and the run ends in DiagnosisUnavailable (no loop)', async () => {
    const run = await h.run(input, {
      around: {
        AssumeProvisionRole: async () => {
          throw Object.assign(new Error(JSON.stringify({ errorType: 'Error', errorMessage: 'boom' })), {
            name: 'Error',
          });
        },
        DiagnoseFailure: async () => {
          throw Object.assign(new Error('{"errorType":"Runtime.ExitError"}'), { name: 'Lambda.Unknown' });
        },
      },
    });
    expect(run.error?.name).toBe('UNKNOWN');
    expect(entered(run).filter((s) => s === 'DiagnoseFailure')).toHaveLength(1);
    expect(entered(run)[entered(run).length - 1]).toBe('DiagnosisUnavailable');
    expect(entered(run)).toContain('RecordUndiagnosedFailure');
    expect(run.record).toMatchObject({ status: 'FAILED', diagnosis: { code: 'UNKNOWN', retryable: true } });
    expect(run.record?.diagnosis?.message).toContain('execution history');
    expect(run.record?.updatedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('ValidateRequest fails and DiagnoseFailure fails too: the run ends in DiagnosisUnavailable, not in an uncatchable States.Runtime', async () => {
    // No executionArn (and no clusterId) in the document: CanRecordUndiagnosed must test presence first.
    const run = await h.run(input, {
      around: {
        ValidateRequest: async () => {
          throw Object.assign(new Error(JSON.stringify({ errorType: 'Error', errorMessage: 'boom' })), {
            name: 'Error',
          });
        },
        DiagnoseFailure: async () => {
          throw Object.assign(new Error('{"errorType":"Runtime.ExitError"}'), { name: 'Lambda.Unknown' });
        },
      },
    });
    expect(run.error?.name).toBe('UNKNOWN');
    expect(entered(run)).toContain('CanRecordUndiagnosed');
    expect(entered(run)).not.toContain('RecordUndiagnosedFailure');
    expect(entered(run).at(-1)).toBe('DiagnosisUnavailable');
  });

  it('RecordFailed cannot write: the Failed event still goes out and the run fails with the diagnosis', async () => {
    const run = await h.run(input, {
      around: {
        AssumeProvisionRole: async () => {
          throw Object.assign(
            new Error(
              JSON.stringify({
                errorType: 'Diagnosed',
                errorMessage: JSON.stringify(makeDiagnosis('REGION_NOT_ENABLED', { region: 'us-east-1' })),
              }),
            ),
            { name: 'Diagnosed' },
          );
        },
        RecordFailed: async () => {
          throw Object.assign(new Error('Requested resource not found'), {
            name: 'DynamoDB.ResourceNotFoundException',
          });
        },
      },
    });
    expect(run.error?.name).toBe('REGION_NOT_ENABLED');
    expect(entered(run)).toEqual(expect.arrayContaining(['RecordFailed', 'NotifyFailed', 'ProvisioningFailed']));
    expect(lastDetail(run)).toMatchObject({ status: 'FAILED', diagnosis: { code: 'REGION_NOT_ENABLED' } });
  });

  it('the Succeeded event cannot be sent: record stays CREATED, run fails visibly (NOTIFICATION_FAILED)', async () => {
    const run = await h.run(input, {
      around: {
        NotifySucceeded: async () => {
          throw Object.assign(new Error('{"FailedEntryCount":1}'), { name: 'EventBridge.FailedEntry' });
        },
      },
    });
    expect(run.error?.name).toBe('NOTIFICATION_FAILED');
    expect(run.record?.status).toBe('CREATED');
    expect(entered(run)).not.toContain('DiagnoseFailure');
  });

  it('a re-run for a cluster that already finished does not overwrite its record', async () => {
    const first = await h.run({ ...input, clusterId: 'c-rerun00000001' });
    expect(first.record?.status).toBe('CREATED');
    const again = await h.run({ ...input, clusterId: 'c-rerun00000001' }, { existingStackOwner: 'c-rerun00000001' });
    expect(again.error?.name).toBe('UNKNOWN');
    expect(again.record?.status).toBe('CREATED');
    expect(entered(again)).toContain('RecordFailed');
  });
});

describe('retries', () => {
  it('AwsThrottled / AwsTransient / Lambda.ServiceException are retried; the run then succeeds', async () => {
    const run = await h.run(input, {
      around: {
        AssumeProvisionRole: async (next, i, call) => {
          if (call === 1)
            throw Object.assign(new Error('{"errorType":"AwsThrottled","errorMessage":"Rate exceeded"}'), {
              name: 'AwsThrottled',
            });
          if (call === 2)
            throw Object.assign(new Error('{"errorType":"AwsTransient","errorMessage":"socket hang up"}'), {
              name: 'AwsTransient',
            });
          return next(i);
        },
        PollClusterStack: async (next, i, call) => {
          if (call === 2) throw Object.assign(new Error('Lambda service error'), { name: 'Lambda.ServiceException' });
          return next(i);
        },
        RecordRequest: async (next, i, call) => {
          if (call === 1)
            throw Object.assign(new Error('Throughput exceeds the current capacity'), {
              name: 'DynamoDB.ProvisionedThroughputExceededException',
            });
          return next(i);
        },
      },
    });
    expect(run.error).toBeUndefined();
    const retried = run.log.filter((e) => e.type === 'StateRetried').map((e) => (e.state as { name: string }).name);
    expect(retried).toEqual(expect.arrayContaining(['AssumeProvisionRole', 'PollClusterStack', 'RecordRequest']));
    expect(run.calls.AssumeProvisionRole).toBe(3);
    expect(run.record?.status).toBe('CREATED');
    expectNoCredentials(run);
  });

  it('a Diagnosed error is not retried', async () => {
    const run = await h.run(input, {
      around: {
        DescribeVpcResources: async () => {
          throw Object.assign(
            new Error(
              JSON.stringify({
                errorType: 'Diagnosed',
                errorMessage: JSON.stringify(makeDiagnosis('KEY_PAIR_NOT_FOUND', { keyName: 'demo-key' })),
              }),
            ),
            { name: 'Diagnosed' },
          );
        },
      },
    });
    expect(run.calls.DescribeVpcResources).toBe(1);
    expect(run.error?.name).toBe('KEY_PAIR_NOT_FOUND');
  });
});

describe('credential scan', () => {
  it('detects what it looks for (so a clean scan means something)', () => {
    expect(findCredentials({ k: ROLE_B_CREDENTIALS.AccessKeyId })).toEqual(['access key id']);
    expect(findCredentials({ k: ROLE_B_CREDENTIALS.SecretAccessKey })).toEqual(['secret access key']);
    expect(findCredentials({ k: ROLE_B_CREDENTIALS.SessionToken })).toContain('session token');
    expect(
      findCredentials({
        ca: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUMvakNDQWVhZ0F3SUJBZ0lCQURBTkJna3Foa2lHOXcwQkFRc0ZBREFWTVJNd0VRWURWUVFERXdwcmRXSmwK',
        externalId: '0123456789abcdef0123456789abcdef01234567',
      }),
    ).toEqual([]);
  });
});

describe('sample EventBridge events (events/eventbridge-*.json)', () => {
  const sample = (name: string) =>
    JSON.parse(readFileSync(`events/${name}`, 'utf8')) as {
      source: string;
      'detail-type': string;
      detail: Record<string, unknown>;
    };
  const shape = (v: unknown): unknown =>
    v === null
      ? 'null'
      : Array.isArray(v)
        ? 'array'
        : typeof v === 'object'
          ? Object.fromEntries(
              Object.keys(v as object)
                .sort()
                .map((k) => [k, shape((v as Record<string, unknown>)[k])]),
            )
          : typeof v;

  it('match what the machine emits (source, detail-type, detail keys and types)', async () => {
    const ok = await h.run(input);
    await h.reset();
    const bad = await h.run(input, {
      stack: {
        failure: {
          logicalId: 'Cluster',
          atFraction: 0.005,
          reason:
            'Resource handler returned message: "Cannot create cluster \'demo\' because us-east-1e, the targeted availability zone, does not currently have sufficient capacity to support the cluster. Retry and choose from these availability zones: us-east-1a, us-east-1b, us-east-1c, us-east-1d, us-east-1f (Service: Eks, Status Code: 400, Request ID: 0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e)" (RequestToken: 5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9, HandlerErrorCode: InvalidRequest)',
        },
      },
    });
    const pairs: Array<[string, { DetailType: string; Source: string; Detail: string }]> = [
      ['eventbridge-started.json', ok.captured[0]!],
      ['eventbridge-succeeded.json', ok.captured[1]!],
      ['eventbridge-failed.json', bad.captured[1]!],
    ];
    for (const [file, emitted] of pairs) {
      const s = sample(file);
      expect(s.source, file).toBe(emitted.Source);
      expect(s['detail-type'], file).toBe(emitted.DetailType);
      const detail = JSON.parse(emitted.Detail) as Record<string, unknown>;
      expect(shape(s.detail), file).toEqual(shape(detail));
      expect(findCredentials(s)).toEqual([]);
    }
    expect(JSON.parse(ok.captured[1]!.Detail).durationSeconds).toBeGreaterThanOrEqual(0);
  });
});
