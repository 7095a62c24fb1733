/**
 * How quickly and how cheaply each polling schedule notices that a cluster stack finished.
 * Runs the real poll decision (functions/lib/polling/plan.ts) on a virtual clock over thousands of
 * simulated stack timelines (bench/stack-simulator.ts), next to GitLab's schedule (first look at
 * 5 min, then every 60 s), eksctl's (30 s, 30 s, then every 60 s) and a fixed 5 s.
 *
 *   npx tsx bench/poll-schedules.ts [timelines=2000]
 *
 * "lag" = seconds from the stack's terminal status to the poll that sees it;
 * "calls" = DescribeStackEvents requests per creation (one per poll for this template).
 */
import { decide, POLL_TUNING } from '../functions/lib/polling/plan.js';
import { snapshotFromEvents } from '../functions/lib/polling/timeline.js';
import { eventsVisibleAt, simulateStack, type FailurePlan, type SimulatedStack } from './stack-simulator.js';

export interface Detection {
  lagSeconds: number;
  calls: number;
}

type Schedule = (sim: SimulatedStack) => Detection;

/** A schedule that only knows "look after these waits". */
const fixed = (waits: (i: number) => number): Schedule => (sim) => {
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
  return Object.entries(SCHEDULES).map(([name, schedule]) => {
    const results = sims.map(schedule);
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
  });
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
  console.log(`${n} simulated creations of the cluster template (e.g. ${((sims.finishedAt - sims.createdAt) / 60000).toFixed(1)} min each)`);
  const ok = runBenchmark(n);
  print('Successful creations', ok);
  const early = runBenchmark(Math.ceil(n / 4), () => ({
    logicalId: 'Cluster',
    atFraction: 0.01,
    reason: "Resource handler returned message: \"The provided role doesn't have the Amazon EKS Managed Policies associated with it.\"",
  }));
  print('Early failures (control plane rejected within seconds)', early);
  const late = runBenchmark(Math.ceil(n / 4), () => ({
    logicalId: 'Nodegroup',
    atFraction: 1.4,
    reason: 'Resource handler returned message: "[Issue(Code=NodeCreationFailure, Message=Instances failed to join the kubernetes cluster)]"',
  }));
  print('Late failures (node group fails)', late);
  const ours = ok[0]!;
  const goal = ours.medianLag <= 5 && ours.p95Lag <= 10 && ours.medianCalls <= 16;
  console.log(`\ngoal (ours: median lag ≤ 5 s, p95 ≤ 10 s, median ≤ 16 calls): ${goal ? 'met' : 'NOT met'}  [${((Date.now() - t0) / 1000).toFixed(1)} s]`);
}
