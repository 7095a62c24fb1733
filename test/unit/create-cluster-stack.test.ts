import { createHash } from 'node:crypto';
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type CreateClusterStackInput,
  clientRequestTokenFor,
  createClusterStack,
} from '../../functions/create-cluster-stack/create-cluster-stack.js';
import { DiagnosedError } from '../../functions/lib/errors.js';
import type { ProgressUpdate } from '../../functions/lib/progress/progress.js';
import { clusterTemplateBody } from '../../functions/lib/template/index.js';
import { demoSettings } from '../support/demo-settings.js';

const cfn = new CloudFormationClient({ region: 'us-east-1' });
const mock = mockClient(cfn);
afterEach(() => mock.reset());

const STACK_ID =
  'arn:aws:cloudformation:us-east-1:222222222222:stack/eks-provisioner-demo/1b2c3d4e-0000-11f0-8000-0a1b2c3d4e5f';
const input = (over: Partial<CreateClusterStackInput['cluster']> = {}): CreateClusterStackInput => ({
  tenantId: 't-1',
  clusterId: 'c-abcdefghijkl',
  accountId: '222222222222',
  region: 'us-east-1',
  stackName: 'eks-provisioner-demo',
  executionArn: 'arn:aws:states:us-east-1:111111111111:execution:sm:c-abcdefghijkl',
  startedAt: '2026-11-29T10:00:00.000Z',
  cluster: demoSettings({
    vpcId: 'vpc-1',
    subnetIds: ['subnet-1', 'subnet-2'],
    securityGroupIds: ['sg-1'],
    instanceType: 'm7g.large',
    adminPrincipalArns: ['arn:aws:iam::222222222222:role/Admin'],
    ...over,
  }),
  preflight: {
    kubernetesVersion: '1.33',
    vpcId: 'vpc-1',
    subnets: [
      { subnetId: 'subnet-1', availabilityZone: 'us-east-1a', availabilityZoneId: 'use1-az1' },
      { subnetId: 'subnet-2', availabilityZone: 'us-east-1b', availabilityZoneId: 'use1-az2' },
    ],
    availabilityZones: ['us-east-1a', 'us-east-1b'],
    securityGroupIds: ['sg-1'],
    serviceRoleArn: 'arn:aws:iam::222222222222:role/eks-cluster-role',
    keyName: 'demo-key',
  },
});
const deps = { cloudformation: cfn, now: () => new Date('2026-11-29T10:00:05.000Z') };
const sdkError = (name: string, message: string, status = 400) =>
  Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: status } });

describe('CreateClusterStack', () => {
  it('creates the stack: template, parameters, tags, capabilities, KEEP → DO_NOTHING, token from the cluster id', async () => {
    mock.on(CreateStackCommand).resolves({ StackId: STACK_ID });
    const reports: ProgressUpdate[] = [];
    const out = await createClusterStack(input(), { ...deps, progress: async (p) => void reports.push(p) });
    expect(out).toEqual({
      stackId: STACK_ID,
      stackName: 'eks-provisioner-demo',
      createdAt: '2026-11-29T10:00:05.000Z',
      adopted: false,
    });
    // The record shows the stack as soon as it exists.
    expect(reports).toEqual([{ stackId: STACK_ID, phase: 'Creating IAM roles' }]);
    const sent = mock.commandCalls(CreateStackCommand)[0]!.args[0].input;
    expect(sent).toMatchObject({
      StackName: 'eks-provisioner-demo',
      TemplateBody: clusterTemplateBody(),
      Capabilities: ['CAPABILITY_IAM'],
      OnFailure: 'DO_NOTHING',
      ClientRequestToken: 'eks-provisioner-c-abcdefghijkl',
    });
    expect(sent.Tags).toEqual([
      { Key: 'eks-provisioner:cluster-id', Value: 'c-abcdefghijkl' },
      // SHA-256 of 't-1': the tenant id itself may not fit a tag value.
      { Key: 'eks-provisioner:tenant-sha256', Value: createHash('sha256').update('t-1').digest('hex') },
      { Key: 'eks-provisioner:managed-by', Value: 'eks-provisioner' },
      { Key: 'team', Value: 'platform' },
    ]);
    const params = Object.fromEntries(sent.Parameters!.map((p) => [p.ParameterKey, p.ParameterValue]));
    expect(params).toMatchObject({
      ClusterName: 'demo',
      KubernetesVersion: '1.33',
      ClusterRoleArn: 'arn:aws:iam::222222222222:role/eks-cluster-role',
      SubnetIds: 'subnet-1,subnet-2',
      SecurityGroupIds: 'sg-1',
      NodeInstanceType: 'm7g.large',
      NodeAmiType: 'AL2023_ARM_64_STANDARD',
      NodeCount: '2',
      KeyName: 'demo-key',
      AdminPrincipalArn1: 'arn:aws:iam::222222222222:role/Admin',
      AdminPrincipalArn2: '',
      ClusterId: 'c-abcdefghijkl',
      TenantTag: createHash('sha256').update('t-1').digest('hex'),
    });
  });

  it('ROLLBACK → OnFailure ROLLBACK; the same cluster always gets the same token', async () => {
    mock.on(CreateStackCommand).resolves({ StackId: STACK_ID });
    await createClusterStack(input({ onFailure: 'ROLLBACK' }), deps);
    expect(mock.commandCalls(CreateStackCommand)[0]!.args[0].input.OnFailure).toBe('ROLLBACK');
    expect(clientRequestTokenFor('c-abc_DEF')).toBe('eks-provisioner-c-abc-DEF');
    expect(clientRequestTokenFor('x'.repeat(200))).toHaveLength(128);
  });

  it('a retry after a lost response adopts the stack it made (cluster-id tag matches)', async () => {
    mock
      .on(CreateStackCommand)
      .rejects(sdkError('AlreadyExistsException', 'Stack [eks-provisioner-demo] already exists'));
    mock.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackId: STACK_ID,
          StackName: 'eks-provisioner-demo',
          CreationTime: new Date('2026-11-29T10:00:01Z'),
          StackStatus: 'CREATE_IN_PROGRESS',
          Tags: [{ Key: 'eks-provisioner:cluster-id', Value: 'c-abcdefghijkl' }],
        },
      ],
    });
    expect(await createClusterStack(input(), deps)).toEqual({
      stackId: STACK_ID,
      stackName: 'eks-provisioner-demo',
      createdAt: '2026-11-29T10:00:01.000Z',
      adopted: true,
    });
  });

  it('a stack of that name that is not ours is NAME_ALREADY_IN_USE', async () => {
    mock
      .on(CreateStackCommand)
      .rejects(sdkError('AlreadyExistsException', 'Stack [eks-provisioner-demo] already exists'));
    mock.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackId: STACK_ID,
          StackName: 'eks-provisioner-demo',
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Tags: [{ Key: 'eks-provisioner:cluster-id', Value: 'c-someoneelse' }],
        },
      ],
    });
    const err = (await createClusterStack(input(), deps).catch((e: unknown) => e)) as DiagnosedError;
    expect(err).toBeInstanceOf(DiagnosedError);
    expect(err.diagnosis.code).toBe('NAME_ALREADY_IN_USE');
    expect(err.diagnosis.evidence?.stackId).toBe(STACK_ID);
  });

  it.each([
    [
      'AccessDenied',
      'User: arn:aws:sts::222222222222:assumed-role/eks-provisioner-provision/s is not authorized to perform: cloudformation:CreateStack on resource: arn:aws:cloudformation:us-east-1:222222222222:stack/eks-provisioner-demo/* because no identity-based policy allows the cloudformation:CreateStack action',
      403,
      'PERMISSION_DENIED',
    ],
    ['LimitExceededException', 'Limit for stacks exceeded. Limit is 2000 stacks', 400, 'QUOTA_EXCEEDED'],
    [
      'ValidationError',
      'Parameter validation failed: parameter value subnet-9 for parameter name SubnetIds does not exist. Rollback requested by user.',
      400,
      'SUBNET_NOT_FOUND',
    ],
    [
      'ValidationError',
      'Parameter validation failed: parameter value sg-9 for parameter name SecurityGroupIds does not exist. Rollback requested by user.',
      400,
      'SECURITY_GROUP_NOT_IN_VPC',
    ],
  ])('%s → %s', async (name, message, status, code) => {
    mock.on(CreateStackCommand).rejects(sdkError(name, message, status));
    const err = (await createClusterStack(input(), deps).catch((e: unknown) => e)) as DiagnosedError;
    expect(err.name).toBe('Diagnosed');
    expect(err.diagnosis.code).toBe(code);
  });

  it('throttling and 5xx come out retryable', async () => {
    mock.on(CreateStackCommand).rejects(sdkError('Throttling', 'Rate exceeded'));
    expect(((await createClusterStack(input(), deps).catch((e: unknown) => e)) as Error).name).toBe('AwsThrottled');
    mock.on(CreateStackCommand).rejects(
      Object.assign(new Error('We encountered an internal error'), {
        name: 'InternalFailure',
        $fault: 'server',
        $metadata: { httpStatusCode: 500 },
      }),
    );
    expect(((await createClusterStack(input(), deps).catch((e: unknown) => e)) as Error).name).toBe('AwsTransient');
  });

  it('more admin principals than the template has slots is a field error', async () => {
    const many = Array.from({ length: 6 }, (_, i) => `arn:aws:iam::222222222222:role/Admin${i}`);
    const err = (await createClusterStack(input({ adminPrincipalArns: many }), deps).catch(
      (e: unknown) => e,
    )) as DiagnosedError;
    expect(err.diagnosis.code).toBe('VALIDATION_FAILED');
    expect(err.diagnosis.fields?.[0]?.path).toBe('cluster.adminPrincipalArns');
    expect(mock.commandCalls(CreateStackCommand)).toHaveLength(0);
  });
});
