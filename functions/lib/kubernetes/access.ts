/**
 * Who can use a cluster's Kubernetes API, from its settings: role B (the creator; EKS gives it
 * cluster-admin), `adminPrincipalArns` (cluster-admin) and, on managed clusters, `deployPrincipalArns`
 * (edit in the managed namespaces). Each is one EKS access entry.
 */
import type { ClusterSettings } from '../schema/cluster-settings.js';
import type { ClusterAccess } from '../state.js';
import { managedNamespaces } from './namespaces.js';

type AccessSettings = Pick<
  ClusterSettings,
  'provisionRoleArn' | 'adminPrincipalArns' | 'managed' | 'environmentScope'
> &
  Partial<Pick<ClusterSettings, 'deployPrincipalArns' | 'namespaces'>>;

export function clusterAccess(c: AccessSettings): ClusterAccess[] {
  const namespaces = managedNamespaces(c);
  return [
    { principalArn: c.provisionRoleArn, access: 'cluster-admin', source: 'creator' },
    ...(c.adminPrincipalArns ?? []).map(
      (principalArn): ClusterAccess => ({ principalArn, access: 'cluster-admin', source: 'adminPrincipalArns' }),
    ),
    ...(c.managed ? (c.deployPrincipalArns ?? []) : []).map(
      (principalArn): ClusterAccess => ({ principalArn, access: 'edit', namespaces, source: 'deployPrincipalArns' }),
    ),
  ];
}
