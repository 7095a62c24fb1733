/**
 * Which PodDisruptionBudgets block draining a node group: those allowing no disruption
 * (`status.disruptionsAllowed: 0`) whose selector matches a pod on one of its nodes — what EKS's
 * PodEvictionFailure does not say ("Reached max retries while trying to evict pods from nodes in node
 * group …"). Pure: the lists come from the cluster's API (client.ts, DisruptionReader).
 */
import type { V1LabelSelector } from '@kubernetes/client-node';

export interface BudgetSummary {
  namespace: string;
  name: string;
  minAvailable?: number | string;
  maxUnavailable?: number | string;
  /** Undefined: selects no pod (policy/v1: a null selector). `{}` selects every pod of the namespace. */
  selector?: V1LabelSelector;
  disruptionsAllowed: number;
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
}

export interface PodSummary {
  namespace: string;
  name: string;
  nodeName?: string;
  labels: Record<string, string>;
}

/** Read access the diagnosis needs (client.ts implements it over HTTPS). */
export interface DisruptionReader {
  listPodDisruptionBudgets(): Promise<BudgetSummary[]>;
  /** Names of the nodes labelled as the node group's (`eks.amazonaws.com/nodegroup`). */
  listNodegroupNodes(nodegroupName: string): Promise<string[]>;
  listPodsOnNode(nodeName: string): Promise<PodSummary[]>;
}

export const NODEGROUP_LABEL = 'eks.amazonaws.com/nodegroup';

/** A label selector as the API server applies it: matchLabels and matchExpressions, all must hold. */
export function selectorMatches(selector: V1LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In':
        if (!has || !values.includes(labels[e.key]!)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[e.key]!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false; // an operator the API server would have refused
    }
  }
  return true;
}

export interface BlockingBudgets {
  budgets: BudgetSummary[];
  /** True when matched to pods on the node group's nodes; false: every budget allowing no disruption (the pods could not be seen). */
  matchedToPods: boolean;
}

/**
 * The budgets that block: allowing no disruption and selecting a pod on the node group's nodes. When
 * the pods are not known (`pods` undefined), every budget allowing no disruption — said as such.
 */
export function blockingBudgets(budgets: BudgetSummary[], pods: PodSummary[] | undefined): BlockingBudgets {
  const stuck = budgets.filter((b) => b.disruptionsAllowed <= 0);
  const matched = pods
    ? stuck.filter((b) => pods.some((p) => p.namespace === b.namespace && selectorMatches(b.selector, p.labels)))
    : [];
  // None tied to a pod there (the pods moved, or could not be seen): every budget allowing no disruption.
  return matched.length ? { budgets: matched, matchedToPods: true } : { budgets: stuck, matchedToPods: false };
}

/** "default/checkout-pdb (minAvailable 1; 1 healthy of 1 expected, 1 needed; 0 disruptions allowed)". */
export function describeBudget(b: BudgetSummary): string {
  const rule = [
    b.minAvailable !== undefined ? `minAvailable ${b.minAvailable}` : '',
    b.maxUnavailable !== undefined ? `maxUnavailable ${b.maxUnavailable}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return `${b.namespace}/${b.name} (${rule ? `${rule}; ` : ''}${b.currentHealthy} healthy of ${b.expectedPods} expected, ${b.desiredHealthy} needed; ${b.disruptionsAllowed} disruptions allowed)`;
}

/** At most this many nodes are looked at (a drain blocks on the first anyway; the step has a time limit). */
export const MAX_NODES_LOOKED_AT = 10;

/**
 * Reads the budgets, and the pods on the node group's nodes, and picks the blocking budgets. No nodes
 * found or a failure to list them or their pods falls back to every budget allowing no disruption; a
 * failure to list budgets throws (the caller says so).
 */
export async function findBlockingBudgets(
  reader: DisruptionReader,
  nodegroupName: string | undefined,
): Promise<BlockingBudgets> {
  const budgets = await reader.listPodDisruptionBudgets();
  if (!budgets.some((b) => b.disruptionsAllowed <= 0)) return { budgets: [], matchedToPods: false };
  let pods: PodSummary[] | undefined;
  if (nodegroupName) {
    try {
      const nodes = (await reader.listNodegroupNodes(nodegroupName)).slice(0, MAX_NODES_LOOKED_AT);
      if (nodes.length) pods = (await Promise.all(nodes.map((n) => reader.listPodsOnNode(n)))).flat();
    } catch {
      pods = undefined;
    }
  }
  return blockingBudgets(budgets, pods);
}
