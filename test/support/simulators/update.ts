/**
 * Simulated CloudFormation timelines of a cluster update: a change set that upgrades the control
 * plane and then rolls the managed node group to the new version (CloudFormation updates the node
 * group after the cluster it references). Durations are drawn from "truth" distributions that
 * differ from the planner's model (UPDATE_DURATIONS): a node roll here is per node (2–4 nodes, one
 * at a time), the planner only knows a whole-roll distribution.
 */
import { type ResourceGraph, resourceGraph } from '../../../functions/lib/polling/dependencies.js';
import { normalQuantile, prng } from '../../../functions/lib/polling/math.js';
import type { StackEventLike } from '../../../functions/lib/polling/timeline.js';
import type { PlannedChange } from '../../../functions/lib/polling/update.js';
import { CLUSTER_TEMPLATE } from '../../../functions/lib/template/index.js';

export interface SimulatedUpdate {
  stackName: string;
  stackId: string;
  /** When ExecuteChangeSet returned (ms). */
  executedAt: number;
  /** The stack's UPDATE_COMPLETE (ms). */
  finishedAt: number;
  changes: PlannedChange[];
  graph: ResourceGraph;
  /** Seconds each step took, for schedules that drive the steps one by one (eksctl). */
  controlPlaneSeconds: number;
  nodeRollSeconds: number;
  events: Array<StackEventLike & { Timestamp: Date }>;
}

const graph = resourceGraph(CLUSTER_TEMPLATE);

export function simulateUpdate(seed: number): SimulatedUpdate {
  const rand = prng(seed * 7919 + 17);
  const z = () => normalQuantile(Math.min(0.9999, Math.max(1e-4, rand())));
  const speed = Math.exp(0.12 * z());
  // Control-plane upgrade: 7–20 min, median ~10.5 min.
  const controlPlaneSeconds = (420 + Math.exp(Math.log(220) + 0.45 * z())) * speed;
  // Node roll: set-up, then per node a replacement joins and the old one drains (one at a time).
  const nodes = 2 + Math.floor(rand() * 3);
  let nodeRollSeconds = (30 + 20 * rand()) * speed;
  for (let i = 0; i < nodes; i++) nodeRollSeconds += (50 + Math.exp(Math.log(65) + 0.4 * z())) * speed;

  const stackName = `sim-update-${seed}`;
  const stackId = `arn:aws:cloudformation:us-east-1:222222222222:stack/${stackName}/${seed.toString(16).padStart(8, '0')}`;
  const executedAt = Date.UTC(2026, 0, 1) + seed * 10_000;
  const events: SimulatedUpdate['events'] = [];
  const ev = (t: number, id: string, type: string, status: string) =>
    events.push({
      EventId: `${id}-${status}-${events.length}`,
      StackName: stackName,
      LogicalResourceId: id,
      PhysicalResourceId: `${id}-phys`,
      ResourceType: type,
      Timestamp: new Date(Math.round(t)),
      ResourceStatus: status,
    });
  const stackType = 'AWS::CloudFormation::Stack';
  let t = executedAt + 1000 + rand() * 2000;
  ev(t, stackName, stackType, 'UPDATE_IN_PROGRESS');
  t += 500 + rand() * 1000;
  ev(t, 'Cluster', 'AWS::EKS::Cluster', 'UPDATE_IN_PROGRESS');
  t += controlPlaneSeconds * 1000;
  ev(t, 'Cluster', 'AWS::EKS::Cluster', 'UPDATE_COMPLETE');
  t += 300 + rand() * 1500;
  ev(t, 'Nodegroup', 'AWS::EKS::Nodegroup', 'UPDATE_IN_PROGRESS');
  t += nodeRollSeconds * 1000;
  ev(t, 'Nodegroup', 'AWS::EKS::Nodegroup', 'UPDATE_COMPLETE');
  t += 500 + rand() * 2000;
  ev(t, stackName, stackType, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
  t += 1000 + rand() * 2000;
  ev(t, stackName, stackType, 'UPDATE_COMPLETE');
  return {
    stackName,
    stackId,
    executedAt,
    finishedAt: t,
    changes: [
      { logicalId: 'Cluster', type: 'AWS::EKS::Cluster', action: 'Modify' },
      { logicalId: 'Nodegroup', type: 'AWS::EKS::Nodegroup', action: 'Modify' },
    ],
    graph,
    controlPlaneSeconds,
    nodeRollSeconds,
    events,
  };
}

/** The stack's status and events (newest first) as DescribeStacks / DescribeStackEvents show them at `now`. */
export function updateVisibleAt(sim: SimulatedUpdate, now: number): { stackStatus: string; events: StackEventLike[] } {
  const events = sim.events.filter((e) => e.Timestamp.getTime() <= now);
  const stackEvents = events.filter((e) => e.LogicalResourceId === sim.stackName);
  return { stackStatus: stackEvents.at(-1)?.ResourceStatus ?? 'CREATE_COMPLETE', events: events.reverse() };
}
