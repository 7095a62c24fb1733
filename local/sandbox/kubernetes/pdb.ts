/**
 * PodDisruptionBudget status, as the disruption controller computes it (pkg/controller/disruption):
 *
 *   minAvailable (int)       desiredHealthy = minAvailable, expectedPods = matching pods
 *   minAvailable (percent)   expectedPods = the scale of the pods' controllers, desiredHealthy = ceil(% × expected)
 *   maxUnavailable           expectedPods = the scale of the pods' controllers, desiredHealthy = expected − ceil(% or int)
 *   currentHealthy           matching pods that are Ready
 *   disruptionsAllowed       currentHealthy − desiredHealthy, never below 0, and 0 when nothing is expected
 *
 * Controller scale: a ReplicaSet-owned pod counts its Deployment's spec.replicas. DaemonSet pods have no
 * scale: like the controller, a PDB with maxUnavailable or a percentage over them allows no disruption.
 */
import type { KubeCtx, KubeObject } from './objects.js';
import { type LabelSelector, selects } from './selectors.js';
import { controllerOf, podReady, podsOf } from './workloads.js';

export interface PdbStatus {
  observedGeneration: number;
  disruptionsAllowed: number;
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
  conditions: {
    type: string;
    status: string;
    reason: string;
    message: string;
    observedGeneration: number;
    lastTransitionTime: string;
  }[];
}

function scaled(v: number | string, total: number): number {
  if (typeof v === 'number') return v;
  return Math.ceil((parseInt(v, 10) * total) / 100);
}

export function pdbPods(ctx: KubeCtx, pdb: KubeObject): KubeObject[] {
  const sel = (pdb.spec as { selector?: LabelSelector } | undefined)?.selector;
  return podsOf(ctx).filter(
    (p) =>
      p.metadata.namespace === pdb.metadata.namespace &&
      selects(sel, p.metadata.labels) &&
      !p.metadata['deletionTimestamp'],
  );
}

/** The scale of the controllers of these pods; undefined when one has none (DaemonSet, bare pod). */
function expectedScale(ctx: KubeCtx, pods: KubeObject[]): number | undefined {
  const seen = new Map<string, number>();
  for (const p of pods) {
    const c = controllerOf(p);
    if (c?.kind !== 'ReplicaSet') return undefined;
    const deployName = c.name.replace(/-[^-]+$/, '');
    const d = ctx.state.objects.deployments[`${p.metadata.namespace}/${deployName}`];
    if (!d) return undefined;
    seen.set(c.uid, (d.spec as { replicas?: number }).replicas ?? 1);
  }
  return [...seen.values()].reduce((a, b) => a + b, 0);
}

export function computePdbStatus(ctx: KubeCtx, pdb: KubeObject): PdbStatus {
  const spec = (pdb.spec ?? {}) as { minAvailable?: number | string; maxUnavailable?: number | string };
  const pods = pdbPods(ctx, pdb);
  const currentHealthy = pods.filter(podReady).length;
  let expected = 0;
  let desired = 0;
  let ok = true;
  if (spec.maxUnavailable !== undefined) {
    const e = expectedScale(ctx, pods);
    if (e === undefined) ok = false;
    else {
      expected = e;
      desired = Math.max(0, expected - scaled(spec.maxUnavailable, expected));
    }
  } else if (typeof spec.minAvailable === 'number') {
    desired = spec.minAvailable;
    expected = pods.length;
  } else if (typeof spec.minAvailable === 'string') {
    const e = expectedScale(ctx, pods);
    if (e === undefined) ok = false;
    else {
      expected = e;
      desired = scaled(spec.minAvailable, expected);
    }
  }
  let allowed = currentHealthy - desired;
  if (!ok || expected <= 0 || allowed <= 0) allowed = 0;
  const gen = Number(pdb.metadata['generation'] ?? 1);
  const old = (pdb.status as PdbStatus | undefined)?.conditions?.[0];
  const cond = ok
    ? {
        type: 'DisruptionAllowed',
        status: allowed > 0 ? 'True' : 'False',
        reason: allowed > 0 ? 'SufficientPods' : 'InsufficientPods',
        message: '',
        observedGeneration: gen,
      }
    : {
        type: 'DisruptionAllowed',
        status: 'False',
        reason: 'SyncFailed',
        message: 'found no controllers for pod',
        observedGeneration: gen,
      };
  const lastTransitionTime =
    old && old.status === cond.status ? old.lastTransitionTime : ctx.world.nowIso().replace(/\.\d{3}Z$/, 'Z');
  return {
    observedGeneration: gen,
    disruptionsAllowed: allowed,
    currentHealthy: ok ? currentHealthy : 0,
    desiredHealthy: ok ? desired : 0,
    expectedPods: ok ? expected : 0,
    conditions: [{ ...cond, lastTransitionTime }],
  };
}

export function refreshPdbStatuses(ctx: KubeCtx): void {
  for (const pdb of Object.values(ctx.state.objects.poddisruptionbudgets)) {
    const next = computePdbStatus(ctx, pdb);
    if (JSON.stringify(pdb.status) === JSON.stringify(next)) continue;
    pdb.status = next;
    ctx.state.resourceVersion += 1;
    pdb.metadata.resourceVersion = String(ctx.state.resourceVersion);
  }
}
