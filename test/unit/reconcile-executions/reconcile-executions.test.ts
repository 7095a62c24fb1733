/** The reconciler's decisions per run, without AWS (fakes for the index, the record and Step Functions). */
import { describe, expect, it, vi } from 'vitest';
import type { RunningRun } from '../../../functions/lib/store/running-runs.js';
import type { ClusterRecord } from '../../../functions/lib/store/types.js';
import {
  type DescribedExecution,
  type ReconcileDeps,
  reconcileExecutions,
} from '../../../functions/reconcile-executions/reconcile-executions.js';

const NOW = new Date('2026-12-06T12:00:00.000Z');
const SM = 'arn:aws:states:us-east-1:111111111111:stateMachine:eks-provisioner-provision-cluster';
const SESSION_TOKEN = 'IQoJb3JpZ2luX2VjEXAMPLEsessionTOKENvalue1234567890abcdefABCDEF';
/** What AWS answers a mis-signed call: the canonical request, the Lambda's own session token header in it. */
const signatureMismatch = () =>
  Object.assign(
    new Error(
      `The request signature we calculated does not match the signature you provided. The Canonical String for this request should have been 'POST\n/\n\nhost:dynamodb.us-east-1.amazonaws.com\nx-amz-security-token:${SESSION_TOKEN}\n' Credential=ASIAEXAMPLEEXAMPLE12/20261206/us-east-1/dynamodb/aws4_request`,
    ),
    { name: 'InvalidSignatureException' },
  );
const arn = (id: string) => `${SM.replace(':stateMachine:', ':execution:')}:${id}`;

function run(p: Partial<RunningRun> = {}): RunningRun {
  const r = {
    tenantId: 't1',
    clusterId: 'c-a',
    kind: 'create' as const,
    startedAt: '2026-12-06T11:00:00.000Z',
    executionArn: arn('c-a'),
    ...p,
  };
  return { ...r, sortKey: `${r.startedAt}#${r.tenantId}#${r.clusterId}` };
}
function rec(p: Partial<ClusterRecord> = {}): ClusterRecord {
  return {
    id: 'c-a',
    tenantId: 't1',
    name: 'n',
    environmentScope: '*',
    accountId: '222222222222',
    region: 'us-east-1',
    status: 'CREATING',
    phase: 'x',
    progress: { done: 0, total: 1 },
    settings: {} as ClusterRecord['settings'],
    executionArn: arn('c-a'),
    createdAt: '',
    updatedAt: '',
    ...p,
  };
}
function exec(status: DescribedExecution['status']): DescribedExecution {
  return {
    executionArn: arn('c-a'),
    stateMachineArn: SM,
    name: 'c-a',
    status,
    startDate: new Date('2026-12-06T11:00:00Z'),
    ...(status === 'RUNNING' ? {} : { stopDate: new Date('2026-12-06T11:05:00Z') }),
    input: '{"tenantId":"t1","clusterId":"c-a"}',
    error: 'States.Runtime',
    cause: 'boom',
  };
}

function deps(o: { runs: RunningRun[]; records: Array<ClusterRecord | undefined>; execution?: DescribedExecution }) {
  const records = [...o.records];
  const d = {
    runsStartedBefore: vi.fn(async (_cutoff: string) => o.runs),
    getCluster: vi.fn(async () => (records.length > 1 ? records.shift() : records[0])),
    describeExecution: vi.fn(async () => o.execution),
    recordEnded: vi.fn(async () => ({
      action: 'recorded' as const,
      run: 'provisioning' as const,
      tenantId: 't1',
      clusterId: 'c-a',
      code: 'EXECUTION_FAILED' as const,
      marked: true,
    })),
    clearRun: vi.fn(async () => true),
    createExecutionArn: (id: string) => arn(id),
    now: () => NOW,
  } satisfies ReconcileDeps;
  return d;
}

describe('reconcileExecutions', () => {
  it('queries only runs older than the grace', async () => {
    const d = deps({ runs: [], records: [] });
    await reconcileExecutions(d, { graceSeconds: 600 });
    expect(d.runsStartedBefore).toHaveBeenCalledWith('2026-12-06T11:50:00.000Z');
  });

  it('a still-running execution is left alone (record and marker)', async () => {
    const d = deps({ runs: [run()], records: [rec()], execution: exec('RUNNING') });
    const r = await reconcileExecutions(d);
    expect(r.outcomes[0]!.action).toBe('running');
    expect(d.recordEnded).not.toHaveBeenCalled();
    expect(d.clearRun).not.toHaveBeenCalled();
  });

  it('an ended execution of a CREATING record is settled through record-ended-execution with the event Step Functions would have sent, then leaves the index', async () => {
    const d = deps({
      runs: [run()],
      records: [rec(), rec({ status: 'FAILED', endedEventPublished: true })],
      execution: exec('FAILED'),
    });
    const r = await reconcileExecutions(d);
    expect(r).toMatchObject({ checked: 1, settled: 1, errors: 0 });
    const event = d.recordEnded.mock.calls[0]![0 as never] as unknown as {
      source: string;
      detail: Record<string, unknown>;
    };
    expect(event.source).toBe('aws.states');
    expect(event.detail).toMatchObject({
      executionArn: arn('c-a'),
      status: 'FAILED',
      error: 'States.Runtime',
      cause: 'boom',
      input: '{"tenantId":"t1","clusterId":"c-a"}',
      stopDate: Date.parse('2026-12-06T11:05:00Z'),
    });
    expect(d.clearRun).toHaveBeenCalledTimes(1);
  });

  it('keeps the marker when the record still owes something after the attempt (e.g. the Failed event did not go out)', async () => {
    const d = deps({
      runs: [run()],
      records: [rec(), rec({ status: 'FAILED', endedEventPublished: false })],
      execution: exec('TIMED_OUT'),
    });
    const r = await reconcileExecutions(d);
    expect(r.outcomes[0]!.action).toBe('unsettled');
    expect(d.clearRun).not.toHaveBeenCalled();
  });

  it('a record its run already ended leaves the index without asking Step Functions', async () => {
    const d = deps({ runs: [run()], records: [rec({ status: 'CREATED' })], execution: exec('SUCCEEDED') });
    const r = await reconcileExecutions(d);
    expect(r.outcomes[0]).toMatchObject({ action: 'cleared' });
    expect(d.describeExecution).not.toHaveBeenCalled();
    expect(d.clearRun).toHaveBeenCalledTimes(1);
  });

  it('a create run the API started without recording its ARN is looked up by the cluster id', async () => {
    const d = deps({
      runs: [run({ executionArn: undefined })],
      records: [rec({ executionArn: undefined })],
      execution: exec('RUNNING'),
    });
    await reconcileExecutions(d);
    expect(d.describeExecution).toHaveBeenCalledWith(arn('c-a'));
  });

  it('an execution Step Functions does not know is reported and kept', async () => {
    const d = deps({ runs: [run()], records: [rec()], execution: undefined });
    const r = await reconcileExecutions(d);
    expect(r.outcomes[0]!.action).toBe('no-execution');
    expect(d.clearRun).not.toHaveBeenCalled();
  });

  const updating = (status: 'RUNNING' | 'FAILED' | 'SUCCEEDED', executionArn = arn('c-a')) =>
    rec({
      status: 'CREATED',
      executionArn: arn('c-a-create'),
      update: {
        status,
        phase: 'x',
        from: {},
        to: {},
        startedAt: '',
        resources: { done: 0, total: 0 },
        executionArn,
      } as NonNullable<ClusterRecord['update']>,
    });

  it('an ended update run without a settler keeps its marker; with one it is settled, then leaves the index', async () => {
    const without = deps({
      runs: [run({ kind: 'update' })],
      records: [updating('RUNNING')],
      execution: exec('FAILED'),
    });
    expect((await reconcileExecutions(without)).outcomes[0]!.action).toBe('unsettled');
    expect(without.clearRun).not.toHaveBeenCalled();
    const settleUpdate = vi.fn(async () => 'UPDATE_EXECUTION_ENDED');
    // Read before, then read back after the settler: FAILED now.
    const withSettler = {
      ...deps({
        runs: [run({ kind: 'update' })],
        records: [updating('RUNNING'), updating('FAILED')],
        execution: exec('FAILED'),
      }),
      settleUpdate,
    };
    const r = await reconcileExecutions(withSettler);
    expect(r.outcomes[0]).toMatchObject({ action: 'settled', executionArn: arn('c-a') });
    expect(settleUpdate).toHaveBeenCalledTimes(1);
    expect(withSettler.clearRun).toHaveBeenCalledTimes(1);
    expect(withSettler.recordEnded).not.toHaveBeenCalled();
  });

  it('an update run whose settler could not end it keeps its marker (unsettled)', async () => {
    const settleUpdate = vi.fn(async () => 'skipped: status SUCCEEDED needs nothing recorded');
    const d = {
      ...deps({ runs: [run({ kind: 'update' })], records: [updating('RUNNING')], execution: exec('SUCCEEDED') }),
      settleUpdate,
    };
    expect((await reconcileExecutions(d)).outcomes[0]!.action).toBe('unsettled');
    expect(d.clearRun).not.toHaveBeenCalled();
  });

  it('an update run that recorded its own end, or was followed by another, just leaves the index (no Step Functions call)', async () => {
    for (const record of [updating('SUCCEEDED'), updating('RUNNING', arn('c-a-update-3'))]) {
      const settleUpdate = vi.fn(async () => undefined);
      const d = {
        ...deps({ runs: [run({ kind: 'update' })], records: [record], execution: exec('SUCCEEDED') }),
        settleUpdate,
      };
      expect((await reconcileExecutions(d)).outcomes[0]!.action).toBe('cleared');
      expect(d.describeExecution).not.toHaveBeenCalled();
      expect(settleUpdate).not.toHaveBeenCalled();
      expect(d.clearRun).toHaveBeenCalledTimes(1);
    }
  });

  it("an update marker without its ARN reads the run from update.executionArn, never the create run's", async () => {
    const settleUpdate = vi.fn(async () => 'UPDATE_EXECUTION_ENDED');
    const { executionArn: _omit, ...bare } = run({ kind: 'update' });
    const d = {
      ...deps({ runs: [bare], records: [updating('RUNNING'), updating('FAILED')], execution: exec('ABORTED') }),
      settleUpdate,
    };
    expect((await reconcileExecutions(d)).outcomes[0]).toMatchObject({ action: 'settled', executionArn: arn('c-a') });
    expect(d.describeExecution).toHaveBeenCalledWith(arn('c-a'));
  });

  it('one failing run does not stop the sweep; errors are counted', async () => {
    const d = deps({ runs: [run(), run({ clusterId: 'c-b' })], records: [rec()], execution: exec('RUNNING') });
    d.describeExecution.mockRejectedValueOnce(Object.assign(new Error('rate'), { name: 'ThrottlingException' }));
    const r = await reconcileExecutions(d);
    expect(r.errors).toBe(1);
    expect(r.outcomes.map((o) => o.action)).toEqual(['error', 'running']);
  });

  it('an error outcome (logged by the handler) names the error without the secrets in its message', async () => {
    const d = deps({ runs: [run()], records: [rec()], execution: exec('RUNNING') });
    d.describeExecution.mockRejectedValueOnce(signatureMismatch());
    const r = await reconcileExecutions(d);
    expect(r.outcomes[0]).toMatchObject({
      action: 'error',
      detail: expect.stringMatching(/^InvalidSignatureException: The request signature/),
    });
    expect(JSON.stringify(r)).not.toContain(SESSION_TOKEN);
    expect(JSON.stringify(r)).not.toContain('ASIAEXAMPLEEXAMPLE12');
  });
});
