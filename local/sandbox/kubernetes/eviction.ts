/**
 * Eviction (policy/v1, POST pods/{name}/eviction) as kube-apiserver's eviction REST does it
 * (pkg/registry/core/pod/storage/eviction.go): a pod matched by a PodDisruptionBudget whose
 * disruptionsAllowed is 0 is refused with 429 "Cannot evict pod as it would violate the pod's disruption
 * budget."; more than one matching PDB is a 500; Pending and finished pods ignore budgets; an unready pod
 * may go when the budget is otherwise met (unhealthyPodEvictionPolicy IfHealthyBudget). An evicted pod
 * is deleted at once (no grace period), and its Deployment makes a replacement on another Ready node.
 *
 * evictPodsFromNode is what a managed node group's rolling update does to each old node (like
 * `kubectl drain --ignore-daemonsets`), called from the EKS side by cluster name.
 */
import type { World } from '../world/world.js';
import { clusterKey, type KubeCtx, type KubeObject, kubeStates } from './objects.js';
import { computePdbStatus, pdbPods } from './pdb.js';
import { controllerOf, deletePod, podReady, reconcileWorkloads } from './workloads.js';

export type EvictionOutcome =
  | { ok: true }
  | {
      ok: false;
      status: 404 | 429 | 500;
      reason: string;
      message: string;
      pdb?: { name: string; namespace: string };
      causes?: { reason: string; message: string }[];
    };

/** Evict one pod; its replacement avoids `avoidNode` (default: the node the pod was on). */
export function evictPod(ctx: KubeCtx, namespace: string, name: string, avoidNode?: string): EvictionOutcome {
  reconcileWorkloads(ctx);
  const pod = ctx.state.objects.pods[`${namespace}/${name}`];
  if (!pod) return { ok: false, status: 404, reason: 'NotFound', message: `pods "${name}" not found` };
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  if (phase !== 'Pending' && phase !== 'Succeeded' && phase !== 'Failed') {
    const pdbs = Object.values(ctx.state.objects.poddisruptionbudgets).filter(
      (b) => b.metadata.namespace === namespace && pdbPods(ctx, b).some((p) => p === pod),
    );
    if (pdbs.length > 1)
      return {
        ok: false,
        status: 500,
        reason: 'InternalError',
        message: 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.',
      };
    const pdb = pdbs[0];
    if (pdb) {
      const s = computePdbStatus(ctx, pdb);
      const unhealthyMayGo = !podReady(pod) && s.currentHealthy >= s.desiredHealthy && s.desiredHealthy > 0;
      if (!unhealthyMayGo && s.disruptionsAllowed <= 0) {
        return {
          ok: false,
          status: 429,
          reason: 'TooManyRequests',
          message: "Cannot evict pod as it would violate the pod's disruption budget.",
          pdb: { name: pdb.metadata.name, namespace },
          causes: [
            {
              reason: 'DisruptionBudget',
              message: `The disruption budget ${pdb.metadata.name} needs ${s.desiredHealthy} healthy pods and has ${s.currentHealthy} currently`,
            },
          ],
        };
      }
    }
  }
  deletePod(ctx, pod);
  // The replacement goes to another Ready node when there is one (the evicted pod's node is usually being
  // drained); with none it stays Pending until a node fits.
  reconcileWorkloads(ctx, avoidNode ?? (pod.spec as { nodeName?: string }).nodeName);
  return { ok: true };
}

// ----- by cluster name, for the EKS side ---------------------------------------------------------------

interface Registered {
  world: World;
  timeScale: number;
}

const worlds = new Set<Registered>();

/** The sandbox's Kubernetes front registers its world here so the EKS side can drain nodes by name. */
export function registerKubernetesWorld(world: World, timeScale: number): () => void {
  const r = { world, timeScale };
  worlds.add(r);
  return () => worlds.delete(r);
}

function findCluster(clusterName: string, where?: { accountId: string; region: string }): KubeCtx | undefined {
  for (const { world, timeScale } of worlds) {
    const states = kubeStates(world);
    const cluster = world.data.eksClusters.find(
      (c) =>
        c.name === clusterName &&
        (!where || (c.accountId === where.accountId && c.region === where.region)) &&
        c.status !== 'DELETING' &&
        states[clusterKey(c)],
    );
    if (cluster) return { world, cluster, state: states[clusterKey(cluster)]!, timeScale };
  }
  return undefined;
}

function isDaemonSetPod(p: KubeObject): boolean {
  return controllerOf(p)?.kind === 'DaemonSet';
}

/**
 * Evict every pod of the node except DaemonSet pods, through the eviction rules above. Pods a budget
 * protects are left in place and the first of them is reported (the others are still evicted); a node
 * with nothing left to evict, or a cluster with no Kubernetes state (no node ever joined), is ok.
 * Cluster names are unique per account and region; with several sandboxes or accounts holding the same
 * name, pass `where`.
 */
export function evictPodsFromNode(
  clusterName: string,
  nodeName: string,
): { ok: true } | { ok: false; pdb: { name: string; namespace: string }; pod: string };
export function evictPodsFromNode(
  clusterName: string,
  nodeName: string,
  where: { accountId: string; region: string },
): { ok: true } | { ok: false; pdb: { name: string; namespace: string }; pod: string };
export function evictPodsFromNode(
  clusterName: string,
  nodeName: string,
  where?: { accountId: string; region: string },
): { ok: true } | { ok: false; pdb: { name: string; namespace: string }; pod: string } {
  const ctx = findCluster(clusterName, where);
  if (!ctx) return { ok: true };
  reconcileWorkloads(ctx);
  const onNode = Object.values(ctx.state.objects.pods)
    .filter((p) => (p.spec as { nodeName?: string }).nodeName === nodeName && !isDaemonSetPod(p))
    .sort((a, b) =>
      `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`),
    );
  let blocked: { pdb: { name: string; namespace: string }; pod: string } | undefined;
  for (const p of onNode) {
    const r = evictPod(ctx, p.metadata.namespace!, p.metadata.name, nodeName);
    if (!r.ok && r.status === 429 && r.pdb && !blocked) blocked = { pdb: r.pdb, pod: p.metadata.name };
  }
  return blocked ? { ok: false, ...blocked } : { ok: true };
}
