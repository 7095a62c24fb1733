/** PollStackUpdate reads update statuses as an update's outcome, and waits for the update to begin. */
import {
  CloudFormationClient,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  type StackEvent,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { UpdateRun } from '../../../functions/lib/update/run.js';
import { classifyUpdateStatus, pollStackUpdate } from '../../../functions/update-cluster/poll.js';

const cfnMock = mockClient(CloudFormationClient);
const STACK_ID = 'arn:aws:cloudformation:us-east-1:222222222222:stack/eks-provisioner-demo/1';
const T0 = Date.UTC(2026, 0, 1, 12);
const run = {
  tenantId: 't',
  clusterId: 'c',
  region: 'us-east-1',
  accountId: '222222222222',
  startedAt: new Date(T0 - 1000).toISOString(),
  stack: { stackId: STACK_ID, stackName: 'eks-provisioner-demo', createdAt: '', adopted: true },
  changeSet: {
    changeSetName: 'x',
    status: 'EXECUTING',
    nextWaitSeconds: 15,
    executedAt: new Date(T0).toISOString(),
    changes: [{ logicalId: 'Cluster', type: 'AWS::EKS::Cluster', action: 'Modify' }],
  },
} as unknown as UpdateRun;
const ev = (id: string, logical: string, type: string, status: string, t: number): StackEvent => ({
  EventId: id,
  StackId: STACK_ID,
  StackName: 'eks-provisioner-demo',
  LogicalResourceId: logical,
  ResourceType: type,
  ResourceStatus: status as StackEvent['ResourceStatus'],
  Timestamp: new Date(t),
});
const poll = () =>
  pollStackUpdate(run, {
    cloudformation: new CloudFormationClient({ region: 'us-east-1' }),
    now: () => new Date(T0 + 15_000),
    maxProvisioningSeconds: 3600,
  });

beforeEach(() => cfnMock.reset());

describe('pollStackUpdate', () => {
  it('a stack still showing its state before the update (ExecuteChangeSet is asynchronous) is not an outcome yet', async () => {
    for (const before of ['CREATE_COMPLETE', 'UPDATE_COMPLETE']) {
      cfnMock.on(DescribeStacksCommand).resolves({
        Stacks: [
          { StackName: 'eks-provisioner-demo', StackStatus: before as never, CreationTime: new Date(T0 - 3600_000) },
        ],
      });
      // Only events of earlier lives: the previous update ended before this change set ran.
      cfnMock.on(DescribeStackEventsCommand).resolves({
        StackEvents: [ev('old', 'eks-provisioner-demo', 'AWS::CloudFormation::Stack', before, T0 - 600_000)],
      });
      const p = await poll();
      expect(p).toMatchObject({ outcome: 'IN_PROGRESS', phase: 'Starting the update' });
    }
  });

  it('once begun: UPDATE_COMPLETE completes, UPDATE_ROLLBACK_COMPLETE fails (the update did not happen)', async () => {
    const begun = [
      ev('b', 'Cluster', 'AWS::EKS::Cluster', 'UPDATE_COMPLETE', T0 + 9000),
      ev('a', 'eks-provisioner-demo', 'AWS::CloudFormation::Stack', 'UPDATE_IN_PROGRESS', T0 + 1000),
    ];
    cfnMock.on(DescribeStackEventsCommand).resolves({ StackEvents: begun });
    cfnMock
      .on(DescribeStacksCommand)
      .resolves({ Stacks: [{ StackName: 'x', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date() }] });
    expect(await poll()).toMatchObject({ outcome: 'COMPLETE', progress: { done: 1, total: 1 } });
    cfnMock
      .on(DescribeStacksCommand)
      .resolves({ Stacks: [{ StackName: 'x', StackStatus: 'UPDATE_ROLLBACK_COMPLETE', CreationTime: new Date() }] });
    expect((await poll()).outcome).toBe('FAILED');
    expect(classifyUpdateStatus('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS')).toBe('IN_PROGRESS');
    expect(classifyUpdateStatus('UPDATE_ROLLBACK_FAILED')).toBe('FAILED');
  });

  it('the poll cap covers every stage together: a second stage past the cap since the first execution times out', async () => {
    const begun = [ev('a', 'eks-provisioner-demo', 'AWS::CloudFormation::Stack', 'UPDATE_IN_PROGRESS', T0 + 1000)];
    cfnMock.on(DescribeStackEventsCommand).resolves({ StackEvents: begun });
    cfnMock
      .on(DescribeStacksCommand)
      .resolves({ Stacks: [{ StackName: 'x', StackStatus: 'UPDATE_IN_PROGRESS', CreationTime: new Date() }] });
    // Stage 2 ran 15 s ago; stage 1 had run 3,000 s before it.
    const stage2 = {
      ...run,
      changeSet: { ...run.changeSet!, firstExecutedAt: new Date(T0 - 3_000_000).toISOString() },
    } as UpdateRun;
    const look = (max: number) =>
      pollStackUpdate(stage2, {
        cloudformation: new CloudFormationClient({ region: 'us-east-1' }),
        now: () => new Date(T0 + 15_000),
        maxProvisioningSeconds: max,
      });
    await expect(look(3000)).rejects.toMatchObject({ diagnosis: { code: 'PROVISIONING_TIMEOUT' } });
    expect(await look(3600)).toMatchObject({ outcome: 'IN_PROGRESS', elapsedSeconds: 3015 });
  });
});
