/**
 * An update runs as stages, each its own change set, execution and poll — like `eksctl upgrade
 * cluster` then `eksctl upgrade nodegroup`. A version upgrade is two: (1) the control plane, then
 * (2) the node group's version, the add-ons and every other change. When stage 2 fails (a
 * PodDisruptionBudget blocks the node roll), CloudFormation rolls back stage 2 alone: the control
 * plane stays on the new version, the nodes on the old one (a supported skew), and the same PATCH
 * sent again plans the node stage only. Without a version change there is one stage.
 *
 * Pure: from the versions the cluster runs (the update pre-flight reads them) and the changes.
 */
import {
  ADDON_VERSION_PARAMETERS,
  MAX_ADMIN_PRINCIPALS,
  MAX_DEPLOY_PRINCIPALS,
  PARAMETER_KEYS,
} from '../template/parameters.js';

export type UpdateStageName = 'control-plane' | 'nodes' | 'all';

export interface UpdateStage {
  name: UpdateStageName;
  /** What this stage does, in words (the record's phase says it while it runs). */
  title: string;
  /** The control plane's Kubernetes version once this stage is done. */
  controlPlaneVersion: string;
  /** The node group's Kubernetes version once this stage is done. */
  nodegroupVersion: string;
  /**
   * 'target': the add-ons, node group, access entries and namespaces take their new values in this
   * stage; 'current': they keep what the stack has (the control-plane stage of an upgrade).
   */
  rest: 'target' | 'current';
}

export interface LiveVersions {
  controlPlaneVersion: string;
  /** Absent when the cluster has no node group the stack knows of: the control plane's. */
  nodegroupVersion?: string;
}

/** The stages of one update, in order (at least one). */
export function planUpdateStages(
  live: LiveVersions,
  changes: ReadonlyArray<{ field: string; to: unknown }>,
): UpdateStage[] {
  const cp = live.controlPlaneVersion;
  const nodes = live.nodegroupVersion || cp;
  const version = changes.find((c) => c.field === 'kubernetesVersion');
  const to = typeof version?.to === 'string' ? version.to : undefined;
  const nodeStage = (v: string): UpdateStage => ({
    name: 'nodes',
    title: `Node group to Kubernetes ${v}${changes.some((c) => c.field !== 'kubernetesVersion' && c.field !== 'upgradePolicy') ? ', add-ons and the other changes' : ' and add-ons'}`,
    controlPlaneVersion: v,
    nodegroupVersion: v,
    rest: 'target',
  });
  if (to && cp !== to) {
    return [
      {
        name: 'control-plane',
        title: `Control plane to Kubernetes ${to}`,
        controlPlaneVersion: to,
        nodegroupVersion: nodes,
        rest: 'current',
      },
      nodeStage(to),
    ];
  }
  // The control plane is there already (an earlier run's node stage was rolled back): the nodes only.
  if (to && nodes !== to) return [nodeStage(to)];
  return [{ name: 'all', title: 'The changes', controlPlaneVersion: cp, nodegroupVersion: nodes, rest: 'target' }];
}

/**
 * Stack parameters a `rest: 'current'` stage keeps at the stack's values: everything of the node group,
 * add-ons, access entries and namespaces. The control plane's own (version, support policy, force) move.
 */
export const DEFERRED_PARAMETER_KEYS: readonly string[] = [
  PARAMETER_KEYS.instanceType,
  PARAMETER_KEYS.amiType,
  PARAMETER_KEYS.nodeCount,
  PARAMETER_KEYS.deployNamespaces,
  ...Array.from({ length: MAX_ADMIN_PRINCIPALS }, (_, i) => `${PARAMETER_KEYS.adminPrincipalArnPrefix}${i + 1}`),
  ...Array.from({ length: MAX_DEPLOY_PRINCIPALS }, (_, i) => `${PARAMETER_KEYS.deployPrincipalArnPrefix}${i + 1}`),
  ...Object.values(ADDON_VERSION_PARAMETERS),
];

/** Deferred parameters whose absence (a stack from an older template) meant '': no add-on version pinned, no entry, no namespace. */
const EMPTY_WHEN_ABSENT = new Set(
  DEFERRED_PARAMETER_KEYS.filter(
    (k) => ![PARAMETER_KEYS.instanceType, PARAMETER_KEYS.amiType, PARAMETER_KEYS.nodeCount].includes(k as never),
  ),
);

/**
 * A stage's parameters: the target's, with the versions of the stage, and — for a stage that leaves
 * the rest alone — the stack's current value of every deferred parameter (one the stack lacks, from
 * an older template, keeps what its absence meant).
 */
export function stageParameters(
  target: Array<{ ParameterKey: string; ParameterValue: string }>,
  stage: UpdateStage,
  stackParameters: Record<string, string>,
): Array<{ ParameterKey: string; ParameterValue: string }> {
  return target.map((p) => {
    if (p.ParameterKey === PARAMETER_KEYS.kubernetesVersion) return { ...p, ParameterValue: stage.controlPlaneVersion };
    if (p.ParameterKey === PARAMETER_KEYS.nodegroupVersion) return { ...p, ParameterValue: stage.nodegroupVersion };
    if (stage.rest === 'current' && DEFERRED_PARAMETER_KEYS.includes(p.ParameterKey)) {
      const current = stackParameters[p.ParameterKey] ?? (EMPTY_WHEN_ABSENT.has(p.ParameterKey) ? '' : undefined);
      if (current !== undefined) return { ...p, ParameterValue: current };
    }
    return p;
  });
}
