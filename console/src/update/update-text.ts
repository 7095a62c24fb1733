/** An update's changes and steps in words (the review, the cluster page). DOM-free. */

export const COMPONENT_LABEL: Record<string, string> = {
  'control-plane': 'Control plane',
  'node-group': 'Node group',
  'add-ons': 'Add-ons',
  'access-entries': 'Access entries',
  kubernetes: 'Kubernetes',
};

const FIELD_LABEL: Record<string, string> = {
  kubernetesVersion: 'Kubernetes version',
  upgradePolicy: 'Support policy',
  instanceType: 'Instance type',
  nodeCount: 'Number of nodes',
  adminPrincipalArns: 'Cluster administrators',
  deployPrincipalArns: 'Deploy roles',
  namespaces: 'Namespaces',
};

const valueText = (v: unknown) =>
  v === undefined || v === null ? 'none' : Array.isArray(v) ? (v.length ? v.join(', ') : 'none') : String(v);

/** "Kubernetes version: 1.32 → 1.33". */
export function changeText(c: { field: string; from: unknown; to: unknown }): string {
  return `${FIELD_LABEL[c.field] ?? c.field}: ${valueText(c.from)} → ${valueText(c.to)}`;
}

/** An update record's `from`/`to` as changes. */
export function changesOf(u: { from: Record<string, unknown>; to: Record<string, unknown> }): string[] {
  return Object.keys(u.to).map((field) => changeText({ field, from: u.from[field], to: u.to[field] }));
}
