/**
 * Every CloudFormation stack status, read from the point of view of "we asked for a new stack".
 * The record is exhaustive (a test walks the SDK's StackStatus enum); a status AWS adds later falls
 * back on its suffix.
 */
import type { PollOutcome } from '../state.js';

export const STACK_STATUS_OUTCOME: Record<string, PollOutcome> = {
  CREATE_IN_PROGRESS: 'IN_PROGRESS',
  CREATE_COMPLETE: 'COMPLETE',
  // OnFailure DO_NOTHING (KEEP): the stack stays here for inspection.
  CREATE_FAILED: 'FAILED',
  // OnFailure ROLLBACK: keep following until the rollback ends, so we can say whether it cleaned up.
  ROLLBACK_IN_PROGRESS: 'IN_PROGRESS',
  ROLLBACK_COMPLETE: 'FAILED',
  ROLLBACK_FAILED: 'FAILED',
  // Someone is deleting our stack: the cluster will not come.
  DELETE_IN_PROGRESS: 'FAILED',
  DELETE_COMPLETE: 'FAILED',
  DELETE_FAILED: 'FAILED',
  // Updates only happen after CREATE_COMPLETE (someone changed the stack while we followed it):
  // wait for them to settle; a settled stack still holds the cluster.
  UPDATE_IN_PROGRESS: 'IN_PROGRESS',
  UPDATE_COMPLETE_CLEANUP_IN_PROGRESS: 'IN_PROGRESS',
  UPDATE_COMPLETE: 'COMPLETE',
  UPDATE_FAILED: 'FAILED',
  UPDATE_ROLLBACK_IN_PROGRESS: 'IN_PROGRESS',
  UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS: 'IN_PROGRESS',
  UPDATE_ROLLBACK_COMPLETE: 'COMPLETE',
  UPDATE_ROLLBACK_FAILED: 'FAILED',
  // A change set nobody executed (not something CreateStack makes): the cap ends the wait.
  REVIEW_IN_PROGRESS: 'IN_PROGRESS',
  IMPORT_IN_PROGRESS: 'IN_PROGRESS',
  IMPORT_COMPLETE: 'COMPLETE',
  IMPORT_ROLLBACK_IN_PROGRESS: 'IN_PROGRESS',
  IMPORT_ROLLBACK_COMPLETE: 'COMPLETE',
  IMPORT_ROLLBACK_FAILED: 'FAILED',
};

export function classifyStackStatus(status: string): PollOutcome {
  const known = STACK_STATUS_OUTCOME[status];
  if (known) return known;
  if (status.endsWith('_IN_PROGRESS')) return 'IN_PROGRESS';
  if (status.endsWith('_COMPLETE')) return 'COMPLETE';
  return 'FAILED';
}
