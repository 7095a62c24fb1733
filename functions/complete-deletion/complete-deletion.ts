/**
 * CompleteDeletion (delete state machine): the record update and the event for the end of a
 * deletion. `outcome: DELETED` after DELETE_COMPLETE (or a stack already gone); `outcome: FAILED`
 * diagnoses what stopped it — a caught step error (`$.error`, e.g. DELETE_NOT_PERMITTED from
 * DeleteStack) or the stack's own DELETE_FAILED events. Never throws on the FAILED path.
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import {
  type DeletionCompletion,
  type DeletionFacts,
  deletionFailed,
  deletionSucceeded,
} from '../lib/completion/deletion.js';
import { makeDiagnosis } from '../lib/diagnosis/catalog.js';
import { diagnoseDeletion } from '../lib/diagnosis/from-deletion.js';
import { diagnoseStepError } from '../lib/diagnosis/from-step-error.js';
import type { Diagnosis } from '../lib/diagnosis/types.js';
import { readStackEvents } from '../lib/polling/stack-events.js';
import type { CaughtError } from '../lib/state.js';
import { STACK_NAME_PREFIX } from '../lib/template/constants.js';

export interface CompleteDeletionEvent {
  outcome: 'DELETED' | 'FAILED';
  state: DeletionFacts & { error?: CaughtError };
}

export async function completeDeletion(
  event: CompleteDeletionEvent,
  deps: { cloudformation: () => Promise<CloudFormationClient>; now: () => Date },
): Promise<DeletionCompletion> {
  const facts = event.state ?? {};
  if (event.outcome === 'DELETED') return deletionSucceeded(facts, deps.now());
  return deletionFailed(facts, await diagnose(facts, deps), deps.now());
}

async function diagnose(
  facts: CompleteDeletionEvent['state'],
  deps: { cloudformation: () => Promise<CloudFormationClient> },
): Promise<Diagnosis> {
  // Evidence drops undefined; an empty string from the state counts as unknown too.
  const base = {
    stackName: facts.stack?.stackName || undefined,
    stackId: facts.stack?.stackId || undefined,
    region: facts.region || undefined,
    accountId: facts.accountId || undefined,
    clusterId: facts.clusterId || undefined,
  };
  if (facts.error) {
    const d = diagnoseStepError(facts.error, base);
    if (d.code !== 'UNKNOWN') return d;
    // UNKNOWN speaks of provisioning ("Provisioning failed … delete stack X and try again"); a deletion
    // that stopped on machinery (throttling or 5xx past every retry, a function that could not run)
    // is said as a deletion, with the same facts and "delete again".
    const ev = d.evidence ?? {};
    return {
      ...makeDiagnosis('DELETE_FAILED', {
        ...base,
        ...(base.stackName ? {} : facts.name ? { stackName: `${STACK_NAME_PREFIX}${facts.name}` } : {}),
        ...(facts.poll?.stackStatus ? { status: facts.poll.stackStatus } : {}),
        // The reason carries AWS's words (UNKNOWN's `reason` = what kept failing + AWS's message).
        detail: `The service stopped following the deletion: ${String(ev['reason'] ?? 'a step failed')}. CloudFormation may still be deleting the stack.`,
      }),
      retryable: d.retryable,
    };
  }
  if (!facts.stack?.stackName)
    return makeDiagnosis('DELETE_FAILED', { ...base, detail: 'The deletion stopped before the stack was found.' });
  try {
    const cfn = await deps.cloudformation();
    const events = await readStackEvents(cfn, facts.stack.stackId ?? facts.stack.stackName, { maxPages: 5 });
    return diagnoseDeletion(events, {
      stackName: facts.stack.stackName,
      stackId: base.stackId,
      region: base.region,
      accountId: base.accountId,
      roleArn: facts.cluster?.provisionRoleArn || undefined,
      clusterId: base.clusterId,
    });
  } catch (err) {
    // The events could not be read: say so, with what is known.
    return makeDiagnosis('DELETE_FAILED', {
      ...base,
      status: facts.poll?.stackStatus ?? 'DELETE_FAILED',
      detail: `The stack's events could not be read (${String((err as Error)?.name ?? err)}).`,
    });
  }
}
