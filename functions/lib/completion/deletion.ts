/**
 * The end of a deletion, in the shapes the delete machine's last steps need (as completion.ts does
 * for provisioning): the record's UpdateItem, already marshalled, and the EventBridge detail.
 * Only the execution that owns the DELETING record may finish it.
 */
import type { Diagnosis } from '../diagnosis/types.js';
import type { DeletionRequest, DeletionStackRef, PollResult } from '../state.js';
import { endedDetail, type RecordUpdate, type RunEventDetail, setUpdate } from './completion.js';

export const DELETION_DETAIL_TYPES = {
  succeeded: 'EKS Cluster Deletion Succeeded',
  failed: 'EKS Cluster Deletion Failed',
} as const;

export interface DeletionEventDetail extends RunEventDetail<'DELETED' | 'FAILED'> {
  finishedAt: string;
}

export interface DeletionCompletion {
  status: 'DELETED' | 'FAILED';
  diagnosis?: Diagnosis;
  recordable: boolean;
  record: RecordUpdate | null;
  event: { detail: DeletionEventDetail };
}

export type DeletionFacts = Partial<DeletionRequest> & {
  stack?: Partial<DeletionStackRef>;
  poll?: Partial<PollResult>;
};

const CONDITION = 'attribute_exists(PK) AND #status = :deleting AND #executionArn = :executionArn';

function recordUpdate(facts: DeletionFacts, fields: Record<string, unknown>): RecordUpdate | null {
  if (!facts.tenantId || !facts.clusterId || !facts.executionArn) return null;
  const names: Record<string, string> = { '#status': 'status', '#executionArn': 'executionArn' };
  const values: Record<string, unknown> = { ':deleting': 'DELETING', ':executionArn': facts.executionArn };
  return setUpdate(facts.tenantId, facts.clusterId, { names, values, sets: [] }, fields, CONDITION);
}

function detail(facts: DeletionFacts, status: 'DELETED' | 'FAILED', now: Date): DeletionEventDetail {
  return endedDetail(facts, facts.stack?.stackId, status, now);
}

export function deletionSucceeded(facts: DeletionFacts, now: Date): DeletionCompletion {
  const total = facts.poll?.progress?.total;
  const record = recordUpdate(facts, {
    status: 'DELETED',
    phase: facts.stack?.alreadyGone ? 'Stack already gone' : 'Deleted',
    ...(typeof total === 'number' ? { progress: { done: total, total } } : {}),
    deletedAt: now.toISOString(),
    updatedAt: now.toISOString(),
  });
  return { status: 'DELETED', recordable: record !== null, record, event: { detail: detail(facts, 'DELETED', now) } };
}

export function deletionFailed(facts: DeletionFacts, diagnosis: Diagnosis, now: Date): DeletionCompletion {
  const progress = facts.poll?.progress;
  const record = recordUpdate(facts, {
    status: 'FAILED',
    phase: 'Deletion failed',
    ...(progress && typeof progress.done === 'number' && typeof progress.total === 'number'
      ? { progress: { done: progress.done, total: progress.total } }
      : {}),
    diagnosis,
    updatedAt: now.toISOString(),
  });
  return {
    status: 'FAILED',
    diagnosis,
    recordable: record !== null,
    record,
    event: { detail: { ...detail(facts, 'FAILED', now), diagnosis } },
  };
}
