/**
 * What an update will do, in the order it happens, and what it disrupts — the answer to
 * `PATCH …?dryRun=true` before anything runs (like `eksctl upgrade cluster` without `--approve`).
 * Built from the setting changes alone (pure); the update run's change set then shows exactly which
 * stack resources are modified or replaced.
 */

import { managedNamespaces } from '../kubernetes/namespaces.js';
import type { ClusterSettings } from '../schema/cluster-settings.js';
import { amiTypeFor } from '../template/parameters.js';
import type { SettingChange } from './patch.js';
import { type LiveVersions, planUpdateStages, type UpdateStageName } from './stages.js';

export type UpdateComponent = 'control-plane' | 'node-group' | 'add-ons' | 'access-entries' | 'kubernetes';
const ORDER: UpdateComponent[] = ['control-plane', 'node-group', 'add-ons', 'access-entries', 'kubernetes'];

/** The add-ons the template installs; each moves to the default version for a new Kubernetes version. */
export const CLUSTER_ADDONS = [
  'vpc-cni',
  'kube-proxy',
  'eks-pod-identity-agent',
  'coredns',
  'aws-ebs-csi-driver',
] as const;

export interface UpdateStep {
  component: UpdateComponent;
  /** What happens, in words. */
  action: string;
  /** What users of the cluster notice; absent when nothing. */
  disruption?: string;
}

export interface UpdatePlan {
  changes: SettingChange[];
  steps: UpdateStep[];
  /** The same steps by stage: each stage is one stack update, run after the one before has completed. */
  stages: Array<{ name: UpdateStageName; title: string; steps: UpdateStep[] }>;
  /** True when the node group is replaced (instance type or AMI family): every node is new. */
  nodesReplaced: boolean;
  /** True when pods are evicted (node roll, replacement or scale-down). */
  disruptive: boolean;
}

const list = (v: unknown) => (Array.isArray(v) ? (v as string[]) : []);

/**
 * `live`: the versions the cluster runs, when known (a failed upgrade may have left the control plane
 * on the new version and the nodes on the old one); default: the settings' version everywhere.
 */
export function buildUpdatePlan(
  before: ClusterSettings,
  after: ClusterSettings,
  changes: SettingChange[],
  live?: LiveVersions,
): UpdatePlan {
  const steps: UpdateStep[] = [];
  const changed = (f: SettingChange['field']) => changes.find((c) => c.field === f);
  const version = changed('kubernetesVersion');
  const liveVersions: LiveVersions = live ?? {
    controlPlaneVersion: String(version?.from ?? before.kubernetesVersion ?? ''),
  };
  const controlPlaneThere = !!version && liveVersions.controlPlaneVersion === version.to;
  const instance = changed('instanceType');
  const count = changed('nodeCount');
  const replaced = !!instance;

  if (version && !controlPlaneThere) {
    steps.push({
      component: 'control-plane',
      action: `Upgrade the control plane from Kubernetes ${String(version.from)} to ${String(version.to)} (EKS takes about 10 minutes; the Kubernetes API stays available)`,
    });
  }
  const policy = changed('upgradePolicy');
  if (policy) {
    steps.push({
      component: 'control-plane',
      action:
        policy.to === 'EXTENDED'
          ? 'Switch the support policy to EXTENDED: at the end of standard support the cluster stays on its version for up to 12 more months, billed at six times the standard control-plane price per hour'
          : 'Switch the support policy to STANDARD: at the end of standard support EKS upgrades the control plane to the next version (no extra charge)',
    });
  }
  if (instance) {
    const amiChange = amiTypeFor(String(instance.from)) !== amiTypeFor(String(instance.to));
    steps.push({
      component: 'node-group',
      action: `Replace the node group: a new group of ${after.nodeCount} ${String(instance.to)} node(s)${version ? ` on ${String(version.to)}` : ''}${amiChange ? ` (${amiTypeFor(String(instance.to))} AMI)` : ''} starts first; once it is active the old group's ${String(instance.from)} nodes are drained and terminated, so capacity never drops to zero`,
      disruption:
        'Every node is replaced: pods are evicted (PodDisruptionBudgets are respected) and rescheduled on the new nodes; local data on nodes is lost',
    });
  } else if (version) {
    steps.push({
      component: 'node-group',
      action: `Roll the nodes ${controlPlaneThere ? `from Kubernetes ${liveVersions.nodegroupVersion ?? String(version.from)} ` : ''}to Kubernetes ${String(version.to)}${controlPlaneThere ? ' (the control plane runs it already)' : ''}: EKS starts nodes on the new AMI, then drains and terminates the old ones one at a time`,
      disruption:
        'Pods are evicted from each old node (PodDisruptionBudgets are respected; one that allows no eviction blocks the update)',
    });
  }
  if (count) {
    const down = Number(count.to) < Number(count.from);
    steps.push({
      component: 'node-group',
      action: `Scale the node group from ${String(count.from)} to ${String(count.to)} node(s)`,
      ...(down
        ? {
            disruption: `${Number(count.from) - Number(count.to)} node(s) are drained and terminated; their pods move to the remaining nodes`,
          }
        : {}),
    });
  }
  if (version) {
    steps.push({
      component: 'add-ons',
      action: `Update the add-ons (${CLUSTER_ADDONS.join(', ')}) to EKS's default versions for Kubernetes ${String(version.to)}`,
      disruption: 'Add-on pods restart one by one (DaemonSets roll node by node)',
    });
  }
  for (const field of ['adminPrincipalArns', 'deployPrincipalArns'] as const) {
    const c = changed(field);
    if (!c) continue;
    const added = list(c.to).filter((a) => !list(c.from).includes(a));
    const removed = list(c.from).filter((a) => !list(c.to).includes(a));
    const what = field === 'adminPrincipalArns' ? 'cluster-admin' : 'edit in the managed namespaces';
    steps.push({
      component: 'access-entries',
      action:
        [
          added.length ? `Give ${what} to ${added.join(', ')}` : '',
          removed.length ? `Remove the access entries of ${removed.join(', ')}` : '',
        ]
          .filter(Boolean)
          .join('; ') || `Reorder the ${what} access entries`,
      ...(removed.length ? { disruption: `${removed.join(', ')} lose access to the Kubernetes API` } : {}),
    });
  }
  const ns = changed('namespaces');
  const nsBefore = managedNamespaces(before);
  const nsAfter = managedNamespaces(after);
  if (ns || nsBefore.join(',') !== nsAfter.join(',')) {
    const added = nsAfter.filter((n) => !nsBefore.includes(n));
    const dropped = nsBefore.filter((n) => !nsAfter.includes(n));
    steps.push({
      component: 'kubernetes',
      action: `${added.length ? `Create the managed namespace(s) ${added.join(', ')} with their deployer service account` : 'Check the managed namespaces'}${dropped.length ? `; ${dropped.join(', ')} are no longer managed but are not deleted (delete them with kubectl when empty)` : ''}`,
    });
  }
  steps.sort((a, b) => ORDER.indexOf(a.component) - ORDER.indexOf(b.component));
  const planned = planUpdateStages(liveVersions, changes);
  const stagesHaveControlPlane = planned.some((st) => st.name === 'control-plane');
  const stages = planned.map((st) => ({
    name: st.name,
    title: st.title,
    // A control-plane stage does the control plane's steps; the stage after it (or the only one) the rest.
    steps:
      st.name === 'control-plane'
        ? steps.filter((x) => x.component === 'control-plane')
        : steps.filter((x) => !(stagesHaveControlPlane && x.component === 'control-plane')),
  }));
  return {
    changes,
    steps,
    stages,
    nodesReplaced: replaced,
    disruptive: steps.some((s) => s.component === 'node-group' && !!s.disruption),
  };
}
