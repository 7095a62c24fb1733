/** The update pre-flight refuses a stack that is not settled, before anything changes. */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeClusterCommand,
  DescribeNodegroupCommand,
  EKSClient,
  ListAccessEntriesCommand,
  ListInsightsCommand,
} from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DiagnosedError } from '../../../functions/lib/errors.js';
import type { UpdateRun } from '../../../functions/lib/update/run.js';
import { updatePreflight } from '../../../functions/update-cluster/preflight.js';

const cfn = mockClient(CloudFormationClient);
const eks = mockClient(EKSClient);
const ec2 = mockClient(EC2Client);
const run = {
  region: 'us-east-1',
  accountId: '222222222222',
  cluster: { name: 'demo', provisionRoleArn: 'arn:aws:iam::222222222222:role/eks-provisioner-provision' },
  stack: {
    stackId: 'arn:aws:cloudformation:us-east-1:222222222222:stack/eks-provisioner-demo/1',
    stackName: 'eks-provisioner-demo',
    createdAt: '',
    adopted: true,
  },
  update: { version: 2, from: { nodeCount: 2 }, to: { nodeCount: 3 }, changes: [], force: false, liveVersion: '1.32' },
} as unknown as UpdateRun;
const deps = () => ({
  cloudformation: new CloudFormationClient({ region: 'us-east-1' }),
  eks: new EKSClient({ region: 'us-east-1' }),
  ec2: new EC2Client({ region: 'us-east-1' }),
});

beforeEach(() => {
  for (const m of [cfn, eks, ec2]) m.reset();
  eks.on(DescribeClusterCommand).resolves({ cluster: { name: 'demo', version: '1.32' } });
  eks.on(DescribeNodegroupCommand).resolves({ nodegroup: { version: '1.32', scalingConfig: { desiredSize: 2 } } });
  eks.on(ListAccessEntriesCommand).resolves({ accessEntries: [] });
  eks.on(ListInsightsCommand).resolves({ insights: [] });
  ec2.on(DescribeSubnetsCommand).resolves({ Subnets: [] });
});

const withStatus = (status: string) =>
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'eks-provisioner-demo',
        StackStatus: status as never,
        CreationTime: new Date(),
        Parameters: [
          { ParameterKey: 'NodeCount', ParameterValue: '2' },
          { ParameterKey: 'KubernetesVersion', ParameterValue: '1.32' },
        ],
        Outputs: [{ OutputKey: 'NodegroupName', OutputValue: 'ng' }],
      },
    ],
  });

describe('updatePreflight: the stack must be settled', () => {
  it('a settled stack passes', async () => {
    for (const s of ['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE']) {
      withStatus(s);
      await expect(updatePreflight(run, deps())).resolves.toMatchObject({ clusterVersion: '1.32' });
    }
  });

  it('UPDATE_ROLLBACK_FAILED: the continue-update-rollback diagnosis, nothing changes', async () => {
    withStatus('UPDATE_ROLLBACK_FAILED');
    const err = await updatePreflight(run, deps()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DiagnosedError);
    expect((err as DiagnosedError).diagnosis.code).toBe('UPDATE_ROLLBACK_FAILED');
    expect((err as DiagnosedError).diagnosis.remediation.join(' ')).toMatch(
      /continue-update-rollback --stack-name eks-provisioner-demo/,
    );
  });

  it('a stack busy with another change is refused with its status', async () => {
    withStatus('UPDATE_IN_PROGRESS');
    const err = (await updatePreflight(run, deps()).catch((e: unknown) => e)) as DiagnosedError;
    expect(err.diagnosis.code).toBe('CLUSTER_DRIFTED');
    expect(err.diagnosis.message).toMatch(/is UPDATE_IN_PROGRESS, not settled/);
  });
});
