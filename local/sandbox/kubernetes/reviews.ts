/**
 * The self-review APIs every authenticated user may call (ClusterRole system:basic-user):
 *
 * - SelfSubjectAccessReview (`kubectl auth can-i`): the request is answered by the same access-entry
 *   authoriser as real requests (authz.ts). A denial carries no reason, as RBAC's none; `kubectl` prints `no`.
 * - SelfSubjectRulesReview (`kubectl auth can-i --list`): EKS access policies are enforced by a webhook
 *   authoriser, which cannot list rules; kube-apiserver answers with the RBAC rules it can resolve (those
 *   every authenticated user has) and `incomplete: true`, "webhook authorizer does not support user rule
 *   resolution". The sandbox answers the same, so what the list shows matches EKS.
 * - SelfSubjectReview (`kubectl auth whoami`): the user as the EKS authenticator maps IAM principals:
 *   username, uid `aws-iam-authenticator:<account>:<principal id>`, groups, and extra arn, canonicalArn,
 *   sessionName, principalId, accessKeyId (the key id only; never a secret).
 */
import { isAllowed, type KubeUser, type ResourceRequest } from './authz.js';
import type { Authenticated } from './token.js';

export interface ResourceAttributes {
  namespace?: string;
  verb?: string;
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  name?: string;
}

const DISCOVERY_URLS = [
  '/api',
  '/api/*',
  '/apis',
  '/apis/*',
  '/healthz',
  '/livez',
  '/openapi',
  '/openapi/*',
  '/readyz',
  '/version',
  '/version/',
];

/** Requests every authenticated user may make (system:basic-user, system:discovery, system:public-info-viewer). */
export function alwaysAllowed(req: { verb: string; group: string; resource: string }): boolean {
  if (req.verb !== 'create') return false;
  return (
    (req.group === 'authorization.k8s.io' &&
      ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'].includes(req.resource)) ||
    (req.group === 'authentication.k8s.io' && req.resource === 'selfsubjectreviews')
  );
}

function nonResourceAllowed(user: KubeUser, path: string, verb: string): boolean {
  const admin = user.entry.accessPolicies.some(
    (p) => p.policyArn.endsWith('/AmazonEKSClusterAdminPolicy') && p.accessScope.type === 'cluster',
  );
  if (admin) return true;
  if (verb !== 'get') return false;
  return DISCOVERY_URLS.some((u) => (u.endsWith('*') ? path.startsWith(u.slice(0, -1)) : path === u));
}

export function accessReviewStatus(
  user: KubeUser,
  spec: { resourceAttributes?: ResourceAttributes; nonResourceAttributes?: { path?: string; verb?: string } },
  namespacedOf: (group: string, resource: string) => boolean | undefined,
): { allowed: boolean } {
  if (spec.resourceAttributes) {
    const a = spec.resourceAttributes;
    const resource = a.subresource ? `${a.resource ?? ''}/${a.subresource}` : (a.resource ?? '');
    const group = a.group ?? '';
    const namespaced = namespacedOf(group, a.resource ?? '');
    const req: ResourceRequest = {
      verb: a.verb ?? '',
      resource,
      group,
      ...(a.namespace
        ? { namespace: a.namespace }
        : a.resource === 'namespaces' && a.name
          ? { namespace: a.name }
          : {}),
      clusterScoped: namespaced === undefined ? !a.namespace : !namespaced,
    };
    return { allowed: alwaysAllowed({ verb: req.verb, group, resource: a.resource ?? '' }) || isAllowed(user, req) };
  }
  if (spec.nonResourceAttributes)
    return {
      allowed: nonResourceAllowed(user, spec.nonResourceAttributes.path ?? '', spec.nonResourceAttributes.verb ?? ''),
    };
  return { allowed: false };
}

export function rulesReviewStatus(): unknown {
  return {
    resourceRules: [
      {
        verbs: ['create'],
        apiGroups: ['authorization.k8s.io'],
        resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'],
      },
      { verbs: ['create'], apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'] },
    ],
    nonResourceRules: [
      { verbs: ['get'], nonResourceURLs: DISCOVERY_URLS },
      { verbs: ['get'], nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/'] },
    ],
    incomplete: true,
    evaluationError: 'webhook authorizer does not support user rule resolution',
  };
}

export function whoamiStatus(user: KubeUser, who: Authenticated): unknown {
  const principalId = who.principal.kind === 'service' ? who.principal.userId : who.principal.userId.split(':')[0]!;
  return {
    userInfo: {
      username: user.username,
      uid: `aws-iam-authenticator:${who.principal.accountId}:${principalId}`,
      groups: user.groups,
      extra: {
        accessKeyId: [who.principal.kind === 'service' ? '' : who.principal.accessKeyId],
        arn: [who.callerArn],
        canonicalArn: [who.canonicalArn],
        principalId: [principalId],
        sessionName: [who.sessionName ?? ''],
      },
    },
  };
}
