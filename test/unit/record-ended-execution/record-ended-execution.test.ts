import { unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { clusterIdForExecution } from '../../../functions/lib/cluster-ids.js';
import type { RecordUpdate } from '../../../functions/lib/completion/completion.js';
import {
  type ExecutionStatus,
  endedExecutionPattern,
  matchesEndedExecution,
  statusChangeEvent,
} from '../../../functions/lib/execution-status/event.js';
import type { ClusterRecord } from '../../../functions/lib/store/types.js';
import {
  executionConsoleUrl,
  type RecordEndedExecutionDeps,
  recordEndedExecution,
} from '../../../functions/record-ended-execution/record-ended-execution.js';

const SM = 'arn:aws:states:us-east-1:111111111111:stateMachine:eks-provisioner-provision-cluster';
const EXEC = 'arn:aws:states:us-east-1:111111111111:execution:eks-provisioner-provision-cluster:c-abc';

const event = (
  status: ExecutionStatus,
  input: unknown = { tenantId: 't1', clusterId: 'c-abc' },
  extra: { error?: string; cause?: string } = {},
) =>
  statusChangeEvent({
    account: '111111111111',
    region: 'us-east-1',
    executionArn: EXEC,
    stateMachineArn: SM,
    name: 'c-abc',
    status,
    startDate: Date.parse('2026-01-01T00:00:00Z'),
    stopDate: Date.parse('2026-01-01T01:00:00Z'),
    input: JSON.stringify(input),
    output: null,
    error: extra.error ?? null,
    cause: extra.cause ?? null,
  });

function record(over: Partial<ClusterRecord> = {}): ClusterRecord {
  return {
    id: 'c-abc',
    tenantId: 't1',
    name: 'demo',
    environmentScope: '*',
    accountId: '222222222222',
    region: 'us-east-1',
    status: 'CREATING',
    phase: 'Creating node group',
    progress: { done: 4, total: 10 },
    settings: {} as never,
    executionArn: EXEC,
    stackId: 'arn:aws:cloudformation:us-east-1:222222222222:stack/eks-provisioner-demo/1234',
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    ...over,
  };
}

function deps(rec: ClusterRecord | undefined, updateWins = true) {
  const updates: RecordUpdate[] = [];
  const published: Array<{ detailType: string; detail: unknown; resources: string[] }> = [];
  const looked: string[] = [];
  const d: RecordEndedExecutionDeps = {
    getCluster: async (t, c) => {
      looked.push(`${t}/${c}`);
      return rec;
    },
    updateRecord: async (u) => {
      updates.push(u);
      return updateWins;
    },
    publish: async (detailType, detail, resources) => void published.push({ detailType, detail, resources }),
    now: () => new Date('2026-01-01T01:00:05Z'),
  };
  return { d, updates, published, looked };
}

describe('record-ended-execution', () => {
  it.each([
    ['TIMED_OUT', 'EXECUTION_TIMED_OUT'],
    ['ABORTED', 'EXECUTION_ABORTED'],
    ['FAILED', 'EXECUTION_FAILED'],
  ] as const)('%s with the record still CREATING → FAILED %s, one Failed event', async (status, code) => {
    const x = deps(record());
    const out = await recordEndedExecution(event(status, undefined, { error: 'States.Runtime', cause: 'boom' }), x.d);
    expect(out).toEqual({
      action: 'recorded',
      run: 'provisioning',
      tenantId: 't1',
      clusterId: 'c-abc',
      code,
      marked: true,
    });
    expect(x.updates).toHaveLength(2); // the record's end, then the published mark
    const values = unmarshall(x.updates[0]!.ExpressionAttributeValues as never);
    expect(values).toMatchObject({
      ':status': 'FAILED',
      ':creating': 'CREATING',
      ':executionArn': EXEC,
      ':phase': 'Failed while creating node group',
    });
    expect(values[':diagnosis'].code).toBe(code);
    expect(values[':diagnosis'].message).toContain(EXEC);
    expect(x.updates[0]!.ConditionExpression).toContain('#status = :creating');
    expect(values[':endedEventPublished']).toBe(false);
    expect(values[':pendingEndedEvent']).toEqual({
      detailType: 'EKS Cluster Provisioning Failed',
      detail: x.published[0]!.detail,
    });
    expect(x.updates[1]!.UpdateExpression).toBe(
      'SET #endedEventPublished = :endedEventPublished REMOVE #pendingEndedEvent',
    );
    expect(x.published).toHaveLength(1);
    expect(x.published[0]!.detailType).toBe('EKS Cluster Provisioning Failed');
    expect(x.published[0]!.detail).toMatchObject({
      clusterId: 'c-abc',
      tenantId: 't1',
      name: 'demo',
      status: 'FAILED',
      executionArn: EXEC,
      durationSeconds: 3605,
      diagnosis: { code },
    });
    expect(x.published[0]!.resources).toEqual([EXEC, SM]);
  });

  it('a console execution (no clusterId in the input) finds the record ValidateRequest made from the execution ARN', async () => {
    const x = deps(record({ id: clusterIdForExecution(EXEC) }));
    await recordEndedExecution(event('ABORTED', { tenantId: 't1', cluster: {} }), x.d);
    expect(x.looked).toEqual([`t1/${clusterIdForExecution(EXEC)}`]);
  });

  it("leaves alone: a finished record, another execution's record, no record, no tenant, RUNNING/SUCCEEDED, and a lost race", async () => {
    for (const [ev, rec, why] of [
      [event('FAILED'), record({ status: 'FAILED' }), /already FAILED/],
      [event('FAILED'), record({ executionArn: `${EXEC}-other` }), /another execution/],
      [event('FAILED'), undefined, /no cluster record/],
      [event('FAILED', { cluster: {} }), record(), /names no tenant/],
      [event('FAILED', 'not json at all'), record(), /names no tenant/],
      [event('RUNNING'), record(), /needs nothing/],
      [event('SUCCEEDED'), record(), /needs nothing/],
    ] as const) {
      const x = deps(rec);
      const out = await recordEndedExecution(ev, x.d);
      expect(out.action).toBe('skipped');
      expect((out as { reason: string }).reason).toMatch(why);
      expect(x.published).toHaveLength(0);
    }
    const lost = deps(record(), false);
    expect((await recordEndedExecution(event('TIMED_OUT'), lost.d)).action).toBe('skipped');
    expect(lost.published).toHaveLength(0);
  });

  it('never names a stack that was not created', async () => {
    const x = deps(record({ stackId: undefined }));
    await recordEndedExecution(event('ABORTED'), x.d);
    const d = unmarshall(x.updates[0]!.ExpressionAttributeValues as never)[':diagnosis'];
    expect(JSON.stringify(d)).not.toContain('eks-provisioner-demo');
  });

  it('the rule pattern and its local evaluation agree', () => {
    const p = endedExecutionPattern([SM]);
    expect(p).toEqual({
      source: ['aws.states'],
      'detail-type': ['Step Functions Execution Status Change'],
      detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: [SM] },
    });
    expect(matchesEndedExecution(event('FAILED'), [SM])).toBe(true);
    expect(matchesEndedExecution(event('SUCCEEDED'), [SM])).toBe(false);
    expect(matchesEndedExecution(event('FAILED'), [`${SM}-other`])).toBe(false);
  });

  it('links the execution in the console of its region', () => {
    expect(executionConsoleUrl(EXEC)).toBe(
      `https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/${EXEC}`,
    );
  });
});
