/**
 * Simulated CloudFormation timelines of the cluster template, for the poll benchmark. Durations
 * are drawn from "truth" distributions that deliberately differ from the planner's model
 * (functions/lib/polling/durations.ts): per-add-on medians, a per-run speed factor (region, account,
 * time of day) and heavier tails, so the benchmark does not just grade the model against itself.
 */
import { type ResourceGraph, resourceGraph, topologicalOrder } from '../../../functions/lib/polling/dependencies.js';
import { normalQuantile, prng } from '../../../functions/lib/polling/math.js';
import type { StackEventLike } from '../../../functions/lib/polling/timeline.js';
import { CLUSTER_TEMPLATE } from '../../../functions/lib/template/index.js';

interface Truth {
  min: number;
  median: number;
  sigma: number;
}

/** Seconds. Medians from observed EKS stacks; sigma of ln(d - min). */
const TRUTH: Record<string, Truth> = {
  NodeRole: { min: 2, median: 10, sigma: 0.6 },
  EbsCsiDriverRole: { min: 2, median: 10, sigma: 0.6 },
  Cluster: { min: 380, median: 560, sigma: 0.45 },
  VpcCniAddon: { min: 10, median: 35, sigma: 0.5 },
  KubeProxyAddon: { min: 8, median: 25, sigma: 0.5 },
  PodIdentityAgentAddon: { min: 8, median: 30, sigma: 0.5 },
  Nodegroup: { min: 90, median: 185, sigma: 0.4 },
  CoreDnsAddon: { min: 10, median: 30, sigma: 0.5 },
  EbsCsiDriverAddon: { min: 15, median: 55, sigma: 0.45 },
  AccessEntry: { min: 1, median: 4, sigma: 0.6 },
};

export interface FailurePlan {
  /** Logical id that fails, and after what fraction of its drawn duration. */
  logicalId: string;
  atFraction: number;
  reason: string;
}

export interface SimulatedStack {
  stackName: string;
  stackId: string;
  createdAt: number;
  /** When the stack reached its terminal status (ms). */
  finishedAt: number;
  finalStatus: 'CREATE_COMPLETE' | 'CREATE_FAILED';
  expected: string[];
  graph: ResourceGraph;
  /** All events, oldest first. */
  events: Array<StackEventLike & { Timestamp: Date }>;
}

const graph = resourceGraph(CLUSTER_TEMPLATE);

export function simulateStack(
  seed: number,
  opts: { admins?: number; failure?: FailurePlan; stackName?: string; createdAt?: number } = {},
): SimulatedStack {
  const rand = prng(seed);
  const lognormal = (t: Truth, speed: number) =>
    (t.min +
      Math.exp(Math.log(t.median - t.min) + t.sigma * normalQuantile(Math.min(0.9999, Math.max(1e-4, rand()))))) *
    speed;
  const admins = opts.admins ?? Math.floor(rand() * 3);
  const expected = Object.keys(graph.types).filter(
    (id) => !graph.conditional[id] || (/^AdminAccessEntry\d+$/.test(id) && Number(id.replace(/\D/g, '')) <= admins),
  );
  const stackName = opts.stackName ?? `sim-${seed}`;
  const stackId = `arn:aws:cloudformation:us-east-1:222222222222:stack/${stackName}/${seed.toString(16).padStart(8, '0')}`;
  const createdAt = opts.createdAt ?? Date.UTC(2026, 0, 1) + seed * 10_000;
  // One speed factor per run: some regions/accounts are just slower.
  const speed = Math.exp(0.12 * normalQuantile(Math.min(0.9999, Math.max(1e-4, rand()))));
  const events: SimulatedStack['events'] = [];
  const ev = (t: number, id: string, type: string, status: string, reason = '') =>
    events.push({
      EventId: `${id}-${status}-${events.length}`,
      StackName: stackName,
      LogicalResourceId: id,
      PhysicalResourceId:
        type === 'AWS::CloudFormation::Stack'
          ? stackId
          : status === 'CREATE_IN_PROGRESS' && !reason
            ? ''
            : `${id}-phys`,
      ResourceType: type,
      Timestamp: new Date(Math.round(t)),
      ResourceStatus: status,
      ...(reason ? { ResourceStatusReason: reason } : {}),
    });
  ev(createdAt, stackName, 'AWS::CloudFormation::Stack', 'CREATE_IN_PROGRESS', 'User Initiated');

  const end: Record<string, number> = {};
  let finishedAt = createdAt;
  let failedAt: number | undefined;
  for (const id of topologicalOrder(graph, expected)) {
    const deps = (graph.dependsOn[id] ?? []).filter((d) => expected.includes(d));
    const start = Math.max(createdAt + 500 + rand() * 1000, ...deps.map((d) => end[d]! + 300 + rand() * 1500));
    if (failedAt !== undefined && start >= failedAt) continue; // never started: the stack failed first
    const truth = TRUTH[id.replace(/\d+$/, '')] ?? { min: 2, median: 20, sigma: 0.6 };
    let d = lognormal(truth, speed) * 1000;
    const type = graph.types[id]!;
    ev(start, id, type, 'CREATE_IN_PROGRESS');
    ev(start + 200 + rand() * 800, id, type, 'CREATE_IN_PROGRESS', 'Resource creation Initiated');
    if (opts.failure?.logicalId === id) {
      d *= opts.failure.atFraction;
      ev(start + d, id, type, 'CREATE_FAILED', opts.failure.reason);
      failedAt = start + d;
      end[id] = start + d;
      continue;
    }
    end[id] = start + d;
  }
  // Resources that finish after a failure are cancelled at the failure (OnFailure DO_NOTHING).
  const order = Object.entries(end).sort((a, b) => a[1] - b[1]);
  for (const [id, t] of order) {
    if (id === opts.failure?.logicalId) continue;
    if (failedAt !== undefined && t > failedAt) {
      ev(failedAt + 500, id, graph.types[id]!, 'CREATE_FAILED', 'Resource creation cancelled');
    } else {
      ev(t, id, graph.types[id]!, 'CREATE_COMPLETE');
      finishedAt = Math.max(finishedAt, t);
    }
  }
  let finalStatus: SimulatedStack['finalStatus'] = 'CREATE_COMPLETE';
  if (failedAt !== undefined) {
    finishedAt = failedAt + 1000 + rand() * 2000;
    finalStatus = 'CREATE_FAILED';
    ev(
      finishedAt,
      stackName,
      'AWS::CloudFormation::Stack',
      'CREATE_FAILED',
      `The following resource(s) failed to create: [${opts.failure!.logicalId}]. `,
    );
  } else {
    finishedAt += 500 + rand() * 2500;
    ev(finishedAt, stackName, 'AWS::CloudFormation::Stack', 'CREATE_COMPLETE');
  }
  events.sort((a, b) => a.Timestamp.getTime() - b.Timestamp.getTime());
  return { stackName, stackId, createdAt, finishedAt, finalStatus, expected, graph, events };
}

/** What DescribeStackEvents would return at `now` (newest first). */
export function eventsVisibleAt(sim: SimulatedStack, now: number): StackEventLike[] {
  return sim.events.filter((e) => e.Timestamp.getTime() <= now).reverse();
}
