/**
 * Following a stack deletion with the same adaptive planner as a creation (plan.ts). A deletion is
 * a creation run backwards: a resource can only go once everything that depends on it is gone. So
 * the template's graph is reversed, each resource gets its *delete* duration model
 * (`delete:<type>` in durations.ts), and the events since the stack's latest DELETE_IN_PROGRESS are
 * read as "started" (DELETE_IN_PROGRESS) and "done" (DELETE_COMPLETE / DELETE_SKIPPED). The planner
 * then sleeps until the deletion could plausibly be finishing, exactly as it does for a creation.
 */
import type { PollOutcome } from '../state.js';
import type { ResourceGraph } from './dependencies.js';
import { decide, type PollDecision } from './plan.js';
import {
  chronological,
  isStackEvent,
  type ResourceState,
  type StackEventLike,
  type StackSnapshot,
  toMillis,
} from './timeline.js';

export interface DeletionSnapshot {
  stackStatus: string;
  /** The stack's latest DELETE_IN_PROGRESS (epoch ms), if seen. */
  deleteStartedAt?: number;
  /** Resources that existed when the deletion started (logical ids). */
  toDelete: string[];
  /** Their deletion, as plan.ts reads a creation: CREATE_IN_PROGRESS = being deleted, CREATE_COMPLETE = gone. */
  asCreation: StackSnapshot;
  /** Every resource's real last status (DELETE_FAILED included), with its reason. */
  resources: Record<string, ResourceState>;
}

const GONE = /^DELETE_(COMPLETE|SKIPPED)$/;

export function deletionSnapshot(events: readonly StackEventLike[], stackName: string): DeletionSnapshot {
  const ordered = chronological(events);
  let stackStatus = '';
  let deleteStartedAt: number | undefined;
  let startIndex = -1;
  ordered.forEach((e, i) => {
    if (!isStackEvent(e, stackName)) return;
    stackStatus = e.ResourceStatus ?? stackStatus;
    if (e.ResourceStatus === 'DELETE_IN_PROGRESS') {
      deleteStartedAt = toMillis(e.Timestamp);
      startIndex = i;
    }
  });
  const before: Record<string, string> = {};
  const resources: Record<string, ResourceState> = {};
  const asCreation: StackSnapshot = {
    stackStatus: 'CREATE_IN_PROGRESS',
    stackStatusAt: deleteStartedAt ?? NaN,
    resources: {},
  };
  ordered.forEach((e, i) => {
    const id = e.LogicalResourceId;
    if (!id || isStackEvent(e, stackName)) return;
    const status = e.ResourceStatus ?? '';
    const t = toMillis(e.Timestamp);
    const r = (resources[id] ??= { logicalId: id, type: e.ResourceType ?? '', status });
    r.status = status;
    if (e.PhysicalResourceId) r.physicalId = e.PhysicalResourceId;
    if (e.ResourceStatusReason) r.reason = e.ResourceStatusReason;
    if (startIndex < 0 || i < startIndex) {
      before[id] = status;
      return;
    }
    const c = (asCreation.resources[id] ??= { logicalId: id, type: `delete:${r.type}`, status: 'CREATE_IN_PROGRESS' });
    if (status === 'DELETE_IN_PROGRESS') c.startedAt ??= t;
    if (GONE.test(status)) {
      c.startedAt ??= t;
      c.status = 'CREATE_COMPLETE';
      c.endedAt = t;
    } else if (status === 'DELETE_FAILED') {
      c.status = 'CREATE_FAILED';
      c.endedAt = t;
    } else c.status = 'CREATE_IN_PROGRESS';
  });
  // What the deletion has to remove: everything the stack had started making, minus what was already gone.
  const toDelete = Object.keys(resources).filter((id) => (before[id] !== undefined ? !GONE.test(before[id]!) : true));
  return {
    stackStatus,
    ...(deleteStartedAt !== undefined ? { deleteStartedAt } : {}),
    toDelete,
    asCreation,
    resources,
  };
}

/** The template's graph, reversed: deleting X waits for everything that depends on X. */
export function reversedGraph(g: ResourceGraph): ResourceGraph {
  const out: ResourceGraph = { types: {}, dependsOn: {}, conditional: { ...g.conditional } };
  for (const [id, type] of Object.entries(g.types)) {
    out.types[id] = `delete:${type}`;
    out.dependsOn[id] = [];
  }
  for (const [id, deps] of Object.entries(g.dependsOn)) for (const d of deps) (out.dependsOn[d] ??= []).push(id);
  for (const id of Object.keys(out.dependsOn)) out.dependsOn[id]!.sort();
  return out;
}

const PHASE_BY_TYPE: Array<[string, string]> = [
  ['AWS::EKS::Nodegroup', 'Deleting node group'],
  ['AWS::EKS::Cluster', 'Deleting control plane'],
  ['AWS::EKS::Addon', 'Removing add-ons'],
  ['AWS::EKS::AccessEntry', 'Removing cluster access'],
  ['AWS::IAM::Role', 'Deleting IAM roles'],
];

export function deletionPhase(snap: DeletionSnapshot): { phase: string; current?: string } {
  if (snap.stackStatus === 'DELETE_COMPLETE') return { phase: 'Stack deleted' };
  if (snap.stackStatus === 'DELETE_FAILED') return { phase: 'Stack deletion failed' };
  if (snap.stackStatus !== 'DELETE_IN_PROGRESS') return { phase: 'Starting deletion' };
  const running = Object.values(snap.resources).filter((r) => r.status === 'DELETE_IN_PROGRESS');
  for (const [type, phase] of PHASE_BY_TYPE) {
    const r = running.find((x) => x.type === type);
    if (r) return { phase, current: r.logicalId };
  }
  return {
    phase: running[0] ? 'Deleting resources' : 'Finishing deletion',
    ...(running[0] ? { current: running[0].logicalId } : {}),
  };
}

export function deletionOutcome(stackStatus: string): PollOutcome {
  if (stackStatus === 'DELETE_COMPLETE') return 'COMPLETE';
  if (stackStatus === 'DELETE_FAILED') return 'FAILED';
  // DELETE_IN_PROGRESS, or an older status while DeleteStack's first event is not visible yet.
  return 'IN_PROGRESS';
}

/** A deletion poll answers in the same shape as a provisioning one. */
export type DeletionDecision = PollDecision;

export function decideDeletion(
  snap: DeletionSnapshot,
  nowMs: number,
  o: { graph: ResourceGraph; maxSeconds: number; requestedAt: number; seed: string },
): DeletionDecision {
  const outcome = deletionOutcome(snap.stackStatus);
  const started = snap.deleteStartedAt ?? o.requestedAt;
  // Only resources this stack has (and that the template knows) take part in the simulation.
  const expected = snap.toDelete.filter((id) => o.graph.types[id] !== undefined);
  const d = decide(snap.asCreation, nowMs, {
    graph: reversedGraph(o.graph),
    expected,
    maxProvisioningSeconds: o.maxSeconds,
    createdAt: started,
    seed: o.seed,
  });
  const { phase, current } = deletionPhase(snap);
  const done = snap.toDelete.filter((id) => GONE.test(snap.resources[id]?.status ?? '')).length;
  const timedOut = outcome === 'IN_PROGRESS' && d.elapsedSeconds >= o.maxSeconds;
  return {
    outcome,
    stackStatus: snap.stackStatus || 'DELETE_IN_PROGRESS',
    phase,
    progress: { done, total: snap.toDelete.length, ...(current ? { current } : {}) },
    // No DELETE_IN_PROGRESS seen yet: look again soon.
    nextWaitSeconds:
      outcome !== 'IN_PROGRESS' || timedOut
        ? 0
        : snap.deleteStartedAt === undefined
          ? 5
          : Math.max(1, d.nextWaitSeconds),
    elapsedSeconds: d.elapsedSeconds,
    timedOut,
  };
}
