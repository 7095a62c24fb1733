/**
 * The poll decision: where the stack is, in words and numbers, and when to look again.
 *
 * Waiting strategy. Stack events carry exact timestamps, so looking late at an intermediate step
 * costs nothing: the next look still learns exactly when each resource started. Only the stack's
 * *end* must be seen promptly. So each poll simulates the rest of the creation (a few hundred
 * Monte-Carlo draws over the template's dependency graph, each in-progress resource's duration
 * drawn conditional on how long it has already run) and sleeps until the draws say the stack could
 * plausibly be finishing (a low quantile of the simulated end). Far from the end that is minutes;
 * near it the sleep shrinks to the dense interval. A first look ~20 s in catches the failures AWS
 * reports at once (role policy, Availability Zone, permissions) without waiting for the control plane.
 */
import type { PollResult } from '../state.js';
import { type ResourceGraph, topologicalOrder } from './dependencies.js';
import { DISPATCH_SECONDS, type DurationModel, durationOf, STACK_SETTLE_SECONDS } from './durations.js';
import { hashSeed, normalCdf, normalQuantile, prng } from './math.js';
import { classifyStackStatus } from './stack-status.js';
import type { ResourceState, StackSnapshot } from './timeline.js';

export const POLL_TUNING = {
  /** First look after CreateStack (the ASL's StartPolling state uses the same value). */
  firstWaitSeconds: 12,
  /**
   * Looks in the stack's first `earlyWindowSeconds` are at most `earlyWaitSeconds` apart: AWS
   * rejects a bad cluster (role policy, Availability Zone, permissions) within ~5–12 s of CreateStack.
   */
  earlyWaitSeconds: 12,
  earlyWindowSeconds: 20,
  /** Densest polling, used only when the end is near. */
  minWaitSeconds: 8,
  /** Longest sleep, so a failure mid-way is seen within this. */
  maxWaitSeconds: 300,
  /** Sleep until this quantile of the simulated stack end… */
  endQuantile: 0.06,
  /**
   * …but no later than the end of a fast path: running resources done at this quantile of their
   * remaining time, the rest at their model minimum. Guards against sleeping through a whole fast
   * tail (the draws assume typical durations downstream; reality is sometimes all-fast).
   */
  fastPathQuantile: 0.2,
  /**
   * …and in that fast path every duration may be this much shorter than the model says: a whole run
   * is sometimes uniformly fast (region, account, time of day), below the model's per-resource minimum.
   */
  fastPathSpeed: 0.95,
  samples: 256,
  /** While CloudFormation rolls back or someone updates the stack: no model, steady pace. */
  settleWaitSeconds: 30,
  /**
   * Overtime. Past this much stack time (a normal creation takes ~15 min) the stack is late, and the
   * shortest wait grows with the lateness (`overtimeBackoff` of it, up to maxWaitSeconds): a stuck
   * stack followed to a cap of hours must not fill the execution history (25,000 events, ~9 per poll).
   */
  overtimeAfterSeconds: 1800,
  overtimeBackoff: 0.1,
} as const;

/** The shortest wait the planner ever chooses at this elapsed stack time (before the cap clamps it). */
export function waitFloorSeconds(elapsedSeconds: number): number {
  const t = POLL_TUNING;
  const late = elapsedSeconds - t.overtimeAfterSeconds;
  if (late <= 0) return t.minWaitSeconds;
  return Math.min(t.maxWaitSeconds, Math.max(t.minWaitSeconds, Math.round(late * t.overtimeBackoff)));
}

export interface PlanContext {
  graph: ResourceGraph;
  /** Logical ids that exist for this stack (conditional ones only when switched on). */
  expected: readonly string[];
  maxProvisioningSeconds: number;
  /** When the stack was created (epoch ms); falls back to its first event. */
  createdAt: number;
  /** Makes the draws reproducible per poll. */
  seed: string;
}

/** One poll's answer (the state's PollResult less the poll count the handler keeps). */
export interface PollDecision extends Omit<PollResult, 'polls'> {
  /** Still in progress at the cap: the caller reports PROVISIONING_TIMEOUT (or DELETE_TIMEOUT). */
  timedOut: boolean;
}

const PHASE_BY_TYPE: Array<[string, string]> = [
  ['AWS::EKS::Cluster', 'Creating control plane'],
  ['AWS::EKS::Nodegroup', 'Creating node group'],
  ['AWS::EKS::Addon', 'Installing add-ons'],
  ['AWS::IAM::Role', 'Creating IAM roles'],
  ['AWS::EKS::AccessEntry', 'Granting cluster access'],
];

const STATUS_PHASE: Record<string, string> = {
  CREATE_COMPLETE: 'Cluster stack created',
  CREATE_FAILED: 'Stack creation failed',
  ROLLBACK_IN_PROGRESS: 'Rolling back',
  ROLLBACK_COMPLETE: 'Rolled back',
  ROLLBACK_FAILED: 'Rollback failed',
  DELETE_IN_PROGRESS: 'Stack being deleted',
  DELETE_COMPLETE: 'Stack deleted',
  DELETE_FAILED: 'Stack deletion failed',
  UPDATE_IN_PROGRESS: 'Stack being updated',
  UPDATE_ROLLBACK_IN_PROGRESS: 'Stack update rolling back',
};

const inProgress = (r: ResourceState) => r.status.endsWith('_IN_PROGRESS');
const isDone = (r: ResourceState | undefined) => !!r && /^(CREATE|UPDATE|IMPORT)_COMPLETE$/.test(r.status);

/** The phase in words and the resource that defines it. */
export function describePhase(snap: StackSnapshot, expected: readonly string[]): { phase: string; current?: string } {
  if (snap.stackStatus !== 'CREATE_IN_PROGRESS') {
    return { phase: STATUS_PHASE[snap.stackStatus] ?? snap.stackStatus.toLowerCase().replace(/_/g, ' ') };
  }
  const running = Object.values(snap.resources).filter(inProgress);
  for (const [type, phase] of PHASE_BY_TYPE) {
    const r = running.filter((x) => x.type === type).sort((a, b) => (a.startedAt ?? 0) - (b.startedAt ?? 0))[0];
    if (r) return { phase, current: r.logicalId };
  }
  if (running[0]) return { phase: 'Creating resources', current: running[0].logicalId };
  const started = expected.some((id) => snap.resources[id]);
  return { phase: started ? 'Finishing' : 'Starting' };
}

/** Draws a duration (s) from the model, conditional on exceeding `atLeast`. */
function drawDuration(m: DurationModel, atLeast: number, u: number): number {
  const mu = Math.log(Math.max(1e-3, m.median - m.min));
  const z0 = atLeast > m.min ? normalCdf((Math.log(atLeast - m.min) - mu) / m.sigma) : 0;
  // Past the model's 99.9th percentile the model knows nothing more: assume the end is near.
  if (z0 > 0.999) return atLeast + 5 * u;
  const p = z0 + (1 - z0) * Math.min(Math.max(u, 1e-9), 1 - 1e-9);
  return m.min + Math.exp(mu + m.sigma * normalQuantile(p));
}

/** Simulated stack end times (epoch s), sorted. */
export function simulateStackEnd(
  snap: StackSnapshot,
  nowMs: number,
  ctx: PlanContext,
  samples: number = POLL_TUNING.samples,
): number[] {
  const now = nowMs / 1000;
  const order = topologicalOrder(ctx.graph, ctx.expected);
  const rand = prng(hashSeed(ctx.seed));
  const ends: number[] = [];
  for (let s = 0; s < samples; s++) {
    const end: Record<string, number> = {};
    let last = now;
    for (const id of order) {
      const r = snap.resources[id];
      const model = durationOf(ctx.graph.types[id] ?? '');
      let e: number;
      if (r?.endedAt !== undefined && isDone(r)) e = r.endedAt / 1000;
      else if (r?.startedAt !== undefined) {
        const started = r.startedAt / 1000;
        e = started + drawDuration(model, Math.max(0, now - started), rand());
      } else {
        const ready = Math.max(
          0,
          ...(ctx.graph.dependsOn[id] ?? [])
            .filter((d) => ctx.expected.includes(d))
            .map((d) => (end[d] ?? now) + DISPATCH_SECONDS),
        );
        e = Math.max(ready, now) + drawDuration(model, 0, rand());
      }
      end[id] = e;
      if (e > last) last = e;
    }
    ends.push(last + STACK_SETTLE_SECONDS);
  }
  return ends.sort((a, b) => a - b);
}

/** The stack's end if everything from now on goes fast (epoch s). */
export function fastPathEnd(
  snap: StackSnapshot,
  nowMs: number,
  ctx: PlanContext,
  q: number = POLL_TUNING.fastPathQuantile,
  speed: number = POLL_TUNING.fastPathSpeed,
): number {
  const now = nowMs / 1000;
  const end: Record<string, number> = {};
  let last = now;
  for (const id of topologicalOrder(ctx.graph, ctx.expected)) {
    const r = snap.resources[id];
    const m = durationOf(ctx.graph.types[id] ?? '');
    const model = { min: m.min * speed, median: m.median * speed, sigma: m.sigma };
    let e: number;
    if (r?.endedAt !== undefined && isDone(r)) e = r.endedAt / 1000;
    else if (r?.startedAt !== undefined)
      e = r.startedAt / 1000 + drawDuration(model, Math.max(0, now - r.startedAt / 1000), q);
    else {
      const ready = Math.max(
        0,
        ...(ctx.graph.dependsOn[id] ?? [])
          .filter((d) => ctx.expected.includes(d))
          .map((d) => (end[d] ?? now) + DISPATCH_SECONDS),
      );
      e = Math.max(ready, now) + model.min;
    }
    end[id] = e;
    if (e > last) last = e;
  }
  return last + STACK_SETTLE_SECONDS;
}

/** Seconds to wait before the next look at a stack still being created. */
export function nextWaitSeconds(snap: StackSnapshot, nowMs: number, ctx: PlanContext): number {
  const t = POLL_TUNING;
  if (snap.stackStatus !== 'CREATE_IN_PROGRESS') return t.settleWaitSeconds;
  // A resource already failed: CloudFormation is about to turn the stack around.
  if (Object.values(snap.resources).some((r) => r.status === 'CREATE_FAILED')) return t.minWaitSeconds;
  const ends = simulateStackEnd(snap, nowMs, ctx);
  const target = Math.min(ends[Math.floor(t.endQuantile * (ends.length - 1))]!, fastPathEnd(snap, nowMs, ctx));
  let wait = target - nowMs / 1000;
  if ((nowMs - ctx.createdAt) / 1000 < t.earlyWindowSeconds) wait = Math.min(wait, t.earlyWaitSeconds);
  return Math.round(Math.min(t.maxWaitSeconds, Math.max(t.minWaitSeconds, wait)));
}

export function decide(snap: StackSnapshot, nowMs: number, ctx: PlanContext): PollDecision {
  const outcome = classifyStackStatus(snap.stackStatus);
  const elapsedSeconds = Math.max(0, Math.round((nowMs - ctx.createdAt) / 1000));
  const { phase, current } = describePhase(snap, ctx.expected);
  const done = ctx.expected.filter((id) => isDone(snap.resources[id])).length;
  const progress = { done, total: ctx.expected.length, ...(current ? { current } : {}) };
  const timedOut = outcome === 'IN_PROGRESS' && elapsedSeconds >= ctx.maxProvisioningSeconds;
  let wait = 0;
  if (outcome === 'IN_PROGRESS' && !timedOut) {
    // Never sleep past the cap: the timeout is reported when it happens, not a poll later.
    wait = Math.max(
      1,
      Math.min(
        Math.max(nextWaitSeconds(snap, nowMs, ctx), waitFloorSeconds(elapsedSeconds)),
        ctx.maxProvisioningSeconds - elapsedSeconds,
      ),
    );
  }
  return { outcome, stackStatus: snap.stackStatus, phase, progress, nextWaitSeconds: wait, elapsedSeconds, timedOut };
}
