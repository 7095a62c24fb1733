/**
 * The 25,000-event history quota must be out of reach for every allowed poll cap. Each poll costs a
 * fixed number of history events (counted from the ASL's loop, not assumed); the poll count comes
 * from the real planner (`decide`) following a stack whose add-on never finishes, on a virtual
 * clock, and — for every cap in the allowed range — from the planner's guaranteed wait floor.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PROVISIONING_SECONDS_BOUNDS } from '../../functions/lib/polling/budget.js';
import { decide, POLL_TUNING, waitFloorSeconds } from '../../functions/lib/polling/plan.js';
import { snapshotFromEvents } from '../../functions/lib/polling/timeline.js';
import { eventsVisibleAt, type SimulatedStack, simulateStack } from '../support/simulators/stack.js';

/** Where the run must stay: 5,000 events below the quota for retries and the paths around the loop. */
const HISTORY_BUDGET = 20_000;

const asl = JSON.parse(
  readFileSync(new URL('../../statemachine/provision-cluster.asl.json', import.meta.url), 'utf8'),
) as {
  States: Record<string, { Type: string; Resource?: string; Next?: string; Default?: string }>;
};

/** History events one state adds when it runs once, without retries (Step Functions' event types). */
function eventsOfState(name: string): number {
  const s = asl.States[name]!;
  // Entered, (LambdaFunction|Task)Scheduled / Started / Succeeded, Exited.
  if (s.Type === 'Task') return 5;
  return 2; // Entered + Exited (Wait, Choice, Pass)
}

/** The loop WaitForStack → PollClusterStack → IsStackDone → WaitForStack, read from the ASL. */
function eventsPerPoll(): number {
  const loop = ['WaitForStack'];
  for (let next = asl.States['WaitForStack']!.Next!; next !== 'WaitForStack'; ) {
    loop.push(next);
    const s = asl.States[next]!;
    next = s.Type === 'Choice' ? s.Default! : s.Next!;
    if (loop.length > 10) throw new Error('the poll loop does not close');
  }
  expect(loop).toEqual(['WaitForStack', 'PollClusterStack', 'IsStackDone']);
  return loop.reduce((n, s) => n + eventsOfState(s), 0);
}

/** Everything outside the loop on the longest path: start → first wait, and timeout → diagnosis → end. */
const OUTSIDE_LOOP = [
  'ValidateRequest',
  'RecordRequest',
  'NotifyStarted',
  'AssumeProvisionRole',
  'DescribeVpcResources',
  'CreateClusterStack',
  'StartPolling',
  'PollClusterStack',
  'DiagnoseFailure',
  'CanRecordFailure',
  'RecordFailed',
  'NotifyFailed',
];
const fixedEvents = () =>
  2 /* ExecutionStarted, ExecutionFailed */ +
  1 /* FailStateEntered */ +
  OUTSIDE_LOOP.reduce((n, s) => n + eventsOfState(s), 0);

/** A stack whose CoreDNS add-on never finishes (nor does anything after it, nor the stack). */
function stuckAddon(seed: number): SimulatedStack {
  const sim = simulateStack(seed, { admins: 1 });
  const stuckAt = sim.events
    .find((e) => e.LogicalResourceId === 'CoreDnsAddon' && e.ResourceStatus === 'CREATE_IN_PROGRESS')!
    .Timestamp.getTime();
  const events = sim.events.filter(
    (e) =>
      e.Timestamp.getTime() <= stuckAt &&
      !(e.LogicalResourceId === sim.stackName && e.ResourceStatus !== 'CREATE_IN_PROGRESS'),
  );
  return { ...sim, events };
}

/** Polls the real planner makes until it reports the timeout, on a virtual clock. */
function pollsUntilTimeout(sim: SimulatedStack, cap: number): number {
  const ctx = {
    graph: sim.graph,
    expected: sim.expected,
    maxProvisioningSeconds: cap,
    createdAt: sim.createdAt,
    seed: 'budget',
  };
  let now = sim.createdAt + (POLL_TUNING.firstWaitSeconds + 1) * 1000;
  for (let polls = 1; ; polls++) {
    const d = decide(snapshotFromEvents(eventsVisibleAt(sim, now), sim.stackName), now, {
      ...ctx,
      seed: `budget-${polls}`,
    });
    if (d.timedOut) return polls;
    expect(d.outcome).toBe('IN_PROGRESS');
    expect(d.nextWaitSeconds).toBeGreaterThanOrEqual(
      Math.min(waitFloorSeconds(d.elapsedSeconds), cap - d.elapsedSeconds),
    );
    now += d.nextWaitSeconds * 1000;
    if (polls > 100_000) throw new Error('the planner never reached the cap');
  }
}

/** Most polls any stack can cause: every wait at the planner's floor (the shortest it ever sleeps). */
function worstCasePolls(cap: number): number {
  let elapsed = POLL_TUNING.firstWaitSeconds;
  let polls = 1;
  while (elapsed < cap) {
    elapsed += Math.max(1, Math.min(waitFloorSeconds(elapsed), cap - elapsed));
    polls++;
  }
  return polls;
}

describe('execution history budget', () => {
  const perPoll = eventsPerPoll();

  it('counts 9 events per poll and ~70 around the loop (from the ASL)', () => {
    expect(perPoll).toBe(9);
    expect(fixedEvents()).toBeGreaterThan(50);
  });

  it.each([PROVISIONING_SECONDS_BOUNDS.min, 3600, 21_600, PROVISIONING_SECONDS_BOUNDS.max])(
    'a stuck add-on with maxProvisioningSeconds %i stays within the budget (real planner)',
    (cap) => {
      const polls = pollsUntilTimeout(stuckAddon(7), cap);
      const events = fixedEvents() + polls * perPoll;
      console.info(`maxProvisioningSeconds ${cap}: stuck add-on → ${polls} polls, ~${events} history events`);
      expect(events).toBeLessThanOrEqual(HISTORY_BUDGET);
      expect(polls).toBeLessThanOrEqual(worstCasePolls(cap));
    },
    120_000,
  );

  it('the worst case over every allowed cap (every 60 s from 300 s to 24 h) stays within the budget', () => {
    let worst = { cap: 0, events: 0 };
    for (let cap = PROVISIONING_SECONDS_BOUNDS.min; cap <= PROVISIONING_SECONDS_BOUNDS.max; cap += 60) {
      const events = fixedEvents() + worstCasePolls(cap) * perPoll;
      if (events > worst.events) worst = { cap, events };
    }
    console.info(`worst case over all caps: ${worst.events} history events at ${worst.cap} s`);
    expect(worst.events).toBeLessThanOrEqual(HISTORY_BUDGET);
  });

  it('the floor does not slow a normal creation: dense polling is allowed for the first 30 minutes', () => {
    expect(waitFloorSeconds(0)).toBe(POLL_TUNING.minWaitSeconds);
    expect(waitFloorSeconds(1799)).toBe(POLL_TUNING.minWaitSeconds);
    expect(waitFloorSeconds(7200)).toBe(POLL_TUNING.maxWaitSeconds);
  });
});
