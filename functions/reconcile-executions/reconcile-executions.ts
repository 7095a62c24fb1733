/**
 * ReconcileExecutions: the scheduled sweep behind record-ended-execution. Step Functions delivers
 * "Execution Status Change" events best-effort, and an event that is lost (or whose target failed
 * past its retries) would leave a record CREATING / DELETING — its name claimed — forever. So every
 * few minutes this reads the RunningRuns sparse index (runs that started more than `graceSeconds`
 * ago: a Query whose cost follows what is running), asks Step Functions about each run's
 * execution, and settles the runs that have ended exactly as the status-change handler would: the
 * same conditional update, the same diagnoses (EXECUTION_* / DELETE_EXECUTION_*), the same one
 * Failed event. Racing the handler is harmless: whichever update wins publishes, the other skips.
 *
 * A run whose record has moved on (its run recorded its own end) just leaves the index. An update
 * run (record CREATED with `runKind: update`, owed while `update` is RUNNING on that execution) is
 * settled by `settleUpdate` (the handler's records it through record-ended-execution, as the lost
 * event would have); without one its marker is kept and reported.
 */
import { errorSummary } from '../lib/aws/aws-error.js';
import {
  type ExecutionStatus,
  type ExecutionStatusChangeEvent,
  statusChangeEvent,
} from '../lib/execution-status/event.js';
import type { RunningRun } from '../lib/store/running-runs.js';
import type { ClusterRecord } from '../lib/store/types.js';
import type { RecordEndedExecutionResult } from '../record-ended-execution/record-ended-execution.js';

/** What DescribeExecution says (dates as Date, as the SDK gives them). */
export interface DescribedExecution {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  input?: string;
  output?: string;
  error?: string;
  cause?: string;
}

export interface ReconcileDeps {
  /** RunningRuns entries whose run started before `cutoff` (ISO-8601). */
  runsStartedBefore(cutoff: string): Promise<RunningRun[]>;
  getCluster(tenantId: string, clusterId: string): Promise<ClusterRecord | undefined>;
  /** Undefined when Step Functions does not know the execution (ExecutionDoesNotExist). */
  describeExecution(executionArn: string): Promise<DescribedExecution | undefined>;
  /** record-ended-execution's core, given the status-change event Step Functions would have sent. */
  recordEnded(event: ExecutionStatusChangeEvent): Promise<RecordEndedExecutionResult>;
  /**
   * Settles an ended update run (the record's `update` becomes FAILED with UPDATE_EXECUTION_ENDED,
   * one Update Failed event); answers what it did. Without it update markers are kept and reported.
   */
  settleUpdate?(run: RunningRun, execution: DescribedExecution): Promise<string | undefined>;
  /** Removes the run's marker if the record still carries it; false when it moved on. */
  clearRun(run: RunningRun): Promise<boolean>;
  /** The execution ARN of a create run the API started (named by the cluster id) before the run recorded it. */
  createExecutionArn(clusterId: string): string;
  now(): Date;
}

export interface ReconcileOptions {
  /** Runs younger than this are left to the status-change event (default RECONCILE_GRACE_SECONDS). */
  graceSeconds?: number;
}

/**
 * 10 minutes: a lost event is the rare case; a healthy status-change delivery (EventBridge, then
 * Lambda's async retries one and two minutes apart) is over well before, so the sweep does not
 * ask Step Functions about runs whose own event is still on its way.
 */
export const RECONCILE_GRACE_SECONDS = 600;
/**
 * The schedule: every 5 minutes. A lost end is settled within grace + 5 minutes; 288 sweeps a day,
 * each one Query plus one DescribeExecution per run older than the grace — pennies, and well
 * under DescribeExecution's throttle even with hundreds of runs in flight.
 */
export const RECONCILE_PERIOD_SECONDS = 300;

export type RunOutcome =
  | {
      action: 'running' | 'cleared' | 'settled' | 'no-execution' | 'unsettled';
      kind: RunningRun['kind'];
      tenantId: string;
      clusterId: string;
      executionArn?: string;
      detail?: string;
    }
  | {
      action: 'error';
      kind: RunningRun['kind'];
      tenantId: string;
      clusterId: string;
      executionArn?: string;
      detail: string;
    };

export interface ReconcileResult {
  checked: number;
  outcomes: RunOutcome[];
  /** Runs this sweep settled (their record left CREATING / DELETING here). */
  settled: number;
  errors: number;
}

const RUNNING_STATUS: Record<'create' | 'delete', ClusterRecord['status']> = { create: 'CREATING', delete: 'DELETING' };

/** Whether the record still says this run is going on (or owes its Failed event), so it must be looked at. */
function stillOwed(run: RunningRun, record: ClusterRecord, executionArn: string): boolean {
  // An update run leaves the record CREATED: it is owed while `update` still names it RUNNING.
  if (run.kind === 'update') return record.update?.executionArn === executionArn && record.update.status === 'RUNNING';
  if (record.executionArn && record.executionArn !== executionArn) return false; // another run owns it now
  if (record.status === RUNNING_STATUS[run.kind]) return true;
  // Ended by record-ended-execution, whose Failed event did not go out yet: its retry is owed.
  return record.status === 'FAILED' && record.endedEventPublished === false;
}

/** The event Step Functions would have put on the bus for this ended execution. */
export function statusChangeOf(x: DescribedExecution): ExecutionStatusChangeEvent {
  const [, , , region = '', account = ''] = x.executionArn.split(':');
  return statusChangeEvent({
    account,
    region,
    executionArn: x.executionArn,
    stateMachineArn: x.stateMachineArn,
    name: x.name,
    status: x.status,
    startDate: x.startDate.getTime(),
    stopDate: x.stopDate ? x.stopDate.getTime() : null,
    input: x.input ?? null,
    output: x.output ?? null,
    error: x.error ?? null,
    cause: x.cause ?? null,
  });
}

export async function reconcileExecutions(deps: ReconcileDeps, o: ReconcileOptions = {}): Promise<ReconcileResult> {
  const grace = o.graceSeconds ?? RECONCILE_GRACE_SECONDS;
  const cutoff = new Date(deps.now().getTime() - grace * 1000).toISOString();
  const runs = await deps.runsStartedBefore(cutoff);
  const outcomes: RunOutcome[] = [];
  for (const run of runs) {
    try {
      outcomes.push(await reconcileRun(run, deps));
    } catch (e) {
      // One bad record must not stop the sweep; the handler reports the errors after it.
      outcomes.push({
        action: 'error',
        kind: run.kind,
        tenantId: run.tenantId,
        clusterId: run.clusterId,
        ...(run.executionArn ? { executionArn: run.executionArn } : {}),
        detail: errorSummary(e),
      });
    }
  }
  return {
    checked: runs.length,
    outcomes,
    settled: outcomes.filter((x) => x.action === 'settled').length,
    errors: outcomes.filter((x) => x.action === 'error').length,
  };
}

async function reconcileRun(run: RunningRun, deps: ReconcileDeps): Promise<RunOutcome> {
  const base = { kind: run.kind, tenantId: run.tenantId, clusterId: run.clusterId };
  const record = await deps.getCluster(run.tenantId, run.clusterId);
  if (!record) {
    await deps.clearRun(run);
    return { action: 'cleared', ...base, detail: 'no such record' };
  }
  // An update's run is named in `update.executionArn` (the record's own executionArn is its create run's).
  const executionArn =
    run.executionArn ??
    (run.kind === 'update'
      ? record.update?.executionArn
      : (record.executionArn ?? (run.kind === 'create' ? deps.createExecutionArn(run.clusterId) : undefined)));
  if (!executionArn) return { action: 'no-execution', ...base, detail: 'the run names no execution' };
  const withArn = { ...base, executionArn };
  if (!stillOwed(run, record, executionArn)) {
    await deps.clearRun(run);
    return { action: 'cleared', ...withArn, detail: `the record is ${record.status}` };
  }
  const execution = await deps.describeExecution(executionArn);
  // Never started (or its history expired): nothing to read an end from. Reported, left for a person.
  if (!execution) return { action: 'no-execution', ...withArn, detail: 'Step Functions does not know the execution' };
  if (execution.status === 'RUNNING' || execution.status === 'PENDING_REDRIVE')
    return { action: 'running', ...withArn };

  if (run.kind === 'update') {
    if (!deps.settleUpdate)
      return {
        action: 'unsettled',
        ...withArn,
        detail: `update run ended ${execution.status}; no update settler is installed`,
      };
    const detail = await deps.settleUpdate(run, execution);
    const after = await deps.getCluster(run.tenantId, run.clusterId);
    if (after && stillOwed(run, after, executionArn)) {
      return {
        action: 'unsettled',
        ...withArn,
        detail: `update run ended ${execution.status}; ${detail ?? 'not settled'}; update still ${after.update?.status}`,
      };
    }
    await deps.clearRun(run);
    return { action: 'settled', ...withArn, detail: `${execution.status} → ${detail ?? 'settled'}` };
  }

  const result = await deps.recordEnded(statusChangeOf(execution));
  // Read back: the marker goes only once the record no longer owes anything for this run.
  const after = await deps.getCluster(run.tenantId, run.clusterId);
  if (after && stillOwed(run, after, executionArn)) {
    return {
      action: 'unsettled',
      ...withArn,
      detail: `execution ${execution.status}; ${result.action === 'skipped' ? result.reason : result.action}; record still ${after.status}`,
    };
  }
  await deps.clearRun(run);
  return result.action === 'skipped'
    ? { action: 'cleared', ...withArn, detail: result.reason }
    : { action: 'settled', ...withArn, detail: `${execution.status} → ${result.code}` };
}
