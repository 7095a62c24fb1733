/**
 * PollClusterStack: one look at the stack (its events), turned into status, progress, a phase a
 * person understands and the adaptive wait before the next look (polling/plan.ts). At the
 * configured cap it stops with PROVISIONING_TIMEOUT (a Diagnosed error, so the state machine's
 * Catch takes it to DiagnoseFailure like any other failure).
 */

import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { makeDiagnosis } from '../lib/diagnosis/catalog.js';
import { DiagnosedError } from '../lib/errors.js';
import { type ResourceGraph, resourceGraph } from '../lib/polling/dependencies.js';
import { decide } from '../lib/polling/plan.js';
import { readStackEvents } from '../lib/polling/stack-events.js';
import { eventsOrCarryOn } from '../lib/polling/throttled.js';
import { snapshotFromEvents } from '../lib/polling/timeline.js';
import type { ReportProgress } from '../lib/progress/progress.js';
import type { PollResult, StackRef, ValidatedRequest } from '../lib/state.js';
import { CLUSTER_TEMPLATE } from '../lib/template/index.js';

export type PollClusterStackInput = ValidatedRequest & { stack: StackRef; poll?: Partial<PollResult> };

let graph: ResourceGraph | undefined;
const templateGraph = () => (graph ??= resourceGraph(CLUSTER_TEMPLATE));

/** Resources this cluster's stack will have: every unconditional one, plus the admin and deploy slots in use. */
export function expectedResources(g: ResourceGraph, adminCount: number, deployCount = 0): string[] {
  return Object.keys(g.types).filter((id) => {
    if (!g.conditional[id]) return true;
    const slot = /^(Admin|Deploy)AccessEntry(\d+)$/.exec(id);
    return slot ? Number(slot[2]) <= (slot[1] === 'Admin' ? adminCount : deployCount) : false;
  });
}

export async function pollClusterStack(
  input: PollClusterStackInput,
  deps: {
    cloudformation: CloudFormationClient;
    now: () => Date;
    maxProvisioningSeconds: number;
    progress?: ReportProgress;
  },
): Promise<PollResult> {
  const poll = await lookAtStack(input, deps);
  // Progress for GET /v1/clusters/{id} while the stack builds; the run's end writes its own.
  if (poll.outcome === 'IN_PROGRESS')
    await deps.progress?.({ phase: poll.phase, progress: { done: poll.progress.done, total: poll.progress.total } });
  return poll;
}

async function lookAtStack(
  input: PollClusterStackInput,
  deps: { cloudformation: CloudFormationClient; now: () => Date; maxProvisioningSeconds: number },
): Promise<PollResult> {
  const { stack } = input;
  const look = await eventsOrCarryOn(
    () =>
      readStackEvents(deps.cloudformation, stack.stackId, {
        maxPages: 10,
        context: { evidence: { stackName: stack.stackName, stackId: stack.stackId, region: input.region } },
      }),
    {
      last: input.poll,
      startedAt: stack.createdAt,
      now: deps.now(),
      maxSeconds: deps.maxProvisioningSeconds,
      initial: { stackStatus: 'CREATE_IN_PROGRESS', phase: 'Creating the cluster stack' },
    },
  );
  if ('carryOn' in look) return look.carryOn;
  const { events } = look;
  const snap = snapshotFromEvents(events, stack.stackName);
  const now = deps.now().getTime();
  const polls = (input.poll?.polls ?? 0) + 1;
  const createdAt = Date.parse(stack.createdAt) || snap.createdAt || now;
  const g = templateGraph();
  const d = decide(snap, now, {
    graph: g,
    expected: expectedResources(
      g,
      input.cluster.adminPrincipalArns?.length ?? 0,
      input.cluster.managed ? (input.cluster.deployPrincipalArns?.length ?? 0) : 0,
    ),
    maxProvisioningSeconds: deps.maxProvisioningSeconds,
    createdAt,
    seed: `${stack.stackId}#${polls}`,
  });
  if (d.timedOut) {
    throw new DiagnosedError(
      makeDiagnosis('PROVISIONING_TIMEOUT', {
        stackName: stack.stackName,
        stackId: stack.stackId,
        region: input.region,
        accountId: input.accountId,
        status: d.stackStatus,
        elapsedSeconds: d.elapsedSeconds,
        maxSeconds: deps.maxProvisioningSeconds,
        detail: `${d.phase} (${d.progress.done}/${d.progress.total} resources done${d.progress.current ? `, waiting on ${d.progress.current}` : ''})`,
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
