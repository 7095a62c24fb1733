/**
 * RecordEndedExecution: the backstop for runs that ended without their own failure handling. Step
 * Functions' "Execution Status Change" event (FAILED, TIMED_OUT, ABORTED) of either state machine
 * arrives through an EventBridge rule; if the execution's cluster record is still CREATING or
 * DELETING for that very execution — a timeout, StopExecution, the history quota or a States.Runtime
 * error ended it before its Catch could run — the record becomes FAILED with a diagnosis that says
 * what ended it, and the matching Failed event goes out (Provisioning Failed / Deletion Failed). A
 * deletion's FAILED record may be deleted again, which picks the stack up where it is.
 *
 * The event at least once, and once in the normal path and on redelivery: the record update is
 * conditional (same status, same execution), so a run that recorded its own end, or a newer run, is
 * never touched; the winning update also stores the event and `endedEventPublished: false`, flipped
 * to true (and the stored copy dropped) only after PutEvents succeeded. When PutEvents fails the
 * handler throws, EventBridge retries, and the retry finds this execution's FAILED record still
 * unpublished and sends the stored event. (Two deliveries racing between PutEvents and the mark can
 * still both send it: the at-least-once side of the trade.)
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import { redactSecrets } from '../lib/aws/aws-error.js';
import { clusterIdForExecution } from '../lib/cluster-ids.js';
import { DETAIL_TYPES, failed, type RecordUpdate, setUpdate } from '../lib/completion/completion.js';
import { DELETION_DETAIL_TYPES, deletionFailed } from '../lib/completion/deletion.js';
import { makeDiagnosis } from '../lib/diagnosis/catalog.js';
import type { Diagnosis, DiagnosisCode } from '../lib/diagnosis/types.js';
import type { ENDED_WITHOUT_CATCH, ExecutionStatusChangeEvent } from '../lib/execution-status/event.js';
import type { ClusterRecord, PendingEndedEvent } from '../lib/store/types.js';
import { STACK_NAME_PREFIX } from '../lib/template/constants.js';

export interface RecordEndedExecutionDeps {
  getCluster(tenantId: string, clusterId: string): Promise<ClusterRecord | undefined>;
  /** Applies the conditional update; false when its condition failed (the record moved on). */
  updateRecord(update: RecordUpdate): Promise<boolean>;
  /** PutEvents of one entry on the service's bus; throws when it was not accepted. */
  publish(detailType: string, detail: PendingEndedEvent['detail'], resources: string[]): Promise<void>;
  now(): Date;
}

export type RecordEndedExecutionResult =
  | {
      action: 'recorded' | 'republished';
      run: 'provisioning' | 'deletion' | 'update';
      tenantId: string;
      clusterId: string;
      code: DiagnosisCode;
      marked: boolean;
      markError?: string;
    }
  | { action: 'skipped'; reason: string };

const CODE_BY_STATUS: Record<(typeof ENDED_WITHOUT_CATCH)[number], DiagnosisCode> = {
  TIMED_OUT: 'EXECUTION_TIMED_OUT',
  ABORTED: 'EXECUTION_ABORTED',
  FAILED: 'EXECUTION_FAILED',
};

const DELETION_CODE_BY_STATUS: Record<(typeof ENDED_WITHOUT_CATCH)[number], DiagnosisCode> = {
  TIMED_OUT: 'DELETE_EXECUTION_TIMED_OUT',
  ABORTED: 'DELETE_EXECUTION_ABORTED',
  FAILED: 'DELETE_EXECUTION_FAILED',
};

/** The execution's page in the Step Functions console. */
export function executionConsoleUrl(executionArn: string): string {
  const [, partition = 'aws', , region = 'us-east-1'] = executionArn.split(':');
  const host =
    partition === 'aws-cn'
      ? `${region}.console.amazonaws.cn`
      : partition === 'aws-us-gov'
        ? `console.amazonaws-us-gov.com`
        : `${region}.console.aws.amazon.com`;
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
export function endedDiagnosis(
  status: keyof typeof CODE_BY_STATUS,
  d: { executionArn: string; error?: string | null; cause?: string | null; stackName?: string },
  deletion?: { clusterId: string; region: string; stackId?: string },
): Diagnosis {
  const clip = (v: string | null | undefined) => (v ? redactSecrets(v).slice(0, 500) || undefined : undefined);
  return makeDiagnosis((deletion ? DELETION_CODE_BY_STATUS : CODE_BY_STATUS)[status], {
    executionArn: d.executionArn,
    consoleUrl: executionConsoleUrl(d.executionArn),
    error: clip(d.error),
    cause: clip(d.cause),
    stackName: d.stackName || undefined,
    clusterId: deletion?.clusterId,
    region: deletion?.region,
    stackId: deletion?.stackId || undefined,
  });
}

export async function recordEndedExecution(
  event: ExecutionStatusChangeEvent,
  deps: RecordEndedExecutionDeps,
): Promise<RecordEndedExecutionResult> {
  const d = event?.detail;
  if (!d || typeof d.executionArn !== 'string') return { action: 'skipped', reason: 'not an execution status change' };
  const status = d.status as keyof typeof CODE_BY_STATUS;
  if (!(status in CODE_BY_STATUS))
    return { action: 'skipped', reason: `status ${String(d.status)} needs nothing recorded` };

  const given = parseInput(d.input);
  if (!given.tenantId)
    return { action: 'skipped', reason: 'the execution input names no tenant, so there is no record' };
  // Console executions get their cluster id from the execution ARN (ValidateRequest does the same).
  const clusterId = given.clusterId ?? clusterIdForExecution(d.executionArn);
  const record = await deps.getCluster(given.tenantId, clusterId);
  if (!record) return { action: 'skipped', reason: `no cluster record ${clusterId} for this tenant` };
  // An update run: the record stays CREATED and names the run in `update.executionArn`.
  if (record.update?.executionArn === d.executionArn) return updateRunEnded(record, status, d, deps);
  if (record.executionArn && record.executionArn !== d.executionArn)
    return { action: 'skipped', reason: 'the record belongs to another execution' };
  const resources = [d.executionArn, d.stateMachineArn];

  // A retry after PutEvents failed: this execution ended the record here, the event is not out yet.
  const kept = record.pendingEndedEvent;
  if (
    record.status === 'FAILED' &&
    record.executionArn === d.executionArn &&
    record.endedEventPublished === false &&
    kept?.detail.executionArn === d.executionArn
  ) {
    await deps.publish(kept.detailType, kept.detail, resources);
    return { action: 'republished', ...ended(record, kept), ...(await markPublished(record, d.executionArn, deps)) };
  }
  if (record.status !== 'CREATING' && record.status !== 'DELETING')
    return { action: 'skipped', reason: `the record is already ${record.status}` };
  // A deletion's record always names its execution (RecordDeleting and the API set it).
  if (record.status === 'DELETING' && record.executionArn !== d.executionArn)
    return { action: 'skipped', reason: 'the record belongs to another execution' };

  const pending =
    record.status === 'CREATING'
      ? provisioningEnd(record, status, d, deps.now())
      : deletionEnd(record, status, d, deps.now());
  if (!pending) return { action: 'skipped', reason: 'the record cannot be updated' };
  if (!(await deps.updateRecord(withPendingEvent(pending.update, pending.event)))) {
    return { action: 'skipped', reason: `the record left ${record.status} meanwhile` };
  }
  // Only the update's winner publishes: one Failed event per run. If this throws, the retry above sends it.
  await deps.publish(pending.event.detailType, pending.event.detail, resources);
  return {
    action: 'recorded',
    ...ended(record, pending.event),
    ...(await markPublished(record, d.executionArn, deps)),
  };
}

/** The failed-update event detail (as the update machine's own NotifyUpdateFailed sends it). */
export const UPDATE_FAILED_DETAIL_TYPE = 'EKS Cluster Update Failed';

/**
 * An update run that ended without its Catch: `update` becomes FAILED with what ended it (the
 * cluster stays CREATED: CloudFormation finishes or rolls back the change set on its own, and the
 * next PATCH is allowed), and one Update Failed event. The event goes out first, then the conditional
 * write: a redelivery after a lost write sends it again (at least once), never after the write won.
 */
async function updateRunEnded(
  record: ClusterRecord,
  status: keyof typeof CODE_BY_STATUS,
  d: ExecutionStatusChangeEvent['detail'],
  deps: RecordEndedExecutionDeps,
): Promise<RecordEndedExecutionResult> {
  const u = record.update!;
  if (u.status !== 'RUNNING') return { action: 'skipped', reason: `the update already ended ${u.status}` };
  const now = deps.now();
  const words = { TIMED_OUT: 'reached its time limit', ABORTED: 'was stopped', FAILED: 'failed' } as const;
  const diagnosis = makeDiagnosis('UPDATE_EXECUTION_ENDED', {
    ended: words[status],
    executionArn: d.executionArn,
    consoleUrl: executionConsoleUrl(d.executionArn),
    region: record.region,
    stackName: stackNameOf(record.stackId) ?? `${STACK_NAME_PREFIX}${record.name}`,
    error: d.error ? redactSecrets(d.error).slice(0, 500) : undefined,
    cause: d.cause ? redactSecrets(d.cause).slice(0, 500) : undefined,
  });
  const finishedAt = now.toISOString();
  const detail = {
    ...runOf(record, d),
    status: 'UPDATE_FAILED',
    stackId: record.stackId ?? null,
    finishedAt,
    durationSeconds: Math.max(0, Math.round((now.getTime() - new Date(d.startDate).getTime()) / 1000)),
    from: u.from,
    to: u.to,
    diagnosis,
  };
  await deps.publish(UPDATE_FAILED_DETAIL_TYPE, detail as unknown as PendingEndedEvent['detail'], [
    d.executionArn,
    d.stateMachineArn,
  ]);
  const update = setUpdate(
    record.tenantId,
    record.id,
    {
      names: { '#u': 'update', '#ux': 'executionArn', '#us': 'status' },
      values: { ':arn': d.executionArn, ':running': 'RUNNING' },
      sets: [],
    },
    { update: { ...u, status: 'FAILED', phase: diagnosis.title, finishedAt, diagnosis }, updatedAt: finishedAt },
    'attribute_exists(PK) AND #u.#ux = :arn AND #u.#us = :running',
  );
  if (!(await deps.updateRecord(update))) return { action: 'skipped', reason: 'the update ended meanwhile' };
  return {
    action: 'recorded',
    run: 'update',
    tenantId: record.tenantId,
    clusterId: record.id,
    code: diagnosis.code,
    marked: true,
  };
}

/** The run the record and the ended execution describe, as both completions want it. */
function runOf(r: ClusterRecord, d: ExecutionStatusChangeEvent['detail']) {
  return {
    tenantId: r.tenantId,
    clusterId: r.id,
    name: r.name,
    environmentScope: r.environmentScope,
    accountId: r.accountId,
    region: r.region,
    executionArn: d.executionArn,
    startedAt: new Date(d.startDate).toISOString(),
  };
}

function provisioningEnd(
  r: ClusterRecord,
  st: keyof typeof CODE_BY_STATUS,
  det: ExecutionStatusChangeEvent['detail'],
  now: Date,
) {
  const diagnosis = endedDiagnosis(st, {
    executionArn: det.executionArn,
    error: det.error ?? null,
    cause: det.cause ?? null,
    ...(stackNameOf(r.stackId) ? { stackName: stackNameOf(r.stackId)! } : {}),
  });
  const completion = failed(
    {
      ...runOf(r, det),
      ...(r.stackId ? { stackId: r.stackId } : {}),
      poll: { phase: r.phase, progress: r.progress, outcome: 'IN_PROGRESS' },
    },
    diagnosis,
    now,
  );
  return completion.record
    ? { update: completion.record, event: { detailType: DETAIL_TYPES.failed, detail: completion.event.detail } }
    : undefined;
}

function deletionEnd(
  r: ClusterRecord,
  status: keyof typeof CODE_BY_STATUS,
  d: ExecutionStatusChangeEvent['detail'],
  now: Date,
) {
  const stackName = stackNameOf(r.stackId) ?? `${STACK_NAME_PREFIX}${r.name}`;
  const diagnosis = endedDiagnosis(
    status,
    { executionArn: d.executionArn, error: d.error ?? null, cause: d.cause ?? null, stackName },
    { clusterId: r.id, region: r.region, ...(r.stackId ? { stackId: r.stackId } : {}) },
  );
  const completion = deletionFailed(
    {
      ...runOf(r, d),
      stack: { stackName, ...(r.stackId ? { stackId: r.stackId } : {}) },
      poll: { progress: r.progress },
    },
    diagnosis,
    now,
  );
  return completion.record
    ? {
        update: completion.record,
        event: { detailType: DELETION_DETAIL_TYPES.failed, detail: completion.event.detail },
      }
    : undefined;
}

function ended(record: ClusterRecord, event: PendingEndedEvent) {
  const deletion = event.detailType === DELETION_DETAIL_TYPES.failed;
  return {
    run: deletion ? ('deletion' as const) : ('provisioning' as const),
    tenantId: record.tenantId,
    clusterId: record.id,
    code: event.detail.diagnosis?.code ?? 'UNKNOWN',
  };
}

/** The winning update also keeps the event and an unpublished mark, so a retry can send it. */
function withPendingEvent(update: RecordUpdate, event: PendingEndedEvent): RecordUpdate {
  return {
    ...update,
    UpdateExpression: `${update.UpdateExpression}, #endedEventPublished = :endedEventPublished, #pendingEndedEvent = :pendingEndedEvent`,
    ExpressionAttributeNames: {
      ...update.ExpressionAttributeNames,
      '#endedEventPublished': 'endedEventPublished',
      '#pendingEndedEvent': 'pendingEndedEvent',
    },
    ExpressionAttributeValues: {
      ...update.ExpressionAttributeValues,
      ...marshall(
        { ':endedEventPublished': false, ':pendingEndedEvent': event },
        { removeUndefinedValues: true, convertClassInstanceToMap: true },
      ),
    },
  };
}

/**
 * After PutEvents: mark the record (only this execution's, only while unpublished) and drop the kept
 * copy. A failed mark is reported, not thrown: the event is out, and a retry would send it twice.
 */
async function markPublished(
  record: ClusterRecord,
  executionArn: string,
  deps: RecordEndedExecutionDeps,
): Promise<{ marked: boolean; markError?: string }> {
  const update = markPublishedUpdate(record.tenantId, record.id, executionArn);
  try {
    return { marked: await deps.updateRecord(update) };
  } catch (e) {
    return { marked: false, markError: String((e as Error)?.name ?? e) };
  }
}

export function markPublishedUpdate(tenantId: string, clusterId: string, executionArn: string): RecordUpdate {
  const u = setUpdate(
    tenantId,
    clusterId,
    {
      names: { '#executionArn': 'executionArn', '#pendingEndedEvent': 'pendingEndedEvent' },
      values: { ':executionArn': executionArn, ':false': false },
      sets: [],
    },
    { endedEventPublished: true },
    'attribute_exists(PK) AND #executionArn = :executionArn AND #endedEventPublished = :false',
  );
  return { ...u, UpdateExpression: `${u.UpdateExpression} REMOVE #pendingEndedEvent` };
}
