import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeClusterCommand, DescribeNodegroupCommand, EKSClient } from '@aws-sdk/client-eks';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type FinalizeClusterInput, finalizeCluster } from '../../functions/finalize-cluster/finalize-cluster.js';
import { blockYaml, kubeconfigYaml, type Yaml } from '../../functions/lib/kubernetes/kubeconfig.js';
import { OUTPUT_KEYS } from '../../functions/lib/template/index.js';

const cfn = new CloudFormationClient({ region: 'us-east-1' });
const eks = new EKSClient({ region: 'us-east-1' });
const cfnMock = mockClient(cfn);
const eksMock = mockClient(eks);
afterEach(() => {
  cfnMock.reset();
  eksMock.reset();
});

const STACK_ID =
  'arn:aws:cloudformation:us-east-1:222222222222:stack/eks-provisioner-demo/1b2c3d4e-0000-11f0-8000-0a1b2c3d4e5f';
const CA =
  'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUMvakNDQWVhZ0F3SUJBZ0lCQURBTkJna3Foa2lHOXcwQkFRc0ZBREFWTVJNd0VRWURWUVFERXdwcmRXSmwKY201bGRHVnpNQjRYRFRJMk1URXlPVEV3TURBd01Gb1hEVE0yTVRFeU56RXdNREF3TUZvd0ZURVRNQkVHQTFVRQpBeE1LYTNWaVpYSnVaWFJsY3pDQ0FTSXdEUVlKS29aSWh2Y05BUUVCQlFBRGdnRVBBRENDQVFvQ2dnRUJBTTFqCi0tLS0tRU5EIENFUlRJRklDQVRFLS0tLS0K';
const input: FinalizeClusterInput = {
  tenantId: 't-1',
  clusterId: 'c-abcdefghijkl',
  accountId: '222222222222',
  region: 'us-east-1',
  stackName: 'eks-provisioner-demo',
  executionArn: 'arn:aws:states:us-east-1:111111111111:execution:eks-provisioner-provision-cluster:c-abcdefghijkl',
  startedAt: '2026-11-29T10:00:00.000Z',
  cluster: { name: 'demo', environmentScope: 'production/*', region: 'us-east-1', adminPrincipalArns: [] } as never,
  stack: {
    stackId: STACK_ID,
    stackName: 'eks-provisioner-demo',
    createdAt: '2026-11-29T10:00:04.000Z',
    adopted: false,
  },
  poll: {
    outcome: 'COMPLETE',
    stackStatus: 'CREATE_COMPLETE',
    phase: 'Cluster stack created',
    progress: { done: 9, total: 9 },
    nextWaitSeconds: 0,
    elapsedSeconds: 832,
    polls: 9,
  },
};

function happyMocks() {
  cfnMock.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackId: STACK_ID,
        StackName: 'eks-provisioner-demo',
        CreationTime: new Date('2026-11-29T10:00:04Z'),
        StackStatus: 'CREATE_COMPLETE',
        Outputs: [
          { OutputKey: OUTPUT_KEYS.clusterName, OutputValue: 'demo' },
          { OutputKey: OUTPUT_KEYS.nodegroupName, OutputValue: 'Nodegroup-Xy12Ab34Cd56' },
          {
            OutputKey: OUTPUT_KEYS.nodeRoleArn,
            OutputValue: 'arn:aws:iam::222222222222:role/eks-provisioner/eks-provisioner-demo-NodeRole-1A2B3C4D5E6F',
          },
        ],
      },
    ],
  });
  eksMock.on(DescribeClusterCommand).resolves({
    cluster: {
      name: 'demo',
      arn: 'arn:aws:eks:us-east-1:222222222222:cluster/demo',
      endpoint: 'https://0A1B2C3D4E5F60718293A4B5C6D7E8F9.gr7.us-east-1.eks.amazonaws.com',
      certificateAuthority: { data: CA },
      version: '1.33',
      status: 'ACTIVE',
      identity: { oidc: { issuer: 'https://oidc.eks.us-east-1.amazonaws.com/id/0A1B2C3D4E5F60718293A4B5C6D7E8F9' } },
    },
  });
  eksMock.on(DescribeNodegroupCommand).resolves({
    nodegroup: {
      nodegroupName: 'Nodegroup-Xy12Ab34Cd56',
      status: 'ACTIVE',
      nodeRole: 'arn:aws:iam::222222222222:role/eks-provisioner/eks-provisioner-demo-NodeRole-1A2B3C4D5E6F',
    },
  });
}

describe('FinalizeCluster', () => {
  it('reads outputs, the cluster and the node group into ClusterOutputs', async () => {
    happyMocks();
    const out = await finalizeCluster(input, {
      cloudformation: cfn,
      eks,
      now: () => new Date('2026-11-29T10:14:00.000Z'),
    });
    expect(out.outputs).toMatchObject({
      clusterName: 'demo',
      clusterArn: 'arn:aws:eks:us-east-1:222222222222:cluster/demo',
      endpoint: 'https://0A1B2C3D4E5F60718293A4B5C6D7E8F9.gr7.us-east-1.eks.amazonaws.com',
      certificateAuthorityData: CA,
      kubernetesVersion: '1.33',
      oidcIssuer: 'https://oidc.eks.us-east-1.amazonaws.com/id/0A1B2C3D4E5F60718293A4B5C6D7E8F9',
      nodeRoleArn: 'arn:aws:iam::222222222222:role/eks-provisioner/eks-provisioner-demo-NodeRole-1A2B3C4D5E6F',
      nodegroupName: 'Nodegroup-Xy12Ab34Cd56',
      nodegroupStatus: 'ACTIVE',
    });
    expect(cfnMock.commandCalls(DescribeStacksCommand)[0]!.args[0].input).toEqual({ StackName: STACK_ID });
    expect(eksMock.commandCalls(DescribeNodegroupCommand)[0]!.args[0].input).toEqual({
      clusterName: 'demo',
      nodegroupName: 'Nodegroup-Xy12Ab34Cd56',
    });
  });

  it('returns the record update (CREATED, only for the owning execution) and the Succeeded event detail', async () => {
    happyMocks();
    const out = await finalizeCluster(input, {
      cloudformation: cfn,
      eks,
      now: () => new Date('2026-11-29T10:14:00.000Z'),
    });
    expect(out.status).toBe('CREATED');
    expect(unmarshall(out.record!.Key as never)).toEqual({ PK: 'TENANT#t-1', SK: 'CLUSTER#c-abcdefghijkl' });
    const values = unmarshall(out.record!.ExpressionAttributeValues as never);
    expect(values).toMatchObject({
      ':status': 'CREATED',
      ':phase': 'Cluster ready',
      ':progress': { done: 9, total: 9 },
      ':stackId': STACK_ID,
      ':executionArn': input.executionArn,
    });
    expect(values[':outputs'].kubeconfig).toContain('get-token');
    expect(out.record!.ConditionExpression).toContain('#status = :creating');
    expect(out.event.detail).toMatchObject({
      clusterId: 'c-abcdefghijkl',
      tenantId: 't-1',
      name: 'demo',
      environmentScope: 'production/*',
      accountId: '222222222222',
      region: 'us-east-1',
      status: 'CREATED',
      stackId: STACK_ID,
      startedAt: '2026-11-29T10:00:00.000Z',
      finishedAt: '2026-11-29T10:14:00.000Z',
      durationSeconds: 840,
    });
  });

  it('a denied DescribeCluster names the action', async () => {
    happyMocks();
    eksMock
      .on(DescribeClusterCommand)
      .rejects(
        Object.assign(
          new Error(
            'User: arn:aws:sts::222222222222:assumed-role/eks-provisioner-provision/s is not authorized to perform: eks:DescribeCluster on resource: arn:aws:eks:us-east-1:222222222222:cluster/demo',
          ),
          { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } },
        ),
      );
    const err = (await finalizeCluster(input, { cloudformation: cfn, eks, now: () => new Date() }).catch(
      (e: unknown) => e,
    )) as { name: string; diagnosis: { code: string; evidence: { action: string } } };
    expect(err.name).toBe('Diagnosed');
    expect(err.diagnosis.code).toBe('PERMISSION_DENIED');
    expect(err.diagnosis.evidence.action).toBe('eks:DescribeCluster');
  });
});

describe('kubeconfig', () => {
  it('uses the aws eks get-token exec plugin (v1beta1) with cluster name and region, no credentials, empty env', () => {
    const text = kubeconfigYaml({
      clusterName: 'demo',
      clusterArn: 'arn:aws:eks:us-east-1:222222222222:cluster/demo',
      endpoint: 'https://x.eks.amazonaws.com',
      certificateAuthorityData: CA,
      region: 'us-east-1',
    });
    const k = parse(text);
    expect(k['current-context']).toBe('arn:aws:eks:us-east-1:222222222222:cluster/demo');
    expect(k.clusters[0].cluster).toEqual({ server: 'https://x.eks.amazonaws.com', 'certificate-authority-data': CA });
    const exec = k.users[0].user.exec;
    expect(exec).toEqual({
      apiVersion: 'client.authentication.k8s.io/v1beta1',
      command: 'aws',
      args: ['--region', 'us-east-1', 'eks', 'get-token', '--cluster-name', 'demo', '--output', 'json'],
      env: null,
      interactiveMode: 'IfAvailable',
      provideClusterInfo: false,
    });
    expect(text).not.toMatch(/token:|password|AKIA|ASIA|aws_secret/i);
  });

  it('blockYaml reads back as the same data, whatever the strings hold (YAML 1.2 and 1.1 readers)', () => {
    const awkward = [
      'yes',
      'No',
      'null',
      '~',
      'true',
      '0x1f',
      '1e3',
      '012',
      '',
      ' lead',
      'trail ',
      'a: b',
      'a #b',
      '#c',
      '- d',
      '[e]',
      '{f}',
      '"g"',
      "'h'",
      'i\nj',
      'k\tl',
      '*m',
      '&n',
      '!o',
      '%p',
      '@q',
      '`r',
      '|s',
      '>t',
      'ü',
      '://u',
      'v:',
      '-',
      '?',
      'https://x.y:443/z',
      'LS0t+/==',
    ];
    const doc: Yaml = {
      apiVersion: 'v1',
      list: awkward,
      nested: [
        { name: 'x', map: Object.fromEntries(awkward.map((a, i) => [a || `k${i}`, a])) },
        { empty: [], none: {} },
      ],
      n: 3,
      b: false,
      z: null,
    };
    expect(parse(blockYaml(doc))).toEqual(doc);
    expect(parse(blockYaml(doc), { version: '1.1' })).toEqual(doc);
  });
});
