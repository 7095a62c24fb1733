/**
 * RecordEndedExecution: the backstop for runs that ended without their own failure handling. Step
 * Functions' "Execution Status Change" event (FAILED, TIMED_OUT, ABORTED) arrives through an
 * EventBridge rule; if the execution's cluster record is still CREATING — a timeout, StopExecution,
 * the history quota or a States.Runtime error ended it before its Catch could run — the record
 * becomes FAILED with a diagnosis that says what ended it, and the Failed event goes out. The record
 * update is conditional (still CREATING, same execution), so a run that recorded its own failure,
 * or a redelivered event, changes nothing and publishes nothing.
 */
import { redactSecrets } from '../lib/aws/aws-error.js';
import { failed, type ProvisioningEventDetail, type RecordUpdate } from '../lib/completion/completion.js';
import { makeDiagnosis } from '../lib/diagnosis/catalog.js';
import type { Diagnosis, DiagnosisCode } from '../lib/diagnosis/types.js';
import { ENDED_WITHOUT_CATCH, type ExecutionStatusChangeEvent } from '../lib/execution-status/event.js';
import type { ClusterRecord } from '../lib/store/types.js';
import { clusterIdForExecution } from '../lib/cluster-ids.js';

export interface RecordEndedExecutionDeps {
  getCluster(tenantId: string, clusterId: string): Promise<ClusterRecord | undefined>;
  /** Applies the conditional update; false when its condition failed (no longer this run's CREATING record). */
  updateRecord(update: RecordUpdate): Promise<boolean>;
  publishFailed(detail: ProvisioningEventDetail, resources: string[]): Promise<void>;
  now(): Date;
}

export type RecordEndedExecutionResult =
  | { action: 'recorded'; tenantId: string; clusterId: string; code: DiagnosisCode }
  | { action: 'skipped'; reason: string };

const CODE_BY_STATUS: Record<(typeof ENDED_WITHOUT_CATCH)[number], DiagnosisCode> = {
  TIMED_OUT: 'EXECUTION_TIMED_OUT',
  ABORTED: 'EXECUTION_ABORTED',
  FAILED: 'EXECUTION_FAILED',
};

/** The execution's page in the Step Functions console. */
export function executionConsoleUrl(executionArn: string): string {
  const [, partition = 'aws', , region = 'us-east-1'] = executionArn.split(':');
  const host = partition === 'aws-cn' ? `${region}.console.amazonaws.cn` : partition === 'aws-us-gov' ? `console.amazonaws-us-gov.com` : `${region}.console.aws.amazon.com`;
  return `https://${host}/states/home?region=${region}#/v2/executions/details/${executionArn}`;
}

/** `arn:aws:cloudformation:<region>:<acct>:stack/<name>/<id>` → name. Only a stack that was created has one. */
function stackNameOf(stackId: string | undefined): string | undefined {
  return stackId ? /:stack\/([^/]+)\//.exec(stackId)?.[1] : undefined;
}

function parseInput(input: unknown): { tenantId?: string; clusterId?: string } {
  if (typeof input !== 'string') return {};
  try {
    const o = JSON.parse(input) as Record<string, unknown>;
    if (!o || typeof o !== 'object') return {};
    return {
      ...(typeof o['tenantId'] === 'string' && o['tenantId'] ? { tenantId: o['tenantId'] } : {}),
      ...(typeof o['clusterId'] === 'string' && o['clusterId'] ? { clusterId: o['clusterId'] } : {}),
    };
  } catch {
    return {};
  }
}

/** The diagnosis for how the execution ended (error and cause redacted and kept short). */
export function endedDiagnosis(status: keyof typeof CODE_BY_STATUS, d: { executionArn: string; error?: string | null; cause?: string | null; stackName?: string }): Diagnosis {
  const clip = (v: string | null | undefined) => (v ? redactSecrets(v).slice(0, 500) : undefined);
  return makeDiagnosis(CODE_BY_STATUS[status], {
    executionArn: d.executionArn,
    consoleUrl: executionConsoleUrl(d.executionArn),
    ...(clip(d.error) ? { error: clip(d.error)! } : {}),
    ...(clip(d.cause) ? { cause: clip(d.cause)! } : {}),
    ...(d.stackName ? { stackName: d.stackName } : {}),
  });
}

export async function recordEndedExecution(event: ExecutionStatusChangeEvent, deps: RecordEndedExecutionDeps): Promise<RecordEndedExecutionResult> {
  const d = event?.detail;
  if (!d || typeof d.executionArn !== 'string') return { action: 'skipped', reason: 'not an execution status change' };
  const status = d.status as keyof typeof CODE_BY_STATUS;
  if (!(status in CODE_BY_STATUS)) return { action: 'skipped', reason: `status ${String(d.status)} needs nothing recorded` };

  const given = parseInput(d.input);
  if (!given.tenantId) return { action: 'skipped', reason: 'the execution input names no tenant, so there is no record' };
  // Console executions get their cluster id from the execution ARN (ValidateRequest does the same).
  const clusterId = given.clusterId ?? clusterIdForExecution(d.executionArn);
  const record = await deps.getCluster(given.tenantId, clusterId);
  if (!record) return { action: 'skipped', reason: `no cluster record ${clusterId} for this tenant` };
  if (record.status !== 'CREATING') return { action: 'skipped', reason: `the record is already ${record.status}` };
  if (record.executionArn && record.executionArn !== d.executionArn) return { action: 'skipped', reason: 'the record belongs to another execution' };

  const diagnosis = endedDiagnosis(status, { executionArn: d.executionArn, error: d.error ?? null, cause: d.cause ?? null, ...(stackNameOf(record.stackId) ? { stackName: stackNameOf(record.stackId)! } : {}) });
  const completion = failed(
    {
      tenantId: record.tenantId,
      clusterId: record.id,
      name: record.name,
      environmentScope: record.environmentScope,
      accountId: record.accountId,
      region: record.region,
      ...(record.stackId ? { stackId: record.stackId } : {}),
      executionArn: d.executionArn,
      startedAt: new Date(d.startDate).toISOString(),
      poll: { phase: record.phase, progress: record.progress, outcome: 'IN_PROGRESS' },
    },
    diagnosis,
    deps.now(),
  );
  if (!completion.record || !(await deps.updateRecord(completion.record))) {
    return { action: 'skipped', reason: 'the record left CREATING meanwhile' };
  }
  // Only the update's winner publishes: one Failed event per run.
  await deps.publishFailed(completion.event.detail, [d.executionArn, d.stateMachineArn]);
  return { action: 'recorded', tenantId: record.tenantId, clusterId: record.id, code: diagnosis.code };
}
