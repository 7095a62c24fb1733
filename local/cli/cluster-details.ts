/**
 * What `status` adds for a created cluster: who may use kubectl on it, and what ConfigureCluster did.
 * Plain lines from the record (outputs.access, outputs.configuration); nothing when they are absent
 * (records made before those steps existed).
 */
import type { ClusterAccess, ClusterConfiguration } from '../../functions/lib/state.js';

export interface ClusterDetailsInput {
  outputs?: { access?: ClusterAccess[]; configuration?: ClusterConfiguration; [k: string]: unknown };
}

const SOURCE: Record<ClusterAccess['source'], string> = {
  creator: 'role B, the creator',
  adminPrincipalArns: 'adminPrincipalArns',
  deployPrincipalArns: 'deployPrincipalArns',
};

export function clusterDetailLines(r: ClusterDetailsInput): string[] {
  const lines: string[] = [];
  const access = r.outputs?.access;
  if (access?.length) {
    lines.push('Cluster access (EKS access entries):');
    for (const a of access) {
      const scope = a.access === 'edit' ? `edit in ${a.namespaces?.length ? a.namespaces.join(', ') : '(no namespaces)'}` : 'cluster-admin';
      lines.push(`  ${a.principalArn}  ${scope}  (${SOURCE[a.source] ?? a.source})`);
    }
  }
  const c = r.outputs?.configuration;
  if (c) {
    lines.push(`Configured ${c.configuredAt}:`);
    lines.push(`  nodes ready: ${c.nodesReady}/${c.nodesExpected}`);
    const sc = c.storageClass;
    const undefaulted = sc.undefaulted.length ? `; no longer default: ${sc.undefaulted.join(', ')}` : '';
    lines.push(`  default StorageClass: ${sc.name} (${sc.provisioner}, ${sc.created ? 'created by the service' : 'made by the EBS CSI add-on'}${undefaulted})`);
    if (c.namespaces.length) {
      lines.push('  namespaces:');
      for (const n of c.namespaces) {
        lines.push(`    ${n.name}${n.created ? '' : ' (already there)'}: service account ${n.serviceAccount} bound to ClusterRole ${n.clusterRole}`);
      }
    } else {
      lines.push('  namespaces: none (not managed)');
    }
  }
  return lines;
}
