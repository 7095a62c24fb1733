/**
 * What `status` adds for a created cluster: who may use kubectl on it, and what ConfigureCluster did.
 * Plain lines from the record (outputs.access, outputs.configuration); nothing when they are absent
 * (records made before those steps existed).
 */
import type { ClusterAccess, ClusterConfiguration } from '../functions/lib/state.js';
import { accessEntryCommands, assumeRoleProfile, updateKubeconfigCommand } from '../shared/kubectl/access.js';

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
      const scope =
        a.access === 'edit'
          ? `edit in ${a.namespaces?.length ? a.namespaces.join(', ') : '(no namespaces)'}`
          : 'cluster-admin';
      lines.push(`  ${a.principalArn}  ${scope}  (${SOURCE[a.source] ?? a.source})`);
    }
  }
  const c = r.outputs?.configuration;
  if (c) {
    lines.push(`Configured ${c.configuredAt}:`);
    lines.push(`  nodes ready: ${c.nodesReady}/${c.nodesExpected}`);
    const sc = c.storageClass;
    const undefaulted = sc.undefaulted.length ? `; no longer default: ${sc.undefaulted.join(', ')}` : '';
    lines.push(
      `  default StorageClass: ${sc.name} (${sc.provisioner}, ${sc.created ? 'created by the service' : 'made by the EBS CSI add-on'}${undefaulted})`,
    );
    if (c.namespaces.length) {
      lines.push('  namespaces:');
      for (const n of c.namespaces) {
        lines.push(
          `    ${n.name}${n.created ? '' : ' (already there)'}: service account ${n.serviceAccount} bound to ClusterRole ${n.clusterRole}`,
        );
      }
    } else {
      lines.push('  namespaces: none (not managed)');
    }
  }
  return lines;
}

export interface KubectlAccessInput {
  id: string;
  name: string;
  region?: string;
  settings?: { provisionRoleArn?: string; region?: string; [k: string]: unknown };
  outputs?: { clusterName?: string; access?: ClusterAccess[]; [k: string]: unknown };
}

/**
 * How to run kubectl on a CREATED cluster, ready to copy: the AWS CLI profile that assumes role B
 * with this tenant's External ID (the seed's note; the person's source profile must be allowed to
 * assume role B — self-managed installs), and the kubeconfig that uses it; or the person's own
 * identity when it has an access entry.
 */
export function kubectlAccessLines(r: KubectlAccessInput, o: { externalId: string; requester?: string }): string[] {
  const roleArn = r.settings?.provisionRoleArn;
  const clusterName = r.outputs?.clusterName ?? r.name;
  const region = r.settings?.region ?? r.region;
  const lines: string[] = [];
  if (o.requester && r.outputs?.access?.some((a) => a.principalArn === o.requester)) {
    lines.push(`kubectl as yourself (${o.requester} has an access entry):`);
    lines.push(`  eks-provisioner kubeconfig ${r.id}`);
  }
  if (roleArn) {
    const profile = assumeRoleProfile({ clusterName, roleArn, externalId: o.externalId });
    lines.push(
      'kubectl as role B (cluster-admin): add this profile to ~/.aws/config; its source_profile must be allowed to assume role B:',
    );
    for (const l of profile.text.trimEnd().split('\n')) lines.push(`  ${l}`);
    lines.push('then write the kubeconfig that uses it:');
    lines.push(`  eks-provisioner kubeconfig ${r.id} --assume-provision-role`);
    if (region) lines.push(`  (or: ${updateKubeconfigCommand({ clusterName, region, profile: profile.name })})`);
  }
  if (region) {
    lines.push("Give someone else cluster-admin (run in the cluster's account):");
    for (const c of accessEntryCommands({ clusterName, region })) lines.push(`  ${c}`);
  }
  return lines;
}
