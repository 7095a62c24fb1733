/** The update profile: when PollStackUpdate looks again, from the change set and its events. */
import { describe, expect, it } from 'vitest';
import { resourceGraph } from '../../../functions/lib/polling/dependencies.js';
import { waitFloorSeconds } from '../../../functions/lib/polling/plan.js';
import type { StackEventLike } from '../../../functions/lib/polling/timeline.js';
import {
  type PlannedChange,
  UPDATE_POLL_TUNING,
  updateSnapshot,
  updateWaitSeconds,
} from '../../../functions/lib/polling/update.js';
import { CLUSTER_TEMPLATE } from '../../../functions/lib/template/index.js';
import { simulateUpdate, updateVisibleAt } from '../../support/simulators/update.js';

const graph = resourceGraph(CLUSTER_TEMPLATE);
const T0 = Date.UTC(2026, 0, 1, 12);
const changes: PlannedChange[] = [
  { logicalId: 'Cluster', type: 'AWS::EKS::Cluster', action: 'Modify' },
  { logicalId: 'Nodegroup', type: 'AWS::EKS::Nodegroup', action: 'Modify' },
];
const ev = (logical: string, type: string, status: string, at: number): StackEventLike => ({
  LogicalResourceId: logical,
  ResourceType: type,
  ResourceStatus: status,
  Timestamp: new Date(T0 + at * 1000),
});
const begun = ev('demo', 'AWS::CloudFormation::Stack', 'UPDATE_IN_PROGRESS', 1);
const wait = (events: StackEventLike[], atSeconds: number, stackStatus = 'UPDATE_IN_PROGRESS', planned = changes) =>
  updateWaitSeconds({
    stackStatus,
    events,
    changes: planned,
    graph,
    nowMs: T0 + atSeconds * 1000,
    executedAtMs: T0,
    seed: 'test',
  });

describe('updateWaitSeconds', () => {
  it('looks every 20 s at most in the first minute (EKS rejects a bad update within seconds)', () => {
    expect(wait([begun, ev('Cluster', 'AWS::EKS::Cluster', 'UPDATE_IN_PROGRESS', 2)], 15)).toBeLessThanOrEqual(
      UPDATE_POLL_TUNING.earlyWaitSeconds,
    );
  });

  it('sleeps for minutes early in a control-plane upgrade, and shortens as its end nears', () => {
    const events = [begun, ev('Cluster', 'AWS::EKS::Cluster', 'UPDATE_IN_PROGRESS', 2)];
    const early = wait(events, 90);
    expect(early).toBeGreaterThanOrEqual(120);
    // The control plane is done; the roll started 5 min ago: its end is plausible any moment.
    const rolling = [
      ...events,
      ev('Cluster', 'AWS::EKS::Cluster', 'UPDATE_COMPLETE', 600),
      ev('Nodegroup', 'AWS::EKS::Nodegroup', 'UPDATE_IN_PROGRESS', 601),
    ];
    expect(wait(rolling, 900)).toBeLessThan(60);
  });

  it('an access-entry-only change set is followed densely (it takes seconds)', () => {
    const planned = [{ logicalId: 'AdminAccessEntry1', type: 'AWS::EKS::AccessEntry', action: 'Modify' }];
    expect(
      wait(
        [begun, ev('AdminAccessEntry1', 'AWS::EKS::AccessEntry', 'UPDATE_IN_PROGRESS', 2)],
        75,
        'UPDATE_IN_PROGRESS',
        planned,
      ),
    ).toBe(UPDATE_POLL_TUNING.minWaitSeconds);
  });

  it('a failed change, the clean-up and a rollback get short, steady waits', () => {
    const failed = [
      begun,
      ev('Cluster', 'AWS::EKS::Cluster', 'UPDATE_IN_PROGRESS', 2),
      ev('Cluster', 'AWS::EKS::Cluster', 'UPDATE_FAILED', 200),
    ];
    expect(wait(failed, 210)).toBe(UPDATE_POLL_TUNING.minWaitSeconds);
    expect(wait([begun], 900, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS')).toBe(UPDATE_POLL_TUNING.minWaitSeconds);
    expect(wait(failed, 240, 'UPDATE_ROLLBACK_IN_PROGRESS')).toBe(UPDATE_POLL_TUNING.rollbackWaitSeconds);
  });

  it("ignores an earlier update's events of the same resources", () => {
    const snap = updateSnapshot(
      [
        ev('Cluster', 'AWS::EKS::Cluster', 'UPDATE_COMPLETE', -3600),
        ev('Cluster', 'AWS::EKS::Cluster', 'UPDATE_IN_PROGRESS', 2),
      ],
      changes,
      T0,
    );
    expect(snap.resources['Cluster']).toMatchObject({ status: 'UPDATE_IN_PROGRESS', startedAt: T0 + 2000 });
    expect(snap.resources['Cluster']!.endedAt).toBeUndefined();
  });

  it('past the 30-minute mark the overtime floor applies, as for creations (history budget)', () => {
    // An access entry stuck for 40 min: the model says "any moment" and would look every 10 s.
    const planned = [{ logicalId: 'AdminAccessEntry1', type: 'AWS::EKS::AccessEntry', action: 'Modify' }];
    const stuck = [begun, ev('AdminAccessEntry1', 'AWS::EKS::AccessEntry', 'UPDATE_IN_PROGRESS', 2)];
    expect(wait(stuck, 2400, 'UPDATE_IN_PROGRESS', planned)).toBe(waitFloorSeconds(2400));
    expect(waitFloorSeconds(2400)).toBeGreaterThan(UPDATE_POLL_TUNING.minWaitSeconds);
  });

  it('follows a simulated upgrade + roll to its end with fewer looks than a fixed 30 s pace', () => {
    const sim = simulateUpdate(42);
    let t = sim.executedAt + UPDATE_POLL_TUNING.firstWaitSeconds * 1000;
    let looks = 1;
    for (; ; looks++) {
      const { stackStatus, events } = updateVisibleAt(sim, t);
      if (stackStatus === 'UPDATE_COMPLETE') break;
      t +=
        updateWaitSeconds({
          stackStatus,
          events,
          changes: sim.changes,
          graph: sim.graph,
          nowMs: t,
          executedAtMs: sim.executedAt,
          seed: `s#${looks}`,
        }) * 1000;
    }
    expect(t - sim.finishedAt).toBeLessThan(60_000);
    expect(looks).toBeLessThan((sim.finishedAt - sim.executedAt) / 30_000);
  });
});
