/**
 * The update profile: when to look again at a stack running a change set (a control-plane upgrade,
 * a node group roll, add-on or access-entry changes). Same strategy as creation (plan.ts): the
 * events carry exact times, so only the update's end must be seen promptly; each poll simulates
 * the rest of the change set over the template's dependency graph, with update durations per
 * resource type, and sleeps until the update could plausibly be ending.
 *
 * One difference: for its first minute an update is looked at every `earlyWaitSeconds`, because
 * EKS rejects a bad update (unsupported version, a node group that cannot roll) within seconds.
 */
import type { ResourceGraph } from './dependencies.js';
import { fastPathEnd, POLL_TUNING, simulateStackEnd, waitFloorSeconds } from './plan.js';
import { chronological, type ResourceState, type StackEventLike, type StackSnapshot, toMillis } from './timeline.js';

export const UPDATE_POLL_TUNING = {
  /** The ASL's first wait after ExecuteChangeSet (update-cluster.asl.json, StartUpdatePolling). */
  firstWaitSeconds: 15,
  /** Looks during the update's first `earlyWindowSeconds` are at most this far apart. */
  earlyWaitSeconds: 20,
  earlyWindowSeconds: 60,
  /** While CloudFormation rolls the update back: no model, steady pace. */
  rollbackWaitSeconds: 30,
  /**
   * Looser than creation's (8 s, 0.06, 0.2): update durations spread wider (a roll is minutes per
   * node, the planner does not know the node count), so creation's tight quantiles poll densely
   * through every long tail. Measured in bench/poll-schedules.ts against eksctl's UpdateWaiter.
   */
  minWaitSeconds: 10,
  maxWaitSeconds: POLL_TUNING.maxWaitSeconds,
  endQuantile: 0.2,
  fastPathQuantile: 0.3,
} as const;

/** One resource the change set touches (from DescribeChangeSet). */
export interface PlannedChange {
  logicalId: string;
  type: string;
  /** Add | Modify | Remove (CloudFormation's ChangeAction); Modify when absent. */
  action?: string;
}

export interface UpdateWaitInput {
  /** The stack's status (DescribeStacks). */
  stackStatus: string;
  /** Events since the change set was executed (any order). */
  events: readonly StackEventLike[];
  changes: readonly PlannedChange[];
  graph: ResourceGraph;
  nowMs: number;
  /** When ExecuteChangeSet returned (epoch ms). */
  executedAtMs: number;
  /** Makes the draws reproducible per poll. */
  seed: string;
}

/** The model key of a change: creating, deleting or updating its resource type (durations.ts). */
const modelType = (c: PlannedChange) =>
  c.action === 'Add' ? c.type : c.action === 'Remove' ? `delete:${c.type}` : `update:${c.type}`;

/** The planned resources as the creation planner sees resources: started / ended / failed. */
export function updateSnapshot(
  events: readonly StackEventLike[],
  changes: readonly PlannedChange[],
  executedAtMs: number,
): StackSnapshot {
  const planned = new Set(changes.map((c) => c.logicalId));
  const resources: Record<string, ResourceState> = {};
  for (const e of chronological(events)) {
    const t = toMillis(e.Timestamp);
    const id = e.LogicalResourceId ?? '';
    if (!planned.has(id) || !(t >= executedAtMs - 5_000)) continue;
    const status = e.ResourceStatus ?? '';
    const r = (resources[id] ??= { logicalId: id, type: e.ResourceType ?? '', status });
    // Normalised so the shared simulation reads any finished change as done.
    r.status = status.endsWith('_COMPLETE') ? 'UPDATE_COMPLETE' : status;
    if (status.endsWith('_IN_PROGRESS') && r.startedAt === undefined) r.startedAt = t;
    if ((status.endsWith('_COMPLETE') || status.endsWith('_FAILED')) && r.endedAt === undefined) r.endedAt = t;
  }
  return { stackStatus: 'UPDATE_IN_PROGRESS', stackStatusAt: NaN, resources };
}

/** Seconds until the next look at a stack being updated. */
export function updateWaitSeconds(input: UpdateWaitInput): number {
  const t = UPDATE_POLL_TUNING;
  const elapsed = Math.max(0, (input.nowMs - input.executedAtMs) / 1000);
  const clamp = (s: number) =>
    Math.round(Math.min(t.maxWaitSeconds, Math.max(t.minWaitSeconds, waitFloorSeconds(elapsed), s)));
  if (input.stackStatus.startsWith('UPDATE_ROLLBACK')) return clamp(t.rollbackWaitSeconds);
  const snap = updateSnapshot(input.events, input.changes, input.executedAtMs);
  // A change failed: CloudFormation is about to turn the stack around.
  if (Object.values(snap.resources).some((r) => r.status.endsWith('_FAILED'))) return clamp(t.minWaitSeconds);
  // Every change done (or the old resources being cleaned up): the stack settles within seconds.
  if (input.stackStatus === 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS') return clamp(t.minWaitSeconds);
  const types: Record<string, string> = {};
  for (const c of input.changes) types[c.logicalId] = modelType(c);
  const ctx = {
    graph: { ...input.graph, types: { ...input.graph.types, ...types } },
    expected: input.changes.map((c) => c.logicalId),
    maxProvisioningSeconds: Number.POSITIVE_INFINITY,
    createdAt: input.executedAtMs,
    seed: input.seed,
  };
  const ends = simulateStackEnd(snap, input.nowMs, ctx);
  const target = Math.min(
    ends[Math.floor(t.endQuantile * (ends.length - 1))]!,
    fastPathEnd(snap, input.nowMs, ctx, t.fastPathQuantile),
  );
  let wait = target - input.nowMs / 1000;
  if (elapsed < t.earlyWindowSeconds) wait = Math.min(wait, t.earlyWaitSeconds);
  return clamp(wait);
}
