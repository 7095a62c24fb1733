/**
 * PollStackDeletion (delete state machine): one look at the stack's events → status, progress, a
 * phase in words and the adaptive wait before the next look (polling/deletion.ts). At the cap it
 * stops with DELETE_FAILED saying the deletion did not finish in time. A throttled look backs off
 * (polling/throttled.ts) instead of failing.
 */

import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { makeDiagnosis } from '../lib/diagnosis/catalog.js';
import { DiagnosedError } from '../lib/errors.js';
import { decideDeletion, deletionSnapshot } from '../lib/polling/deletion.js';
import { type ResourceGraph, resourceGraph } from '../lib/polling/dependencies.js';
import { readStackEvents } from '../lib/polling/stack-events.js';
import { eventsOrCarryOn } from '../lib/polling/throttled.js';
import type { ReportProgress } from '../lib/progress/progress.js';
import type { DeletionRequest, DeletionStackRef, PollResult } from '../lib/state.js';
import { CLUSTER_TEMPLATE } from '../lib/template/index.js';

export type PollStackDeletionInput = DeletionRequest & { stack: DeletionStackRef; poll?: Partial<PollResult> };

let graph: ResourceGraph | undefined;
const templateGraph = () => (graph ??= resourceGraph(CLUSTER_TEMPLATE));

export async function pollStackDeletion(
  input: PollStackDeletionInput,
  deps: { cloudformation: CloudFormationClient; now: () => Date; maxSeconds: number; progress?: ReportProgress },
): Promise<PollResult> {
  const poll = await lookAtDeletion(input, deps);
  // Progress for GET /v1/clusters/{id} while the stack goes; the run's end writes its own.
  if (poll.outcome === 'IN_PROGRESS')
    await deps.progress?.({ phase: poll.phase, progress: { done: poll.progress.done, total: poll.progress.total } });
  return poll;
}

async function lookAtDeletion(
  input: PollStackDeletionInput,
  deps: { cloudformation: CloudFormationClient; now: () => Date; maxSeconds: number },
): Promise<PollResult> {
  const { stack } = input;
  const ref = stack.stackId ?? stack.stackName;
  // Newest first: the deletion's events are on the first pages.
  // Throttled: keep the last known state and look again later, as PollClusterStack does.
  const look = await eventsOrCarryOn(
    () =>
      readStackEvents(deps.cloudformation, ref, {
        maxPages: 5,
        context: {
          evidence: {
            stackName: stack.stackName,
            ...(stack.stackId ? { stackId: stack.stackId } : {}),
            region: input.region,
          },
        },
      }),
    {
      last: input.poll,
      startedAt: stack.requestedAt,
      now: deps.now(),
      maxSeconds: deps.maxSeconds,
      initial: { stackStatus: 'DELETE_IN_PROGRESS', phase: 'Starting deletion' },
    },
  );
  if ('carryOn' in look) return look.carryOn;
  const { events } = look;
  const snap = deletionSnapshot(events, stack.stackName);
  const polls = (input.poll?.polls ?? 0) + 1;
  const d = decideDeletion(snap, deps.now().getTime(), {
    graph: templateGraph(),
    maxSeconds: deps.maxSeconds,
    requestedAt: Date.parse(stack.requestedAt) || deps.now().getTime(),
    seed: `${ref}#delete#${polls}`,
  });
  if (d.timedOut) {
    throw new DiagnosedError(
      makeDiagnosis('DELETE_FAILED', {
        stackName: stack.stackName,
        ...(stack.stackId ? { stackId: stack.stackId } : {}),
        region: input.region,
        accountId: input.accountId,
        clusterId: input.clusterId,
        status: d.stackStatus,
        detail: `The deletion was still running after ${d.elapsedSeconds} seconds (${d.phase}, ${d.progress.done}/${d.progress.total} resources gone); the service stopped following it. If it completes later, delete the cluster again to record it.`,
      }),
    );
  }
  return {
    outcome: d.outcome,
    stackStatus: d.stackStatus,
    phase: d.phase,
    progress: d.progress,
    nextWaitSeconds: d.nextWaitSeconds,
    elapsedSeconds: d.elapsedSeconds,
    polls,
  };
}
