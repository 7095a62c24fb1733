/**
 * One Kubernetes API request against one cluster: authentication (EKS token), authorisation (access
 * entries), discovery, and the resources the product and kubectl use. Answers are what kube-apiserver
 * sends: `Status` objects for errors (401/403/404/409/422), `…List` objects, and server-side `Table`s
 * when the client asks for them (`Accept: …;as=Table;…`, what `kubectl get` does), so kubectl prints the
 * same columns as against EKS.
 */

import { parse as parseYaml } from 'yaml';
import type { EksCluster } from '../world/types.js';
import type { World } from '../world/world.js';
import { findAccessEntry, forbiddenMessage, isAllowed, type KubeUser, type ResourceRequest, userFor } from './authz.js';
import { evictPod } from './eviction.js';
import { type ClusterKubeState, type KubeObject, reconcileAddons, type StoredResource, stamp } from './objects.js';
import { openApiDocument, openApiIndex } from './openapi.js';
import { JsonPatchError, jsonPatch, mergePatch, strategicMergePatch } from './patch.js';
import { decodeProtobufReview } from './protobuf.js';
import { accessReviewStatus, alwaysAllowed, rulesReviewStatus, whoamiStatus } from './reviews.js';
import { type LabelSelector, parseFieldQuery, parseLabelQuery, selects } from './selectors.js';
import { table } from './tables.js';
import { type Authenticated, authenticateToken } from './token.js';
import { nodesNow, reconcileWorkloads, saveNodeEdit } from './workloads.js';

export interface KubeEnv {
  world: World;
  cluster: EksCluster;
  state: ClusterKubeState;
  timeScale: number;
  verifySignatures: boolean;
}

export interface KubeRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface KubeResponse {
  status: number;
  body: unknown;
}

interface ResourceDef {
  group: string;
  version: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
  shortNames?: string[];
  singular: string;
  categories?: string[];
}

const RO = ['get', 'list', 'watch'];
const RW = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

/**
 * What the API serves. Verbs are the ones the sandbox answers (`watch` is listed, as kubectl expects it,
 * but answered 405). Names with a slash are subresources (discovery only; routed explicitly).
 */
export const RESOURCES: Record<string, ResourceDef> = {
  nodes: {
    group: '',
    version: 'v1',
    kind: 'Node',
    namespaced: false,
    verbs: ['get', 'list', 'patch', 'update', 'watch'],
    shortNames: ['no'],
    singular: 'node',
  },
  namespaces: {
    group: '',
    version: 'v1',
    kind: 'Namespace',
    namespaced: false,
    verbs: ['create', 'delete', 'get', 'list', 'update', 'watch'],
    shortNames: ['ns'],
    singular: 'namespace',
  },
  serviceaccounts: {
    group: '',
    version: 'v1',
    kind: 'ServiceAccount',
    namespaced: true,
    verbs: ['create', 'delete', 'get', 'list', 'update', 'watch'],
    shortNames: ['sa'],
    singular: 'serviceaccount',
  },
  pods: {
    group: '',
    version: 'v1',
    kind: 'Pod',
    namespaced: true,
    verbs: ['delete', 'get', 'list', 'watch'],
    shortNames: ['po'],
    singular: 'pod',
    categories: ['all'],
  },
  'pods/eviction': {
    group: 'policy',
    version: 'v1',
    kind: 'Eviction',
    namespaced: true,
    verbs: ['create'],
    singular: '',
  },
  events: {
    group: '',
    version: 'v1',
    kind: 'Event',
    namespaced: true,
    verbs: RO,
    shortNames: ['ev'],
    singular: 'event',
  },
  rolebindings: {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    kind: 'RoleBinding',
    namespaced: true,
    verbs: ['create', 'delete', 'get', 'list', 'update', 'watch'],
    singular: 'rolebinding',
  },
  clusterroles: {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    kind: 'ClusterRole',
    namespaced: false,
    verbs: RO,
    singular: 'clusterrole',
  },
  storageclasses: {
    group: 'storage.k8s.io',
    version: 'v1',
    kind: 'StorageClass',
    namespaced: false,
    verbs: ['create', 'delete', 'get', 'list', 'update', 'watch'],
    shortNames: ['sc'],
    singular: 'storageclass',
  },
  deployments: {
    group: 'apps',
    version: 'v1',
    kind: 'Deployment',
    namespaced: true,
    verbs: RW,
    shortNames: ['deploy'],
    singular: 'deployment',
    categories: ['all'],
  },
  leases: {
    group: 'coordination.k8s.io',
    version: 'v1',
    kind: 'Lease',
    namespaced: true,
    verbs: RO,
    singular: 'lease',
  },
  'deployments/scale': {
    group: 'autoscaling',
    version: 'v1',
    kind: 'Scale',
    namespaced: true,
    verbs: ['get', 'patch', 'update'],
    singular: '',
  },
  daemonsets: {
    group: 'apps',
    version: 'v1',
    kind: 'DaemonSet',
    namespaced: true,
    verbs: RO,
    shortNames: ['ds'],
    singular: 'daemonset',
    categories: ['all'],
  },
  poddisruptionbudgets: {
    group: 'policy',
    version: 'v1',
    kind: 'PodDisruptionBudget',
    namespaced: true,
    verbs: RW,
    shortNames: ['pdb'],
    singular: 'poddisruptionbudget',
  },
  selfsubjectaccessreviews: {
    group: 'authorization.k8s.io',
    version: 'v1',
    kind: 'SelfSubjectAccessReview',
    namespaced: false,
    verbs: ['create'],
    singular: 'selfsubjectaccessreview',
  },
  selfsubjectrulesreviews: {
    group: 'authorization.k8s.io',
    version: 'v1',
    kind: 'SelfSubjectRulesReview',
    namespaced: false,
    verbs: ['create'],
    singular: 'selfsubjectrulesreview',
  },
  selfsubjectreviews: {
    group: 'authentication.k8s.io',
    version: 'v1',
    kind: 'SelfSubjectReview',
    namespaced: false,
    verbs: ['create'],
    singular: 'selfsubjectreview',
  },
};

/** Where a subresource lives in discovery: under its parent's group-version, naming its own. */
function discoveryGroupOf(name: string, d: ResourceDef): string {
  return name.includes('/') ? RESOURCES[name.split('/')[0]!]!.group : d.group;
}

const BUILTIN_CLUSTER_ROLES = ['admin', 'cluster-admin', 'edit', 'view'];

function status(code: number, reason: string, message: string, details?: Record<string, unknown>): KubeResponse {
  return {
    status: code,
    body: {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message,
      reason,
      ...(details ? { details } : {}),
      code,
    },
  };
}

const unauthorized = () => status(401, 'Unauthorized', 'Unauthorized');
const notFoundPath = () => status(404, 'NotFound', 'the server could not find the requested resource', {});

function notFound(resource: string, name: string, group: string): KubeResponse {
  const res = group ? `${resource}.${group}` : resource;
  return status(404, 'NotFound', `${res} "${name}" not found`, { name, ...(group ? { group } : {}), kind: resource });
}

function header(h: KubeRequest['headers'], name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

// ----- discovery -----------------------------------------------------------------------------------------

function apiResourceList(group: string, version: string): unknown {
  const resources = Object.entries(RESOURCES)
    .filter(([name, d]) => discoveryGroupOf(name, d) === group && d.version === version)
    .map(([name, d]) => ({
      name,
      singularName: d.singular,
      namespaced: d.namespaced,
      ...(name.includes('/') && d.group !== group ? { group: d.group, version: d.version } : {}),
      kind: d.kind,
      verbs: d.verbs,
      ...(d.shortNames ? { shortNames: d.shortNames } : {}),
      ...(d.categories ? { categories: d.categories } : {}),
    }));
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources,
  };
}

function apiGroup(name: string): unknown {
  const gv = { groupVersion: `${name}/v1`, version: 'v1' };
  return { kind: 'APIGroup', apiVersion: 'v1', name, versions: [gv], preferredVersion: gv };
}

const GROUPS = [
  'apps',
  'authentication.k8s.io',
  'authorization.k8s.io',
  'coordination.k8s.io',
  'rbac.authorization.k8s.io',
  'storage.k8s.io',
  'policy',
];

function versionInfo(cluster: EksCluster): unknown {
  const minor = cluster.version.split('.')[1] ?? '0';
  return {
    major: '1',
    minor: `${minor}+`,
    gitVersion: `v${cluster.version}.0-eks-${cluster.platformVersion.replace(/\./g, '')}`,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2025-01-01T00:00:00Z',
    goVersion: 'go1.23.0',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

// ----- objects -------------------------------------------------------------------------------------------

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function invalidName(kind: string, name: string, label: boolean): KubeResponse | undefined {
  const ok = label ? DNS1123_LABEL.test(name) && name.length <= 63 : DNS1123_SUBDOMAIN.test(name) && name.length <= 253;
  if (ok) return undefined;
  const rule = label
    ? `a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`
    : `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`;
  return status(422, 'Invalid', `${kind} "${name}" is invalid: metadata.name: Invalid value: "${name}": ${rule}`, {
    name,
    kind,
    causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: "${name}": ${rule}`, field: 'metadata.name' }],
  });
}

function invalid(
  d: ResourceDef,
  name: string,
  causes: { field: string; reason: string; message: string }[],
): KubeResponse {
  const qualified = d.group ? `${d.kind}.${d.group}` : d.kind;
  const msgs = causes.map((c) => `${c.field}: ${c.message}`);
  return status(
    422,
    'Invalid',
    `${qualified} "${name}" is invalid: ${msgs.length > 1 ? `[${msgs.join(', ')}]` : msgs[0]}`,
    {
      name,
      ...(d.group ? { group: d.group } : {}),
      kind: d.kind,
      causes: causes.map((c) => ({ reason: c.reason, message: c.message, field: c.field })),
    },
  );
}

function builtinClusterRole(name: string): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: {
      name,
      labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' },
      creationTimestamp: '2025-01-01T00:00:00Z',
    },
    rules: name === 'cluster-admin' ? [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] : [],
  };
}

function listOf(env: KubeEnv, resource: string, namespace: string | undefined): KubeObject[] {
  if (resource === 'nodes') return nodesNow(env);
  if (resource === 'clusterroles') return BUILTIN_CLUSTER_ROLES.map(builtinClusterRole);
  if (resource === 'events') return [];
  if (resource === 'leases')
    return !namespace || namespace === 'kube-node-lease' ? nodesNow(env).map((n) => nodeLease(n, env.world.now())) : [];
  const all = Object.values(env.state.objects[resource as StoredResource] ?? {});
  return namespace ? all.filter((o) => o.metadata.namespace === namespace) : all;
}

/** The kubelet's heartbeat Lease of a node (kube-node-lease), renewed every 10 s. */
function nodeLease(n: KubeObject, now: number): KubeObject {
  const renew = new Date(now - (now % 10_000)).toISOString().replace('Z', '000Z');
  return {
    metadata: {
      name: n.metadata.name,
      namespace: 'kube-node-lease',
      uid: n.metadata.uid,
      resourceVersion: n.metadata.resourceVersion,
      creationTimestamp: n.metadata.creationTimestamp,
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: n.metadata.name, uid: n.metadata.uid }],
    },
    spec: { holderIdentity: n.metadata.name, leaseDurationSeconds: 40, renewTime: renew },
  };
}

function withType(resource: string, o: KubeObject): KubeObject {
  const d = RESOURCES[resource]!;
  return { ...o, apiVersion: d.group ? `${d.group}/${d.version}` : d.version, kind: d.kind };
}

function storeKey(resource: string, namespace: string | undefined, name: string): string {
  return RESOURCES[resource]!.namespaced ? `${namespace}/${name}` : name;
}

/** The fields the API server knows on the kinds the sandbox validates strictly (`?fieldValidation=Strict`). */
const KNOWN_SPEC_FIELDS: Record<string, string[]> = {
  deployments: [
    'replicas',
    'selector',
    'template',
    'strategy',
    'minReadySeconds',
    'revisionHistoryLimit',
    'paused',
    'progressDeadlineSeconds',
  ],
  poddisruptionbudgets: ['minAvailable', 'maxUnavailable', 'selector', 'unhealthyPodEvictionPolicy'],
};

function unknownFields(resource: string, obj: KubeObject): string[] {
  const known = KNOWN_SPEC_FIELDS[resource];
  if (!known) return [];
  const out = Object.keys(obj).filter((k) => !['apiVersion', 'kind', 'metadata', 'spec', 'status'].includes(k));
  if (obj.spec && typeof obj.spec === 'object')
    out.push(
      ...Object.keys(obj.spec)
        .filter((k) => !known.includes(k))
        .map((k) => `spec.${k}`),
    );
  return out;
}

/** Validation and defaults of the workload kinds (apps/v1 Deployment, policy/v1 PodDisruptionBudget). */
function validateWorkload(resource: string, name: string, obj: KubeObject): KubeResponse | undefined {
  const d = RESOURCES[resource]!;
  if (resource === 'deployments') {
    const spec = (obj.spec ?? {}) as {
      replicas?: unknown;
      selector?: LabelSelector;
      template?: {
        metadata?: { labels?: Record<string, string> };
        spec?: { containers?: { name?: string; image?: string }[] };
      };
    };
    const causes: { field: string; reason: string; message: string }[] = [];
    if (!spec.selector)
      causes.push({ field: 'spec.selector', reason: 'FieldValueRequired', message: 'Required value' });
    const labels = spec.template?.metadata?.labels ?? {};
    if (spec.selector && !selects(spec.selector, labels)) {
      causes.push({
        field: 'spec.template.metadata.labels',
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${JSON.stringify(labels)}: \`selector\` does not match template \`labels\``,
      });
    }
    const containers = spec.template?.spec?.containers;
    if (!containers?.length)
      causes.push({ field: 'spec.template.spec.containers', reason: 'FieldValueRequired', message: 'Required value' });
    containers?.forEach((c, i) => {
      if (!c.name)
        causes.push({
          field: `spec.template.spec.containers[${i}].name`,
          reason: 'FieldValueRequired',
          message: 'Required value',
        });
      if (!c.image)
        causes.push({
          field: `spec.template.spec.containers[${i}].image`,
          reason: 'FieldValueRequired',
          message: 'Required value',
        });
    });
    if (
      spec.replicas !== undefined &&
      (typeof spec.replicas !== 'number' || spec.replicas < 0 || !Number.isInteger(spec.replicas))
    ) {
      causes.push({
        field: 'spec.replicas',
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${JSON.stringify(spec.replicas)}: must be greater than or equal to 0`,
      });
    }
    if (causes.length) return invalid(d, name, causes);
  }
  if (resource === 'poddisruptionbudgets') {
    const spec = (obj.spec ?? {}) as { minAvailable?: unknown; maxUnavailable?: unknown };
    if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined) {
      return invalid(d, name, [
        {
          field: 'spec',
          reason: 'FieldValueInvalid',
          message: `Invalid value: ${JSON.stringify(spec)}: minAvailable and maxUnavailable cannot be both set`,
        },
      ]);
    }
  }
  return undefined;
}

function defaultWorkload(resource: string, obj: KubeObject): void {
  if (resource === 'deployments') {
    const spec = obj.spec as Record<string, unknown>;
    spec['replicas'] ??= 1;
    spec['revisionHistoryLimit'] ??= 10;
    spec['progressDeadlineSeconds'] ??= 600;
    spec['strategy'] ??= { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } };
    const tpl = spec['template'] as { spec: Record<string, unknown> };
    tpl.spec['restartPolicy'] ??= 'Always';
    tpl.spec['dnsPolicy'] ??= 'ClusterFirst';
    tpl.spec['schedulerName'] ??= 'default-scheduler';
    tpl.spec['terminationGracePeriodSeconds'] ??= 30;
    tpl.spec['securityContext'] ??= {};
  }
}

function createObject(
  env: KubeEnv,
  resource: string,
  namespace: string | undefined,
  obj: KubeObject,
  strict: boolean,
): KubeResponse {
  const d = RESOURCES[resource]!;
  if (!obj || typeof obj !== 'object' || !obj.metadata || typeof obj.metadata !== 'object') {
    return status(
      422,
      'Invalid',
      `${d.kind} "" is invalid: metadata.name: Required value: name or generateName is required`,
    );
  }
  if (obj.kind !== undefined && obj.kind !== d.kind)
    return status(
      400,
      'BadRequest',
      `the object provided is unrecognized (must be of type ${d.kind}): ${String(obj.kind)}`,
    );
  const name =
    obj.metadata.name ??
    (typeof obj.metadata.generateName === 'string' ? `${obj.metadata.generateName}${env.world.hex(5)}` : '');
  if (!name)
    return status(
      422,
      'Invalid',
      `${d.kind} "" is invalid: metadata.name: Required value: name or generateName is required`,
    );
  const bad = invalidName(d.kind, name, resource === 'namespaces' || resource === 'serviceaccounts');
  if (bad) return bad;
  const unknown = strict ? unknownFields(resource, obj) : [];
  if (unknown.length) {
    return status(
      400,
      'BadRequest',
      `${d.kind} in version "${d.version}" cannot be handled as a ${d.kind}: strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(', ')}`,
    );
  }
  if (d.namespaced) {
    if (obj.metadata.namespace !== undefined && obj.metadata.namespace !== namespace) {
      return status(
        400,
        'BadRequest',
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    if (!env.state.objects.namespaces[namespace!]) return notFound('namespaces', namespace!, '');
  }
  if (resource === 'rolebindings') {
    const ref = obj.roleRef as { kind?: string; name?: string; apiGroup?: string } | undefined;
    if (!ref?.kind || !ref.name || !['Role', 'ClusterRole'].includes(ref.kind)) {
      return status(
        422,
        'Invalid',
        `RoleBinding.rbac.authorization.k8s.io "${name}" is invalid: roleRef.kind: Unsupported value: "${ref?.kind ?? ''}": supported values: "Role", "ClusterRole"`,
      );
    }
  }
  if (resource === 'storageclasses' && typeof obj.provisioner !== 'string') {
    return status(422, 'Invalid', `StorageClass.storage.k8s.io "${name}" is invalid: provisioner: Required value`);
  }
  const invalidWorkload = validateWorkload(resource, name, obj);
  if (invalidWorkload) return invalidWorkload;
  const store = env.state.objects[resource as StoredResource];
  const key = storeKey(resource, namespace, name);
  if (store[key]) {
    const res = d.group ? `${resource}.${d.group}` : resource;
    return status(409, 'AlreadyExists', `${res} "${name}" already exists`, {
      name,
      ...(d.group ? { group: d.group } : {}),
      kind: resource,
    });
  }
  const { uid: _u, resourceVersion: _r, creationTimestamp: _c, generation: _g, ...meta } = obj.metadata;
  const { status: _s, ...rest } = obj;
  const stored: KubeObject = {
    ...withType(resource, rest as KubeObject),
    metadata: { ...meta, name, ...(d.namespaced ? { namespace } : {}) },
  };
  if (resource === 'namespaces') {
    stored.metadata.labels = { ...(stored.metadata.labels ?? {}), 'kubernetes.io/metadata.name': name };
    stored.spec = { finalizers: ['kubernetes'] };
    stored.status = { phase: 'Active' };
  }
  if (resource === 'storageclasses') {
    stored.reclaimPolicy ??= 'Delete';
    stored.volumeBindingMode ??= 'Immediate';
  }
  if (resource === 'deployments' || resource === 'poddisruptionbudgets') {
    stored.metadata['generation'] = 1;
    defaultWorkload(resource, stored);
    if (resource === 'deployments')
      stored.metadata.annotations = {
        ...(stored.metadata.annotations ?? {}),
        'deployment.kubernetes.io/revision': '1',
      };
  }
  store[key] = stamp(env.state, stored, env.world.nowIso());
  if (resource === 'namespaces') {
    // The service account controller gives every namespace its `default` service account.
    env.state.objects.serviceaccounts[`${name}/default`] = stamp(
      env.state,
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: name } },
      env.world.nowIso(),
    );
  }
  if (resource === 'deployments' || resource === 'poddisruptionbudgets') reconcileWorkloads(env);
  return { status: 201, body: store[key] };
}

function conflict(d: ResourceDef, resource: string, name: string): KubeResponse {
  const res = d.group ? `${resource}.${d.group}` : resource;
  return status(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${res} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    { name, ...(d.group ? { group: d.group } : {}), kind: resource },
  );
}

/**
 * PUT, and PATCH once the patch is applied: replace an object. A stale resourceVersion is a 409 Conflict
 * (optimistic concurrency); identity fields stay; status is not changed through the main resource; a
 * Deployment or PDB whose spec changes gets a new generation.
 */
function replaceObject(
  env: KubeEnv,
  resource: string,
  namespace: string | undefined,
  name: string,
  obj: KubeObject,
  current: KubeObject,
): KubeResponse {
  const d = RESOURCES[resource]!;
  if (!obj || typeof obj !== 'object' || !obj.metadata || obj.metadata.name !== name) {
    return status(
      400,
      'BadRequest',
      `the name of the object (${String(obj?.metadata?.name ?? '')}) does not match the name on the URL (${name})`,
    );
  }
  if (obj.metadata.resourceVersion !== undefined && obj.metadata.resourceVersion !== current.metadata.resourceVersion)
    return conflict(d, resource, name);
  if (resource === 'nodes') {
    return {
      status: 200,
      body: withType(
        'nodes',
        saveNodeEdit(env, {
          ...current,
          metadata: {
            ...current.metadata,
            labels: obj.metadata.labels ?? {},
            annotations: obj.metadata.annotations ?? {},
          },
          spec: obj.spec ?? {},
        }),
      ),
    };
  }
  if (
    resource === 'storageclasses' &&
    (obj.provisioner !== current.provisioner ||
      JSON.stringify(obj.parameters ?? {}) !== JSON.stringify(current.parameters ?? {}))
  ) {
    return status(
      422,
      'Invalid',
      `StorageClass.storage.k8s.io "${name}" is invalid: [parameters: Forbidden: updates to parameters are forbidden., provisioner: Forbidden: updates to provisioner are forbidden.]`,
    );
  }
  const invalidWorkload = validateWorkload(resource, name, obj);
  if (invalidWorkload) return invalidWorkload;
  if (
    resource === 'deployments' &&
    JSON.stringify((obj.spec as { selector?: unknown }).selector) !==
      JSON.stringify((current.spec as { selector?: unknown }).selector)
  ) {
    return invalid(d, name, [
      {
        field: 'spec.selector',
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${JSON.stringify((obj.spec as { selector?: unknown }).selector)}: field is immutable`,
      },
    ]);
  }
  const updated: KubeObject = {
    ...withType(resource, obj),
    metadata: {
      ...obj.metadata,
      name,
      uid: current.metadata.uid,
      creationTimestamp: current.metadata.creationTimestamp,
      ...(d.namespaced ? { namespace } : {}),
    },
  };
  if ('status' in current) updated.status = current.status;
  if (resource === 'deployments' || resource === 'poddisruptionbudgets') {
    defaultWorkload(resource, updated);
    const gen = Number(current.metadata['generation'] ?? 1);
    updated.metadata['generation'] = JSON.stringify(updated.spec) === JSON.stringify(current.spec) ? gen : gen + 1;
    if (resource === 'deployments') {
      const rev = Number(current.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 1);
      const changed =
        JSON.stringify((updated.spec as { template?: unknown }).template) !==
        JSON.stringify((current.spec as { template?: unknown }).template);
      updated.metadata.annotations = {
        ...(updated.metadata.annotations ?? {}),
        'deployment.kubernetes.io/revision': String(changed ? rev + 1 : rev),
      };
    }
  }
  delete updated.metadata.resourceVersion;
  const store = env.state.objects[resource as StoredResource];
  store[storeKey(resource, namespace, name)] = stamp(env.state, updated, env.world.nowIso());
  if (resource === 'deployments' || resource === 'poddisruptionbudgets') reconcileWorkloads(env);
  return { status: 200, body: withType(resource, store[storeKey(resource, namespace, name)]!) };
}

function currentOf(
  env: KubeEnv,
  resource: string,
  namespace: string | undefined,
  name: string,
): KubeObject | undefined {
  if (resource === 'nodes') return nodesNow(env).find((n) => n.metadata.name === name);
  return env.state.objects[resource as StoredResource]?.[storeKey(resource, namespace, name)];
}

const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
];

function patchObject(
  env: KubeEnv,
  resource: string,
  namespace: string | undefined,
  name: string,
  contentType: string,
  body: Buffer,
  strict: boolean,
): KubeResponse {
  const d = RESOURCES[resource]!;
  let patch: unknown;
  try {
    patch =
      contentType === 'application/apply-patch+yaml'
        ? parseYaml(body.toString('utf8'))
        : JSON.parse(body.toString('utf8'));
  } catch (e) {
    return status(400, 'BadRequest', `error decoding patch: ${e instanceof Error ? e.message : String(e)}`);
  }
  const current = currentOf(env, resource, namespace, name);
  if (!current) {
    // Server-side apply creates what is not there yet.
    if (contentType === 'application/apply-patch+yaml')
      return createObject(env, resource, namespace, patch as KubeObject, strict);
    return notFound(resource, name, d.group);
  }
  const base = withType(resource, structuredClone(current));
  let next: KubeObject;
  try {
    if (contentType === 'application/json-patch+json') next = jsonPatch(base, patch) as KubeObject;
    else if (contentType === 'application/merge-patch+json') next = mergePatch(base, patch) as KubeObject;
    else next = strategicMergePatch(base, patch) as KubeObject;
  } catch (e) {
    if (e instanceof JsonPatchError) return status(422, 'Invalid', e.message);
    throw e;
  }
  if (!next || typeof next !== 'object' || !next.metadata)
    return status(422, 'Invalid', `${d.kind} "${name}" is invalid: metadata: Required value`);
  // A resourceVersion in the patch is a precondition (kubectl label --resource-version); one the patch
  // did not set is the current one.
  const wanted = (patch as { metadata?: { resourceVersion?: string } } | undefined)?.metadata?.resourceVersion;
  if (wanted !== undefined && wanted !== current.metadata.resourceVersion) return conflict(d, resource, name);
  next.metadata.resourceVersion = current.metadata.resourceVersion;
  const unknown = strict ? unknownFields(resource, next) : [];
  if (unknown.length)
    return status(
      400,
      'BadRequest',
      `${d.kind} in version "${d.version}" cannot be handled as a ${d.kind}: strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(', ')}`,
    );
  return replaceObject(env, resource, namespace, name, next, current);
}

function deleteObject(env: KubeEnv, resource: string, namespace: string | undefined, name: string): KubeResponse {
  const d = RESOURCES[resource]!;
  const store = env.state.objects[resource as StoredResource];
  const key = storeKey(resource, namespace, name);
  const obj = store[key];
  if (!obj) return notFound(resource, name, d.group);
  delete store[key];
  if (resource === 'namespaces') {
    for (const r of [
      'serviceaccounts',
      'rolebindings',
      'pods',
      'deployments',
      'daemonsets',
      'poddisruptionbudgets',
    ] as const) {
      for (const k of Object.keys(env.state.objects[r])) if (k.startsWith(`${name}/`)) delete env.state.objects[r][k];
    }
    return { status: 200, body: { ...obj, status: { phase: 'Terminating' } } };
  }
  if (resource === 'deployments') {
    // Garbage collection: the Deployment's ReplicaSet and its pods go with it.
    for (const [k, p] of Object.entries(env.state.objects.pods)) {
      const owner = ((p.metadata['ownerReferences'] ?? []) as { kind: string; name: string }[])[0];
      if (
        p.metadata.namespace === namespace &&
        owner?.kind === 'ReplicaSet' &&
        owner.name.replace(/-[^-]+$/, '') === name
      )
        delete env.state.objects.pods[k];
    }
  }
  env.state.resourceVersion += 1;
  if (resource === 'pods' || resource === 'deployments') reconcileWorkloads(env);
  if (resource === 'pods' || resource === 'deployments' || resource === 'poddisruptionbudgets') {
    // These answer with the object as it was deleted (no finalizers: gone at once).
    return { status: 200, body: withType(resource, obj) };
  }
  return {
    status: 200,
    body: {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name, ...(d.group ? { group: d.group } : {}), kind: resource, uid: obj.metadata.uid },
    },
  };
}

/** autoscaling/v1 Scale of a Deployment (`kubectl scale`). */
function scaleOf(d: KubeObject): KubeObject {
  const spec = d.spec as { replicas?: number; selector?: { matchLabels?: Record<string, string> } };
  return {
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata: {
      name: d.metadata.name,
      namespace: d.metadata.namespace,
      uid: d.metadata.uid,
      resourceVersion: d.metadata.resourceVersion,
      creationTimestamp: d.metadata.creationTimestamp,
    },
    spec: { replicas: spec.replicas ?? 1 },
    status: {
      replicas: (d.status as { replicas?: number } | undefined)?.replicas ?? 0,
      selector: Object.entries(spec.selector?.matchLabels ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
    },
  };
}

function scaleRequest(env: KubeEnv, route: Route, verb: string, req: KubeRequest): KubeResponse {
  const current = env.state.objects.deployments[`${route.namespace}/${route.name}`];
  if (!current) return notFound('deployments', route.name!, 'apps');
  const scale = scaleOf(current);
  if (verb === 'get') return { status: 200, body: scale };
  let next: KubeObject;
  if (verb === 'patch') {
    const type = mediaType(req.headers);
    if (!PATCH_TYPES.slice(0, 3).includes(type)) return unsupportedMedia(PATCH_TYPES.slice(0, 3));
    try {
      const patch = JSON.parse(req.body.toString('utf8')) as unknown;
      next = (
        type === 'application/json-patch+json'
          ? jsonPatch(scale, patch)
          : type === 'application/merge-patch+json'
            ? mergePatch(scale, patch)
            : strategicMergePatch(scale, patch)
      ) as KubeObject;
    } catch (e) {
      return status(
        e instanceof JsonPatchError ? 422 : 400,
        e instanceof JsonPatchError ? 'Invalid' : 'BadRequest',
        e instanceof Error ? e.message : String(e),
      );
    }
  } else {
    const decoded = decodeBody(req, 'Scale');
    if (!decoded.ok) return decoded.res;
    next = decoded.obj;
  }
  const wanted = next.metadata?.resourceVersion;
  if (wanted !== undefined && wanted !== current.metadata.resourceVersion)
    return conflict(RESOURCES['deployments']!, 'deployments', route.name!);
  const replicas = (next.spec as { replicas?: unknown } | undefined)?.replicas;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    return invalid(RESOURCES['deployments/scale']!, route.name!, [
      {
        field: 'spec.replicas',
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${JSON.stringify(replicas ?? null)}: must be greater than or equal to 0`,
      },
    ]);
  }
  const updated = replaceObject(
    env,
    'deployments',
    route.namespace,
    route.name!,
    { ...structuredClone(current), spec: { ...(current.spec as object), replicas } },
    current,
  );
  if (updated.status !== 200) return updated;
  return { status: 200, body: scaleOf(env.state.objects.deployments[`${route.namespace}/${route.name}`]!) };
}

// ----- routing -------------------------------------------------------------------------------------------

interface Route {
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

function parseResourcePath(parts: string[]): Route | undefined {
  // core: api/v1/...; groups: apis/<group>/v1/...
  let rest: string[];
  let group: string;
  if (parts[0] === 'api' && parts[1] === 'v1') {
    group = '';
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 3) {
    group = parts[1]!;
    if (parts[2] !== 'v1') return undefined;
    rest = parts.slice(3);
  } else return undefined;
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource, name, subresource, ...extra] = rest;
  if (!resource || extra.length || resource.includes('/')) return undefined;
  const d = RESOURCES[resource];
  if (!d || d.group !== group) return undefined;
  if (namespace !== undefined && !d.namespaced) return undefined;
  if (subresource !== undefined && !RESOURCES[`${resource}/${subresource}`]) return undefined;
  return {
    resource,
    ...(namespace !== undefined ? { namespace } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(subresource !== undefined ? { subresource } : {}),
  };
}

const VERB: Record<string, string> = { GET: 'get', POST: 'create', DELETE: 'delete', PUT: 'update', PATCH: 'patch' };

function mediaType(h: KubeRequest['headers']): string {
  return (header(h, 'content-type') ?? 'application/json').split(';')[0]!.trim().toLowerCase();
}

const unsupportedMedia = (accepted: string[]) =>
  status(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
  );

/** The request body as an object: JSON, YAML, or the protobuf review kinds kubectl's typed clients send. */
function decodeBody(req: KubeRequest, kind: string): { ok: true; obj: KubeObject } | { ok: false; res: KubeResponse } {
  const type = mediaType(req.headers);
  try {
    if (type === 'application/json') return { ok: true, obj: JSON.parse(req.body.toString('utf8')) as KubeObject };
    if (type === 'application/yaml') return { ok: true, obj: parseYaml(req.body.toString('utf8')) as KubeObject };
  } catch {
    return {
      ok: false,
      res: status(
        400,
        'BadRequest',
        `the object provided is unrecognized (must be of type ${kind}): couldn't get version/kind; json parse error`,
      ),
    };
  }
  if (type === 'application/vnd.kubernetes.protobuf') {
    const obj = decodeProtobufReview(req.body);
    if (obj) return { ok: true, obj: obj as KubeObject };
    return { ok: false, res: unsupportedMedia(['application/json', 'application/yaml']) };
  }
  return {
    ok: false,
    res: unsupportedMedia(['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf']),
  };
}

function isNamespaced(group: string, resource: string): boolean | undefined {
  const d = RESOURCES[resource];
  return d && d.group === group ? d.namespaced : undefined;
}

function review(user: KubeUser, who: Authenticated, resource: string, obj: KubeObject, now: string): KubeResponse {
  const d = RESOURCES[resource]!;
  const out = { kind: d.kind, apiVersion: `${d.group}/${d.version}`, metadata: { creationTimestamp: null } };
  if (resource === 'selfsubjectreviews') return { status: 201, body: { ...out, status: whoamiStatus(user, who) } };
  const spec = (obj.spec ?? {}) as Record<string, unknown>;
  if (resource === 'selfsubjectrulesreviews')
    return { status: 201, body: { ...out, spec, status: rulesReviewStatus() } };
  if (!spec['resourceAttributes'] && !spec['nonResourceAttributes']) {
    return status(
      422,
      'Invalid',
      `SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified`,
    );
  }
  void now;
  return { status: 201, body: { ...out, spec, status: accessReviewStatus(user, spec, isNamespaced) } };
}

export function handleKubeRequest(env: KubeEnv, req: KubeRequest): KubeResponse {
  const url = new URL(req.url, 'https://127.0.0.1');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const auth = header(req.headers, 'authorization');
  const publicPath = ['/version', '/healthz', '/livez', '/readyz'].includes(path);

  // Authentication: a presented token must be valid, whatever the path.
  let user: KubeUser | undefined;
  let who: Authenticated | undefined;
  if (auth) {
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    if (!m) return unauthorized();
    const checked = authenticateToken(env.world, m[1]!, env.cluster.name, { verifySignatures: env.verifySignatures });
    if (!checked.ok) return unauthorized();
    const entry = findAccessEntry(env.world.data.eksAccessEntries, env.cluster, checked.who);
    // No access entry: the authenticator maps the identity to nobody, so authentication fails.
    if (!entry) return unauthorized();
    user = userFor(entry, checked.who);
    who = checked.who;
  }
  if (path === '/version') return { status: 200, body: versionInfo(env.cluster) };
  if (publicPath) return { status: 200, body: 'ok' };
  if (!user || !who) return unauthorized();

  // Discovery and OpenAPI: every authenticated user (system:discovery).
  if (req.method === 'GET') {
    if (path === '/api')
      return {
        status: 200,
        body: {
          kind: 'APIVersions',
          versions: ['v1'],
          serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `${url.hostname}:443` }],
        },
      };
    if (path === '/api/v1') return { status: 200, body: apiResourceList('', 'v1') };
    if (path === '/apis')
      return {
        status: 200,
        body: {
          kind: 'APIGroupList',
          apiVersion: 'v1',
          groups: GROUPS.map((g) => {
            const { kind: _k, apiVersion: _a, ...rest } = apiGroup(g) as Record<string, unknown>;
            return rest;
          }),
        },
      };
    const g = /^\/apis\/([^/]+)(?:\/(v1))?$/.exec(path);
    if (g && GROUPS.includes(g[1]!))
      return { status: 200, body: g[2] ? apiResourceList(g[1]!, 'v1') : apiGroup(g[1]!) };
    if (path === '/openapi/v3') return { status: 200, body: openApiIndex(RESOURCES) };
    if (path.startsWith('/openapi/v3/')) {
      const doc = openApiDocument(RESOURCES, path.slice('/openapi/v3/'.length));
      return doc ? { status: 200, body: doc } : notFoundPath();
    }
  }

  const route = parseResourcePath(path.split('/').filter(Boolean));
  if (!route) return notFoundPath();
  const d = RESOURCES[route.resource]!;
  let verb = VERB[req.method] ?? req.method.toLowerCase();
  if (verb === 'get' && !route.name)
    verb = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1' ? 'watch' : 'list';
  if (req.method === 'POST' && route.name && !route.subresource)
    return status(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  const resourceName = route.subresource ? `${route.resource}/${route.subresource}` : route.resource;
  const access: ResourceRequest = {
    verb,
    resource: resourceName,
    group: d.group,
    namespace: route.resource === 'namespaces' ? route.name : route.namespace,
    clusterScoped: !d.namespaced,
  };
  if (!alwaysAllowed({ verb, group: d.group, resource: route.resource }) && !isAllowed(user, access)) {
    return status(403, 'Forbidden', forbiddenMessage(user, access, route.name), {
      ...(route.name ? { name: route.name } : {}),
      ...(d.group ? { group: d.group } : {}),
      kind: route.resource,
    });
  }
  const verbs = route.subresource ? RESOURCES[resourceName]!.verbs : d.verbs;
  if (!verbs.includes(verb) || verb === 'watch')
    return status(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  const strict = url.searchParams.get('fieldValidation') === 'Strict';

  reconcileAddons(env.world, env.state, env.cluster);
  reconcileWorkloads(env);

  if (route.subresource === 'scale') return scaleRequest(env, route, verb, req);
  if (verb === 'patch') {
    const type = mediaType(req.headers);
    if (!PATCH_TYPES.includes(type)) return unsupportedMedia(PATCH_TYPES);
    return patchObject(env, route.resource, route.namespace, route.name!, type, req.body, strict);
  }
  if (verb === 'create' || verb === 'update') {
    const decoded = decodeBody(req, route.subresource ? RESOURCES[resourceName]!.kind : d.kind);
    if (!decoded.ok) return decoded.res;
    if (['selfsubjectaccessreviews', 'selfsubjectrulesreviews', 'selfsubjectreviews'].includes(route.resource))
      return review(user, who, route.resource, decoded.obj, env.world.nowIso());
    if (route.subresource === 'eviction') {
      const r = evictPod(env, route.namespace!, route.name!);
      if (r.ok)
        return { status: 201, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 } };
      if (r.status === 404) return notFound('pods', route.name!, '');
      return status(r.status, r.reason, r.message, r.causes ? { causes: r.causes } : undefined);
    }
    if (verb === 'create') return createObject(env, route.resource, route.namespace, decoded.obj, strict);
    if (!route.name)
      return status(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    const current = currentOf(env, route.resource, route.namespace, route.name);
    if (!current) return notFound(route.resource, route.name, d.group);
    return replaceObject(env, route.resource, route.namespace, route.name, decoded.obj, current);
  }
  if (verb === 'delete') return deleteObject(env, route.resource, route.namespace, route.name!);

  const items = listOf(env, route.resource, route.namespace);
  const asTable = /as=Table/.test(header(req.headers, 'accept') ?? '');
  const rv = String(env.state.resourceVersion);
  if (verb === 'get') {
    const found = items.find((o) => o.metadata.name === route.name);
    if (!found) return notFound(route.resource, route.name!, d.group);
    if (asTable) return { status: 200, body: table(route.resource, [found], env.world.now(), rv) };
    return { status: 200, body: withType(route.resource, found) };
  }
  const fields = parseFieldQuery(route.resource, url.searchParams.get('fieldSelector'));
  if (!fields.ok) return status(400, 'BadRequest', fields.message);
  const labels = parseLabelQuery(url.searchParams.get('labelSelector'));
  if (!labels.ok) return status(400, 'BadRequest', labels.message);
  const filtered = items
    .filter((o) => fields.test(withType(route.resource, o)) && labels.test(o))
    .sort((a, b) =>
      `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(
        `${b.metadata.namespace ?? ''}/${b.metadata.name}`,
      ),
    );
  if (asTable) return { status: 200, body: table(route.resource, filtered, env.world.now(), rv) };
  return {
    status: 200,
    body: {
      kind: `${d.kind}List`,
      apiVersion: d.group ? `${d.group}/${d.version}` : d.version,
      metadata: { resourceVersion: rv },
      items: filtered.map((o) => withType(route.resource, o)),
    },
  };
}
