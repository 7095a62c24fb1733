/**
 * The namespaces a `managed` cluster gets: one per environment. Given explicitly (`namespaces`), or
 * derived from `environmentScope` — the environment part of the scope, made a valid namespace name:
 *
 *   "*"            → apps         (every environment shares one namespace)
 *   "production"   → production
 *   "review/*"     → review       (the wildcard part dropped)
 *   "Staging EU"   → staging-eu   (lower case; other characters become "-")
 */
export const NAMESPACE_RE = /^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const MAX_NAMESPACES = 10;
/** The namespace for the catch-all scope "*". */
export const DEFAULT_NAMESPACE = 'apps';
/** The service account made in each managed namespace, bound to ClusterRole `edit` there. */
export const DEPLOYER_SERVICE_ACCOUNT = 'deployer';

export function namespaceFromScope(environmentScope: string): string {
  const fixed = environmentScope.split('*')[0]!.replace(/[/.\s_-]+$/, '');
  const name = fixed
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .replace(/-{2,}/g, '-')
    .slice(0, 63)
    .replace(/-+$/, '');
  return name && !name.startsWith('kube-') && name !== 'default' ? name : DEFAULT_NAMESPACE;
}

/** The managed namespaces of a cluster (none when the cluster is not managed). */
export function managedNamespaces(c: {
  managed: boolean;
  environmentScope: string;
  namespaces?: string[] | undefined;
}): string[] {
  if (!c.managed) return [];
  return c.namespaces?.length ? [...c.namespaces] : [namespaceFromScope(c.environmentScope)];
}
