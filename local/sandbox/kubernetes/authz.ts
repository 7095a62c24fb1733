/**
 * Who may do what: the caller's EKS access entry (matched on the canonical IAM ARN) and its associated
 * access policies, each with its scope — as EKS maps them into Kubernetes RBAC:
 *
 *   AmazonEKSClusterAdminPolicy  cluster-admin (everything)
 *   AmazonEKSAdminPolicy         admin: every namespaced resource incl. role bindings; read namespaces
 *   AmazonEKSEditPolicy          edit: namespaced resources except role bindings; read namespaces
 *   AmazonEKSViewPolicy          view: read namespaced resources; read namespaces
 *   AmazonEKSAdminViewPolicy     read everything
 *
 * A `cluster` scope acts like a ClusterRoleBinding, a `namespace` scope like RoleBindings in the listed
 * namespaces (a trailing `*` matches a prefix). Cluster-scoped resources (nodes, storage classes) need
 * cluster-admin to change and cluster-admin or admin-view to read. An authenticated principal with no
 * access entry is not a user of the cluster at all: EKS answers 401 Unauthorized, not 403.
 */
import type { EksAccessEntry, EksCluster } from '../world/types.js';
import type { Authenticated } from './token.js';

export interface KubeUser {
  username: string;
  groups: string[];
  entry: EksAccessEntry;
}

export interface ResourceRequest {
  verb: string;
  /** Plural resource name (`nodes`, `namespaces`…). */
  resource: string;
  /** API group ('' for core). */
  group: string;
  /** Namespace for namespaced resources (or the namespace itself when resource is `namespaces`). */
  namespace?: string;
  clusterScoped: boolean;
}

const READ = new Set(['get', 'list', 'watch']);

function roleNameOf(arn: string): { account: string; kind: string; name: string } | undefined {
  const m = /^arn:[^:]+:iam::(\d{12}):(role|user)\/(?:.*\/)?([^/]+)$/.exec(arn);
  return m ? { account: m[1]!, kind: m[2]!, name: m[3]! } : undefined;
}

/** The access entry of this caller on this cluster (roles compared by account + name: EKS drops role paths). */
export function findAccessEntry(
  entries: EksAccessEntry[],
  cluster: EksCluster,
  who: Authenticated,
): EksAccessEntry | undefined {
  const mine = roleNameOf(who.canonicalArn);
  return entries.find((e) => {
    if (e.accountId !== cluster.accountId || e.region !== cluster.region || e.clusterName !== cluster.name)
      return false;
    const theirs = roleNameOf(e.principalArn);
    return (
      !!mine && !!theirs && theirs.account === mine.account && theirs.kind === mine.kind && theirs.name === mine.name
    );
  });
}

/** The Kubernetes user name EKS gives the caller: the entry's username, or the STS ARN with the session name. */
export function userFor(entry: EksAccessEntry, who: Authenticated): KubeUser {
  const username = (
    entry.username ?? (who.principal.kind === 'assumed-role' ? who.callerArn : who.canonicalArn)
  ).replace('{{SessionName}}', who.sessionName ?? '');
  return { username, groups: [...entry.kubernetesGroups, 'system:authenticated'], entry };
}

function policyName(arn: string): string {
  return arn.split('/').pop() ?? arn;
}

function scopeCovers(
  scope: EksAccessEntry['accessPolicies'][number]['accessScope'],
  namespace: string | undefined,
): boolean {
  if (scope.type === 'cluster') return true;
  if (!namespace) return false;
  return (scope.namespaces ?? []).some((n) =>
    n.endsWith('*') ? namespace.startsWith(n.slice(0, -1)) : n === namespace,
  );
}

/** What one access policy allows, given whether its scope covers the request's namespace. */
function policyAllows(
  policy: string,
  scope: EksAccessEntry['accessPolicies'][number]['accessScope'],
  req: ResourceRequest,
): boolean {
  if (policy === 'AmazonEKSClusterAdminPolicy') {
    // Cluster admin in a namespace scope is admin of those namespaces only.
    return scope.type === 'cluster' || (!req.clusterScoped && scopeCovers(scope, req.namespace));
  }
  if (policy === 'AmazonEKSAdminViewPolicy')
    return scope.type === 'cluster'
      ? READ.has(req.verb)
      : !req.clusterScoped && scopeCovers(scope, req.namespace) && READ.has(req.verb);
  if (req.resource === 'namespaces') {
    // admin/edit/view read namespaces: all of them when cluster-wide, their own when namespaced.
    return (
      READ.has(req.verb) &&
      ['AmazonEKSAdminPolicy', 'AmazonEKSEditPolicy', 'AmazonEKSViewPolicy'].includes(policy) &&
      (scope.type === 'cluster' || (req.verb === 'get' && scopeCovers(scope, req.namespace)))
    );
  }
  if (req.clusterScoped) return false;
  if (!scopeCovers(scope, req.namespace)) return false;
  const rbac = req.group === 'rbac.authorization.k8s.io';
  switch (policy) {
    case 'AmazonEKSAdminPolicy':
      return true;
    case 'AmazonEKSEditPolicy':
      return !rbac;
    case 'AmazonEKSViewPolicy':
      return !rbac && READ.has(req.verb) && req.resource !== 'secrets';
    default:
      return false;
  }
}

export function isAllowed(user: KubeUser, req: ResourceRequest): boolean {
  return user.entry.accessPolicies.some((p) => policyAllows(policyName(p.policyArn), p.accessScope, req));
}

/** The API server's Forbidden message, word for word. */
export function forbiddenMessage(user: KubeUser, req: ResourceRequest, name?: string): string {
  const what = name ? `${req.resource} "${name}"` : req.resource;
  const where = req.namespace ? `in the namespace "${req.namespace}"` : 'at the cluster scope';
  return `${what} is forbidden: User "${user.username}" cannot ${req.verb} resource "${req.resource}" in API group "${req.group}" ${where}`;
}
