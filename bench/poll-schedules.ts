/**
 * How quickly and how cheaply each polling schedule notices that a cluster stack finished.
 * Runs the real poll decision (functions/lib/polling/plan.ts) on a virtual clock over thousands of
 * simulated stack timelines (test/support/simulators/stack.ts), next to GitLab's schedule (first look at
 * 5 min, then every 60 s), eksctl's (30 s, 30 s, then every 60 s) and a fixed 5 s. Then cluster
 * updates (test/support/simulators/update.ts: control-plane upgrade, then node group roll): the update
 * machine's profile (functions/lib/polling/update.ts) against eksctl's UpdateWaiter.
 * Prints one `goal …: MET | NOT MET` line per goal and exits 1 when any is not met.
 *
 *   npx tsx bench/poll-schedules.ts [timelines=2000]
 *
 * "lag" = seconds from the stack's terminal status to the poll that sees it;
 * "calls" = polls per creation (each one DescribeStacks / DescribeStackEvents look; for eksctl's
 * update waiter, DescribeUpdate requests).
 */
import { hashSeed, prng } from '../functions/lib/polling/math.js';
import { decide, POLL_TUNING } from '../functions/lib/polling/plan.js';
import { snapshotFromEvents } from '../functions/lib/polling/timeline.js';
import { UPDATE_POLL_TUNING, updateWaitSeconds } from '../functions/lib/polling/update.js';
import { classifyUpdateStatus } from '../functions/update-cluster/poll.js';
import {
  eventsVisibleAt,
  type FailurePlan,
  type SimulatedStack,
  simulateStack,
} from '../test/support/simulators/stack.js';
import { type SimulatedUpdate, simulateUpdate, updateVisibleAt } from '../test/support/simulators/update.js';

export interface Detection {
  lagSeconds: number;
  calls: number;
}

type Schedule = (sim: SimulatedStack) => Detection;

/** A schedule that only knows "look after these waits". */
const fixed =
  (waits: (i: number) => number): Schedule =>
  (sim) => {
    let t = sim.createdAt;
    for (let i = 0; ; i++) {
      t += waits(i) * 1000;
      if (t >= sim.finishedAt) return { lagSeconds: (t - sim.finishedAt) / 1000, calls: i + 1 };
    }
  };

/** Ours: the real decision on the events visible at each poll. */
export const adaptive: Schedule = (sim) => {
  let t = sim.createdAt + POLL_TUNING.firstWaitSeconds * 1000;
  for (let calls = 1; calls < 10_000; calls++) {
    const snap = snapshotFromEvents(eventsVisibleAt(sim, t), sim.stackName);
    const d = decide(snap, t, {
      graph: sim.graph,
      expected: sim.expected,
      maxProvisioningSeconds: 3600,
      createdAt: sim.createdAt,
      seed: `${sim.stackId}#${calls}`,
    });
    if (d.outcome !== 'IN_PROGRESS' || d.timedOut) return { lagSeconds: (t - sim.finishedAt) / 1000, calls };
    t += d.nextWaitSeconds * 1000;
  }
  throw new Error('adaptive schedule never finished');
};

export const SCHEDULES: Record<string, Schedule> = {
  'ours (adaptive)': adaptive,
  'GitLab (5 min, then 60 s)': fixed((i) => (i === 0 ? 300 : 60)),
  'eksctl (30 s, 30 s, then 60 s)': fixed((i) => (i < 2 ? 30 : 60)),
  'fixed 5 s': fixed(() => 5),
};

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

export function runBenchmark(timelines: number, failure?: (seed: number) => FailurePlan | undefined) {
  const sims = Array.from({ length: timelines }, (_, i) => simulateStack(1000 + i, { failure: failure?.(1000 + i) }));
  return Object.entries(SCHEDULES).map(([name, schedule]) => summarize(name, sims.map(schedule)));
}

// ---- Updates: a control-plane upgrade followed by a node group roll ----

type UpdateSchedule = (sim: SimulatedUpdate) => Detection;

/** Ours: the update machine's poll (first look 15 s after ExecuteChangeSet, then the update profile). */
export const adaptiveUpdate: UpdateSchedule = (sim) => {
  let t = sim.executedAt + UPDATE_POLL_TUNING.firstWaitSeconds * 1000;
  for (let calls = 1; calls < 10_000; calls++) {
    const { stackStatus, events } = updateVisibleAt(sim, t);
    const begun = events.some(
      (e) => e.LogicalResourceId === sim.stackName && e.ResourceStatus === 'UPDATE_IN_PROGRESS',
    );
    if (begun && classifyUpdateStatus(stackStatus) !== 'IN_PROGRESS')
      return { lagSeconds: (t - sim.finishedAt) / 1000, calls };
    t +=
      updateWaitSeconds({
        stackStatus,
        events,
        changes: sim.changes,
        graph: sim.graph,
        nowMs: t,
        executedAtMs: sim.executedAt,
        seed: `${sim.stackId}#${calls}`,
      }) * 1000;
  }
  throw new Error('adaptive update schedule never finished');
};

/**
 * eksctl's UpdateWaiter (pkg/eks/waiter): DescribeUpdate at once, then smithy-go's ComputeDelay
 * with MinDelay 30 s, MaxDelay 120 s: attempt 1 waits 30 s, attempt n waits uniformly in
 * [30 s, min(30·2^(n-1), 120) s). Returns when it sees the update succeed, and how many calls.
 */
export function eksctlWaiter(durationSeconds: number, rand: () => number): { seenAfter: number; calls: number } {
  const min = 30;
  const max = 120;
  const ceiling = Math.floor(Math.log(max / min) / Math.log(2) + 1);
  let t = 0;
  for (let attempt = 1; ; attempt++) {
    if (t >= durationSeconds) return { seenAfter: t, calls: attempt };
    const delay = attempt > ceiling ? max : min * 2 ** (attempt - 1);
    t += delay === min ? min : min + rand() * (delay - min);
  }
}

/**
 * `eksctl upgrade cluster` then `eksctl upgrade nodegroup`: each step's waiter must see its update
 * succeed before the next step starts, so the control plane's detection lag delays the roll too.
 * Lag = both steps' detection lags (the time lost against a roll started the moment the control
 * plane finished, as CloudFormation does); calls = DescribeUpdate requests of both waiters.
 */
export const eksctlUpdate: UpdateSchedule = (sim) => {
  const rand = prng(hashSeed(sim.stackId));
  const cp = eksctlWaiter(sim.controlPlaneSeconds, rand);
  const ng = eksctlWaiter(sim.nodeRollSeconds, rand);
  return {
    lagSeconds: cp.seenAfter - sim.controlPlaneSeconds + (ng.seenAfter - sim.nodeRollSeconds),
    calls: cp.calls + ng.calls,
  };
};

export const UPDATE_SCHEDULES: Record<string, UpdateSchedule> = {
  'ours (update profile)': adaptiveUpdate,
  'eksctl (UpdateWaiter 30-120 s)': eksctlUpdate,
  'fixed 30 s': (sim) => {
    let t = sim.executedAt;
    for (let calls = 1; ; calls++) {
      t += 30_000;
      if (t >= sim.finishedAt) return { lagSeconds: (t - sim.finishedAt) / 1000, calls };
    }
  },
};

export function runUpdateBenchmark(updates: number) {
  const sims = Array.from({ length: updates }, (_, i) => simulateUpdate(1000 + i));
  return Object.entries(UPDATE_SCHEDULES).map(([name, schedule]) => summarize(name, sims.map(schedule)));
}

function summarize(name: string, results: Detection[]) {
  const lag = results.map((r) => r.lagSeconds);
  const calls = results.map((r) => r.calls);
  return {
    name,
    medianLag: quantile(lag, 0.5),
    p95Lag: quantile(lag, 0.95),
    p99Lag: quantile(lag, 0.99),
    medianCalls: quantile(calls, 0.5),
    p95Calls: quantile(calls, 0.95),
  };
}

function print(title: string, rows: ReturnType<typeof runBenchmark>) {
  console.log(`\n${title}`);
  console.log('schedule                          median lag   p95 lag   p99 lag   median calls   p95 calls');
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(32)} ${r.medianLag.toFixed(1).padStart(9)} s ${r.p95Lag.toFixed(1).padStart(7)} s ${r.p99Lag.toFixed(1).padStart(7)} s ${String(r.medianCalls).padStart(12)} ${String(r.p95Calls).padStart(11)}`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 2000);
  const t0 = Date.now();
  const sims = simulateStack(1);
  console.log(
    `${n} simulated creations of the cluster template (e.g. ${((sims.finishedAt - sims.createdAt) / 60000).toFixed(1)} min each)`,
  );
  const ok = runBenchmark(n);
  print('Successful creations', ok);
  const early = runBenchmark(Math.ceil(n / 4), () => ({
    logicalId: 'Cluster',
    atFraction: 0.01,
    reason:
      'Resource handler returned message: "The provided role doesn\'t have the Amazon EKS Managed Policies associated with it."',
  }));
  print('Early failures (control plane rejected within seconds)', early);
  const late = runBenchmark(Math.ceil(n / 4), () => ({
    logicalId: 'Nodegroup',
    atFraction: 1.4,
    reason:
      'Resource handler returned message: "[Issue(Code=NodeCreationFailure, Message=Instances failed to join the kubernetes cluster)]"',
  }));
  print('Late failures (node group fails)', late);
  const updates = runUpdateBenchmark(Math.ceil(n / 4));
  print('Updates (control-plane upgrade, then node group roll)', updates);
  const [ours, oursEarly, oursUpdate, eksctlUpdateRow] = [ok[0]!, early[0]!, updates[0]!, updates[1]!];
  const goals: Array<[string, boolean]> = [
    [`early failures median lag ≤ 5 s (${oursEarly.medianLag.toFixed(1)} s)`, oursEarly.medianLag <= 5],
    [`successful creations p99 lag ≤ 10 s (${ours.p99Lag.toFixed(1)} s)`, ours.p99Lag <= 10],
    [`successful creations median calls ≤ 13 (${ours.medianCalls})`, ours.medianCalls <= 13],
    [
      `updates beat eksctl's waiter on lag at no more calls (median ${oursUpdate.medianLag.toFixed(1)} vs ${eksctlUpdateRow.medianLag.toFixed(1)} s, p95 ${oursUpdate.p95Lag.toFixed(1)} vs ${eksctlUpdateRow.p95Lag.toFixed(1)} s, median calls ${oursUpdate.medianCalls} vs ${eksctlUpdateRow.medianCalls})`,
      oursUpdate.medianLag < eksctlUpdateRow.medianLag &&
        oursUpdate.p95Lag < eksctlUpdateRow.p95Lag &&
        oursUpdate.medianCalls <= eksctlUpdateRow.medianCalls,
    ],
  ];
  console.log('');
  for (const [text, met] of goals) console.log(`goal ${text}: ${met ? 'MET' : 'NOT MET'}`);
  console.log(
    `[${n} creations, ${Math.ceil(n / 4)} per failure and update scenario; ${((Date.now() - t0) / 1000).toFixed(1)} s]`,
  );
  if (goals.some(([, met]) => !met)) process.exitCode = 1;
}
