import { CloudFormationClient, DescribeStackEventsCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { type DiagnoseDeps, diagnoseFailure } from '../../functions/diagnose-failure/diagnose-failure.js';
import { makeDiagnosis } from '../../functions/lib/diagnosis/catalog.js';
import { diagnoseStackEvents, findRootCause } from '../../functions/lib/diagnosis/from-stack-events.js';
import { diagnoseStepError } from '../../functions/lib/diagnosis/from-step-error.js';
import { unwrapReason } from '../../functions/lib/diagnosis/stack-reason.js';
import { DiagnosedError } from '../../functions/lib/errors.js';
import * as fx from './diagnose.fixtures.js';

const ctx = {
  stackName: fx.STACK_NAME,
  stackId: fx.STACK_ID,
  region: 'us-east-1',
  accountId: '222222222222',
  serviceRoleArn: 'arn:aws:iam::222222222222:role/eks-cluster-role-no-policy',
  subnets: [
    { subnetId: 'subnet-0a', availabilityZone: 'us-east-1a' },
    { subnetId: 'subnet-0e', availabilityZone: 'us-east-1e' },
  ],
};
const NOW = new Date('2026-11-29T10:30:00Z');

describe('unwrapReason', () => {
  it('takes the service message out of the registry handler wrapper', () => {
    const r = unwrapReason(
      fx.clusterRoleMissingPolicy.find(
        (e) => e.ResourceStatus === 'CREATE_FAILED' && e.LogicalResourceId === 'Cluster',
      )!.ResourceStatusReason,
    );
    expect(r).toEqual({
      message:
        "The provided role doesn't have the Amazon EKS Managed Policies associated with it. Please ensure the following policy is attached: arn:aws:iam::aws:policy/AmazonEKSClusterPolicy",
      service: 'Eks',
      statusCode: 400,
      requestId: '3f0c9a2e-7b1d-4c5e-8f9a-0b1c2d3e4f5a',
      handlerErrorCode: 'InvalidRequest',
    });
  });
  it('reads the older "(Service: …; Error Code: …)" suffix and the "API: x:Y" prefix', () => {
    expect(
      unwrapReason(
        'Subnet not found (Service: AmazonEKS; Status Code: 400; Error Code: InvalidParameterException; Request ID: abc; Proxy: null)',
      ),
    ).toEqual({
      message: 'Subnet not found',
      service: 'AmazonEKS',
      statusCode: 400,
      errorCode: 'InvalidParameterException',
      requestId: 'abc',
    });
    expect(unwrapReason('API: iam:CreateRole User: x is not authorized').apiAction).toBe('iam:CreateRole');
    expect(unwrapReason(undefined).message).toBe('');
    expect(unwrapReason('plain words').message).toBe('plain words');
  });
});

describe('root cause from stack events', () => {
  it('skips "Resource creation cancelled" and the stack summary; keeps logical id, type, status, reason', () => {
    const root = findRootCause(fx.clusterRoleMissingPolicy, fx.STACK_NAME)!;
    expect(root.failedResource).toMatchObject({
      logicalId: 'Cluster',
      type: 'AWS::EKS::Cluster',
      status: 'CREATE_FAILED',
      reason: expect.stringMatching(/^The provided role doesn't have the Amazon EKS Managed Policies/),
      timestamp: '2026-11-29T10:00:04.000Z',
    });
  });

  it('CLUSTER_ROLE_MISSING_EKS_POLICY', () => {
    const d = diagnoseStackEvents(fx.clusterRoleMissingPolicy, ctx);
    expect(d.code).toBe('CLUSTER_ROLE_MISSING_EKS_POLICY');
    expect(d.failedResource?.logicalId).toBe('Cluster');
    expect(d.remediation.join(' ')).toMatch(/attach-role-policy --role-name eks-cluster-role-no-policy/);
  });

  it('UNSUPPORTED_AVAILABILITY_ZONE names the zone, the subnet in it and the zones EKS offers', () => {
    const d = diagnoseStackEvents(fx.unsupportedZone, ctx);
    expect(d.code).toBe('UNSUPPORTED_AVAILABILITY_ZONE');
    expect(d.evidence).toMatchObject({
      unsupportedZones: ['us-east-1e'],
      validZones: ['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1d', 'us-east-1f'],
      subnetIds: ['subnet-0e'],
    });
  });

  it('PASS_ROLE_DENIED names the role', () => {
    const d = diagnoseStackEvents(fx.passRoleDenied, ctx);
    expect(d.code).toBe('PASS_ROLE_DENIED');
    expect(d.evidence?.resource).toBe('arn:aws:iam::222222222222:role/eks-cluster-role');
  });

  it('PERMISSION_DENIED names the action (new and legacy wording)', () => {
    const d = diagnoseStackEvents(fx.addonPermissionDenied, ctx);
    expect(d.code).toBe('PERMISSION_DENIED');
    expect(d.evidence?.action).toBe('eks:CreateAddon');
    expect(d.failedResource?.logicalId).toBe('VpcCniAddon');
    const legacy = diagnoseStackEvents(fx.legacyApiDenied, ctx);
    expect(legacy.code).toBe('PERMISSION_DENIED');
    expect(legacy.evidence?.action).toBe('iam:CreateRole');
  });

  it('NODE_CREATION_FAILURE lists the instance ids', () => {
    const d = diagnoseStackEvents(fx.nodeCreationFailure, ctx);
    expect(d.code).toBe('NODE_CREATION_FAILURE');
    expect(d.evidence?.instanceIds).toEqual(['i-0a1b2c3d4e5f60718', 'i-0f1e2d3c4b5a69788']);
    expect(d.failedResource?.physicalId).toBe('demo/Nodegroup-Xy12Ab34Cd56');
  });

  it('QUOTA_EXCEEDED names the quota (vCPU, clusters per region)', () => {
    const vcpu = diagnoseStackEvents(fx.vcpuQuota, ctx);
    expect(vcpu.code).toBe('QUOTA_EXCEEDED');
    expect(vcpu.evidence?.quotaName).toBe('Running On-Demand instances vCPU limit (16)');
    const clusters = diagnoseStackEvents(fx.clusterQuota, ctx);
    expect(clusters.code).toBe('QUOTA_EXCEEDED');
    expect(String(clusters.evidence?.quotaName)).toMatch(/limit of 100 clusters/);
  });

  it('keeps access keys and tokens in a stack event reason out of every part of the diagnosis', () => {
    const key = 'ASIAQWERTYUIOPASDFGH';
    const token = 'IQoJb3JpZ2luX2VjEAbCdEfGhIjKlMnOpQrStUvWxYz0123456789';
    const reasons = [
      `User: arn:aws:sts::222222222222:assumed-role/eks-provisioner-provision/${key} is not authorized to perform: eks:CreateAddon (SessionToken: ${token})`,
      `Service limit exceeded: maximum number of addons for key ${key} sessionToken=${token}`,
      `NodeCreationFailure: Instances failed to join the kubernetes cluster (${key} X-Amz-Security-Token=${token})`,
    ];
    for (const reason of reasons) {
      const d = diagnoseStackEvents(
        fx.events([
          [0, fx.STACK_NAME, 'AWS::CloudFormation::Stack', 'CREATE_IN_PROGRESS', 'User Initiated'],
          [1, 'VpcCniAddon', 'AWS::EKS::Addon', 'CREATE_FAILED', reason],
          [2, fx.STACK_NAME, 'AWS::CloudFormation::Stack', 'ROLLBACK_COMPLETE'],
        ]),
        ctx,
      );
      const text = JSON.stringify(d);
      expect(text).not.toContain(key);
      expect(text).not.toContain(token);
    }
  });

  it('ROLLBACK_FAILED keeps the original cause and the resources to delete by hand', () => {
    const d = diagnoseStackEvents(fx.rollbackFailed, ctx);
    expect(d.code).toBe('ROLLBACK_FAILED');
    expect(d.cause?.code).toBe('NODE_CREATION_FAILURE');
    expect(d.evidence?.resourcesToDelete).toEqual([
      'Nodegroup (AWS::EKS::Nodegroup: demo/Nodegroup-Xy12Ab34Cd56)',
      'NodeRole (AWS::IAM::Role: eks-provisioner-demo-NodeRole-1A2B3C4D5E6F)',
    ]);
    expect(d.message).toContain(fx.STACK_NAME);
    expect(d.remediation.join(' ')).toContain(fx.STACK_NAME);
  });

  it('UNKNOWN keeps the raw status and reason', () => {
    const d = diagnoseStackEvents(fx.unknownAddonFailure, ctx);
    expect(d.code).toBe('UNKNOWN');
    expect(d.evidence).toMatchObject({
      status: 'CREATE_FAILED',
      logicalId: 'VpcCniAddon',
      resourceType: 'AWS::EKS::Addon',
    });
    expect(String(d.evidence?.reason)).toMatch(/^ConfigurationValue provided in request is not supported/);
    expect(diagnoseStackEvents([], ctx).code).toBe('UNKNOWN');
  });
});

describe('Step Functions errors', () => {
  it('passes a Diagnosed error through (Lambda cause JSON)', () => {
    const diagnosis = makeDiagnosis('KEY_PAIR_NOT_FOUND', { keyName: 'demo-key', region: 'us-west-2' });
    const cause = JSON.stringify({
      errorType: 'Diagnosed',
      errorMessage: new DiagnosedError(diagnosis).message,
      trace: [],
    });
    expect(diagnoseStepError({ Error: 'Diagnosed', Cause: cause }).code).toBe('KEY_PAIR_NOT_FOUND');
  });
  it.each([
    ['States.Timeout', 'a step took longer than its time limit', true],
    ['States.TaskFailed', 'the state machine failed (States.TaskFailed): a defect in the service', false],
    ['States.Runtime', 'the state machine failed (States.Runtime): a defect in the service', false],
    ['Lambda.ServiceException', "the service's function could not run (Lambda.ServiceException)", true],
    ['Lambda.Unknown', "the service's function could not run (Lambda.Unknown)", true],
    ['AwsThrottled', 'AWS kept throttling the requests after several retries', true],
    ['AwsTransient', 'AWS kept failing (5xx or network errors) after several retries', true],
    ['DynamoDB.ConditionalCheckFailedException', 'the cluster record is missing or already finished', false],
    ['EventBridge.FailedEntry', 'the completion event could not be sent', true],
    ['TypeError', 'an unexpected error in the service', false],
  ])('%s → UNKNOWN (%s)', (name, detail, retryable) => {
    const d = diagnoseStepError({
      Error: name,
      Cause: JSON.stringify({ errorType: name, errorMessage: 'boom', trace: ['at x'] }),
    });
    expect(d.code).toBe('UNKNOWN');
    expect(d.evidence?.detail).toBe(detail);
    expect(d.retryable).toBe(retryable);
    expect(d.evidence?.awsErrorCode).toBe(name);
    expect(d.message).toContain(detail); // the person reading it sees what happened
  });
  it('redacts credential-shaped text in causes', () => {
    const d = diagnoseStepError({
      Error: 'Error',
      Cause: JSON.stringify({ errorType: 'Error', errorMessage: 'key AKIAIOSFODNN7EXAMPLE leaked' }),
    });
    expect(JSON.stringify(d)).not.toContain('AKIAIOSFODNN7EXAMPLE');
  });
});

describe('DiagnoseFailure', () => {
  const cfn = new CloudFormationClient({ region: 'us-east-1' });
  const deps = (client = cfn): DiagnoseDeps => ({ cloudformation: async () => client, now: () => NOW });
  const validated = {
    tenantId: 't-1',
    clusterId: 'c-abcdefghijkl',
    cluster: {
      name: 'demo',
      environmentScope: '*',
      region: 'us-east-1',
      provisionRoleArn: 'arn:aws:iam::222222222222:role/eks-provisioner-provision',
      serviceRoleArn: 'arn:aws:iam::222222222222:role/eks-cluster-role',
      adminPrincipalArns: [],
    },
    accountId: '222222222222',
    region: 'us-east-1',
    stackName: fx.STACK_NAME,
    executionArn: 'arn:aws:states:us-east-1:111111111111:execution:eks-provisioner-provision-cluster:c-abcdefghijkl',
    startedAt: '2026-11-29T09:59:00.000Z',
  };

  it('reads every page of the stack events to find the earliest root cause', async () => {
    const all = fx.longFailure();
    const mock = mockClient(cfn);
    mock.on(DescribeStackEventsCommand).callsFake((input: { NextToken?: string }) => {
      const start = Number(input.NextToken ?? 0);
      const page = all.slice(start, start + 100);
      return { StackEvents: page, ...(start + 100 < all.length ? { NextToken: String(start + 100) } : {}) };
    });
    const out = await diagnoseFailure(
      {
        state: {
          ...validated,
          stack: { stackId: fx.STACK_ID, stackName: fx.STACK_NAME, createdAt: '2026-11-29T10:00:00Z', adopted: false },
          poll: { outcome: 'FAILED', phase: 'Stack creation failed', progress: { done: 0, total: 14 } },
        },
        executionArn: validated.executionArn,
        startedAt: validated.startedAt,
      },
      deps(),
    );
    expect(mock.commandCalls(DescribeStackEventsCommand)).toHaveLength(3);
    expect(out.diagnosis?.code).toBe('CLUSTER_ROLE_MISSING_EKS_POLICY');
    expect(out.status).toBe('FAILED');
    expect(out.recordable).toBe(true);
    expect(out.event.detail).toMatchObject({
      clusterId: 'c-abcdefghijkl',
      status: 'FAILED',
      durationSeconds: 1860,
      finishedAt: NOW.toISOString(),
      stackId: fx.STACK_ID,
    });
    mock.restore();
  });

  it('uses the diagnosis a step carried, without reading the stack', async () => {
    const diagnosis = makeDiagnosis('ASSUME_ROLE_DENIED', { roleArn: validated.cluster.provisionRoleArn });
    const out = await diagnoseFailure(
      {
        state: {
          ...validated,
          error: {
            Error: 'Diagnosed',
            Cause: JSON.stringify({ errorType: 'Diagnosed', errorMessage: JSON.stringify(diagnosis), trace: [] }),
          },
        },
      },
      {
        cloudformation: async () => {
          throw new Error('must not be called');
        },
        now: () => NOW,
      },
    );
    expect(out.diagnosis?.code).toBe('ASSUME_ROLE_DENIED');
  });

  it('a failed stack whose events cannot be read still gets a diagnosis', async () => {
    const mock = mockClient(cfn);
    mock.on(DescribeStackEventsCommand).rejects(
      Object.assign(new Error('User: x is not authorized to perform: cloudformation:DescribeStackEvents'), {
        name: 'AccessDenied',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    const out = await diagnoseFailure(
      {
        state: { ...validated, stack: { stackId: fx.STACK_ID, stackName: fx.STACK_NAME }, poll: { outcome: 'FAILED' } },
      },
      deps(),
    );
    expect(out.diagnosis?.code).toBe('UNKNOWN');
    expect(String(out.diagnosis?.evidence?.detail)).toMatch(/events could not be read/);
    mock.restore();
  });

  it('never throws, whatever it is given', async () => {
    const inputs: unknown[] = [
      undefined,
      null,
      {},
      { state: null },
      { state: 'text' },
      { state: { error: 'not an object' } },
      { state: { error: { Error: 42, Cause: { nested: true } } } },
      { state: { error: { Error: 'Diagnosed', Cause: '{not json' } } },
      { state: { stack: { stackId: 5 }, poll: 'x' } },
      {
        state: { ...validated, stack: { stackId: fx.STACK_ID, stackName: fx.STACK_NAME }, poll: { outcome: 'FAILED' } },
      },
      { state: { cluster: 'nope', tenantId: ['a'] }, executionArn: 7, startedAt: 'yesterday' },
    ];
    const broken: DiagnoseDeps = {
      cloudformation: async () => {
        throw new TypeError('no client');
      },
      now: () => NOW,
    };
    for (const input of inputs) {
      const out = await diagnoseFailure(input as never, broken);
      expect(out.status).toBe('FAILED');
      expect(typeof out.diagnosis?.code).toBe('string');
      expect(typeof out.diagnosis?.message).toBe('string');
      expect(out.event.detail.status).toBe('FAILED');
    }
  });

  it('without tenant and cluster ids there is nothing to record, but still an event', async () => {
    const out = await diagnoseFailure(
      {
        state: {
          cluster: { name: 'x' },
          error: {
            Error: 'Diagnosed',
            Cause: JSON.stringify({
              errorType: 'Diagnosed',
              errorMessage: JSON.stringify(makeDiagnosis('VALIDATION_FAILED')),
            }),
          },
        },
        executionArn: 'arn:x',
        startedAt: '2026-11-29T10:29:00Z',
      },
      deps(),
    );
    expect(out.recordable).toBe(false);
    expect(out.record).toBeNull();
    expect(out.event.detail).toMatchObject({ clusterId: null, tenantId: null, name: 'x', durationSeconds: 60 });
  });
});
