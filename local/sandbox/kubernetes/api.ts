/**
 * One Kubernetes API request against one cluster: authentication (EKS token), authorisation (access
 * entries), discovery, and the resources the product and kubectl use. Answers are what kube-apiserver
 * sends: `Status` objects for errors (401/403/404/409/422), `…List` objects, and server-side `Table`s
 * when the client asks for them (`Accept: …;as=Table;…`, what `kubectl get` does), so kubectl prints the
 * same columns as against EKS.
 */
import type { EksCluster } from '../world/types.js';
import type { World } from '../world/world.js';
import { findAccessEntry, forbiddenMessage, isAllowed, userFor, type KubeUser, type ResourceRequest } from './authz.js';
import { isDefaultClass, nodesOf, reconcileAddons, stamp, type ClusterKubeState, type KubeObject, type StoredResource } from './objects.js';
import { authenticateToken } from './token.js';

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
}

const RO = ['get', 'list', 'watch'];

export const RESOURCES: Record<string, ResourceDef> = {
  nodes: { group: '', version: 'v1', kind: 'Node', namespaced: false, verbs: RO, shortNames: ['no'], singular: 'node' },
  namespaces: { group: '', version: 'v1', kind: 'Namespace', namespaced: false, verbs: ['create', 'delete', 'get', 'list', 'update', 'watch'], shortNames: ['ns'], singular: 'namespace' },
  serviceaccounts: { group: '', version: 'v1', kind: 'ServiceAccount', namespaced: true, verbs: ['create', 'delete', 'get', 'list', 'update', 'watch'], shortNames: ['sa'], singular: 'serviceaccount' },
  rolebindings: { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleBinding', namespaced: true, verbs: ['create', 'delete', 'get', 'list', 'update', 'watch'], singular: 'rolebinding' },
  clusterroles: { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole', namespaced: false, verbs: RO, singular: 'clusterrole' },
  storageclasses: { group: 'storage.k8s.io', version: 'v1', kind: 'StorageClass', namespaced: false, verbs: ['create', 'delete', 'get', 'list', 'update', 'watch'], shortNames: ['sc'], singular: 'storageclass' },
};

const BUILTIN_CLUSTER_ROLES = ['admin', 'cluster-admin', 'edit', 'view'];

function status(code: number, reason: string, message: string, details?: Record<string, unknown>): KubeResponse {
  return { status: code, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code } };
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
    .filter(([, d]) => d.group === group && d.version === version)
    .map(([name, d]) => ({ name, singularName: d.singular, namespaced: d.namespaced, kind: d.kind, verbs: d.verbs, ...(d.shortNames ? { shortNames: d.shortNames } : {}) }));
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
}

function apiGroup(name: string): unknown {
  const gv = { groupVersion: `${name}/v1`, version: 'v1' };
  return { kind: 'APIGroup', apiVersion: 'v1', name, versions: [gv], preferredVersion: gv };
}

const GROUPS = ['rbac.authorization.k8s.io', 'storage.k8s.io'];

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

// ----- tables (kubectl get) ------------------------------------------------------------------------------

function age(fromIso: string | undefined, now: number): string {
  const s = Math.max(0, Math.floor((now - Date.parse(fromIso ?? '')) / 1000));
  if (!Number.isFinite(s)) return '<unknown>';
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return `${m}m${s % 60 ? `${s % 60}s` : ''}`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return `${h}h${m % 60 ? `${m % 60}m` : ''}`;
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

type Column = { name: string; type: string; format?: string; priority?: number; cell: (o: KubeObject) => unknown };

function columns(resource: string, now: number): Column[] {
  const name: Column = { name: 'Name', type: 'string', format: 'name', cell: (o) => o.metadata.name };
  const ageCol: Column = { name: 'Age', type: 'string', cell: (o) => age(o.metadata.creationTimestamp, now) };
  switch (resource) {
    case 'nodes':
      return [
        name,
        {
          name: 'Status',
          type: 'string',
          cell: (o) => ((o.status as { conditions?: { type: string; status: string }[] }).conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? 'Ready' : 'NotReady'),
        },
        { name: 'Roles', type: 'string', cell: () => '<none>' },
        ageCol,
        { name: 'Version', type: 'string', cell: (o) => (o.status as { nodeInfo: { kubeletVersion: string } }).nodeInfo.kubeletVersion },
        { name: 'Internal-IP', type: 'string', priority: 1, cell: (o) => (o.status as { addresses: { type: string; address: string }[] }).addresses.find((a) => a.type === 'InternalIP')?.address ?? '<none>' },
        { name: 'OS-Image', type: 'string', priority: 1, cell: (o) => (o.status as { nodeInfo: { osImage: string } }).nodeInfo.osImage },
      ];
    case 'namespaces':
      return [name, { name: 'Status', type: 'string', cell: (o) => (o.status as { phase?: string } | undefined)?.phase ?? 'Active' }, ageCol];
    case 'storageclasses':
      return [
        { ...name, cell: (o) => (isDefaultClass(o) ? `${o.metadata.name} (default)` : o.metadata.name) },
        { name: 'Provisioner', type: 'string', cell: (o) => o.provisioner },
        { name: 'ReclaimPolicy', type: 'string', cell: (o) => o.reclaimPolicy ?? 'Delete' },
        { name: 'VolumeBindingMode', type: 'string', cell: (o) => o.volumeBindingMode ?? 'Immediate' },
        { name: 'AllowVolumeExpansion', type: 'string', cell: (o) => String(o.allowVolumeExpansion ?? false) },
        ageCol,
      ];
    case 'serviceaccounts':
      return [name, { name: 'Secrets', type: 'string', cell: (o) => (Array.isArray(o.secrets) ? o.secrets.length : 0) }, ageCol];
    case 'rolebindings':
      return [name, { name: 'Role', type: 'string', cell: (o) => `${(o.roleRef as { kind: string }).kind}/${(o.roleRef as { name: string }).name}` }, ageCol];
    default:
      return [name, ageCol];
  }
}

function table(resource: string, items: KubeObject[], now: number, rv: string): unknown {
  const cols = columns(resource, now);
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: rv },
    columnDefinitions: cols.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: '', priority: c.priority ?? 0 })),
    rows: items.map((o) => ({
      cells: cols.map((c) => c.cell(o)),
      object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
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

function builtinClusterRole(name: string): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name, labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' }, creationTimestamp: '2025-01-01T00:00:00Z' },
    rules: name === 'cluster-admin' ? [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] : [],
  };
}

function listOf(env: KubeEnv, resource: string, namespace: string | undefined): KubeObject[] {
  if (resource === 'nodes') return nodesOf(env.world, env.cluster, env.timeScale);
  if (resource === 'clusterroles') return BUILTIN_CLUSTER_ROLES.map(builtinClusterRole);
  const all = Object.values(env.state.objects[resource as StoredResource] ?? {});
  return namespace ? all.filter((o) => o.metadata.namespace === namespace) : all;
}

function withType(resource: string, o: KubeObject): KubeObject {
  const d = RESOURCES[resource]!;
  return { ...o, apiVersion: d.group ? `${d.group}/${d.version}` : d.version, kind: d.kind };
}

function storeKey(resource: string, namespace: string | undefined, name: string): string {
  return RESOURCES[resource]!.namespaced ? `${namespace}/${name}` : name;
}

function createObject(env: KubeEnv, resource: string, namespace: string | undefined, body: Buffer): KubeResponse {
  const d = RESOURCES[resource]!;
  let obj: KubeObject;
  try {
    obj = JSON.parse(body.toString('utf8')) as KubeObject;
  } catch {
    return status(400, 'BadRequest', "the object provided is unrecognized (must be of type " + d.kind + '): couldn\'t get version/kind; json parse error');
  }
  if (!obj || typeof obj !== 'object' || !obj.metadata || typeof obj.metadata !== 'object') {
    return status(422, 'Invalid', `${d.kind} "" is invalid: metadata.name: Required value: name or generateName is required`);
  }
  if (obj.kind !== undefined && obj.kind !== d.kind) return status(400, 'BadRequest', `the object provided is unrecognized (must be of type ${d.kind}): ${String(obj.kind)}`);
  const name = obj.metadata.name ?? (typeof obj.metadata.generateName === 'string' ? `${obj.metadata.generateName}${env.world.hex(5)}` : '');
  if (!name) return status(422, 'Invalid', `${d.kind} "" is invalid: metadata.name: Required value: name or generateName is required`);
  const bad = invalidName(d.kind, name, resource === 'namespaces' || resource === 'serviceaccounts');
  if (bad) return bad;
  if (d.namespaced) {
    if (obj.metadata.namespace !== undefined && obj.metadata.namespace !== namespace) {
      return status(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
    }
    if (!env.state.objects.namespaces[namespace!]) return notFound('namespaces', namespace!, '');
  }
  if (resource === 'rolebindings') {
    const ref = obj.roleRef as { kind?: string; name?: string; apiGroup?: string } | undefined;
    if (!ref?.kind || !ref.name || !['Role', 'ClusterRole'].includes(ref.kind)) {
      return status(422, 'Invalid', `RoleBinding.rbac.authorization.k8s.io "${name}" is invalid: roleRef.kind: Unsupported value: "${ref?.kind ?? ''}": supported values: "Role", "ClusterRole"`);
    }
  }
  if (resource === 'storageclasses' && typeof obj.provisioner !== 'string') {
    return status(422, 'Invalid', `StorageClass.storage.k8s.io "${name}" is invalid: provisioner: Required value`);
  }
  const store = env.state.objects[resource as StoredResource];
  const key = storeKey(resource, namespace, name);
  if (store[key]) {
    const res = d.group ? `${resource}.${d.group}` : resource;
    return status(409, 'AlreadyExists', `${res} "${name}" already exists`, { name, ...(d.group ? { group: d.group } : {}), kind: resource });
  }
  const { uid: _u, resourceVersion: _r, creationTimestamp: _c, ...meta } = obj.metadata;
  const stored: KubeObject = { ...withType(resource, obj), metadata: { ...meta, name, ...(d.namespaced ? { namespace } : {}) } };
  if (resource === 'namespaces') {
    stored.metadata.labels = { ...(stored.metadata.labels ?? {}), 'kubernetes.io/metadata.name': name };
    stored.spec = { finalizers: ['kubernetes'] };
    stored.status = { phase: 'Active' };
  }
  if (resource === 'storageclasses') {
    stored.reclaimPolicy ??= 'Delete';
    stored.volumeBindingMode ??= 'Immediate';
  }
  store[key] = stamp(env.state, stored, env.world.nowIso());
  if (resource === 'namespaces') {
    // The service account controller gives every namespace its `default` service account.
    env.state.objects.serviceaccounts[`${name}/default`] = stamp(env.state, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: name } }, env.world.nowIso());
  }
  return { status: 201, body: store[key] };
}

/** PUT: replace an object; a stale resourceVersion is a 409 Conflict, as optimistic concurrency wants. */
function updateObject(env: KubeEnv, resource: string, namespace: string | undefined, name: string, body: Buffer): KubeResponse {
  const d = RESOURCES[resource]!;
  const store = env.state.objects[resource as StoredResource];
  const key = storeKey(resource, namespace, name);
  const current = store[key];
  if (!current) return notFound(resource, name, d.group);
  let obj: KubeObject;
  try {
    obj = JSON.parse(body.toString('utf8')) as KubeObject;
  } catch {
    return status(400, 'BadRequest', `the object provided is unrecognized (must be of type ${d.kind}): json parse error`);
  }
  if (!obj?.metadata || obj.metadata.name !== name) {
    return status(400, 'BadRequest', 'the name of the object (' + String(obj?.metadata?.name ?? '') + ') does not match the name on the URL (' + name + ')');
  }
  const res = d.group ? `${resource}.${d.group}` : resource;
  if (obj.metadata.resourceVersion !== undefined && obj.metadata.resourceVersion !== current.metadata.resourceVersion) {
    return status(409, 'Conflict', `Operation cannot be fulfilled on ${res} "${name}": the object has been modified; please apply your changes to the latest version and try again`, { name, ...(d.group ? { group: d.group } : {}), kind: resource });
  }
  if (resource === 'storageclasses' && (obj.provisioner !== current.provisioner || JSON.stringify(obj.parameters ?? {}) !== JSON.stringify(current.parameters ?? {}))) {
    return status(422, 'Invalid', `StorageClass.storage.k8s.io "${name}" is invalid: [parameters: Forbidden: updates to parameters are forbidden., provisioner: Forbidden: updates to provisioner are forbidden.]`);
  }
  const updated: KubeObject = { ...withType(resource, obj), metadata: { ...obj.metadata, name, uid: current.metadata.uid, creationTimestamp: current.metadata.creationTimestamp, ...(d.namespaced ? { namespace } : {}) } };
  delete updated.metadata.resourceVersion;
  store[key] = stamp(env.state, updated, env.world.nowIso());
  return { status: 200, body: store[key] };
}

function deleteObject(env: KubeEnv, resource: string, namespace: string | undefined, name: string): KubeResponse {
  const d = RESOURCES[resource]!;
  const store = env.state.objects[resource as StoredResource];
  const key = storeKey(resource, namespace, name);
  const obj = store[key];
  if (!obj) return notFound(resource, name, d.group);
  delete store[key];
  if (resource === 'namespaces') {
    for (const r of ['serviceaccounts', 'rolebindings'] as const) {
      for (const k of Object.keys(env.state.objects[r])) if (k.startsWith(`${name}/`)) delete env.state.objects[r][k];
    }
    return { status: 200, body: { ...obj, status: { phase: 'Terminating' } } };
  }
  return { status: 200, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, ...(d.group ? { group: d.group } : {}), kind: resource, uid: obj.metadata.uid } } };
}

// ----- routing -------------------------------------------------------------------------------------------

interface Route {
  resource: string;
  namespace?: string;
  name?: string;
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
  const [resource, name, ...extra] = rest;
  if (!resource || extra.length) return undefined;
  const d = RESOURCES[resource];
  if (!d || d.group !== group) return undefined;
  if (namespace !== undefined && !d.namespaced) return undefined;
  return { resource, ...(namespace !== undefined ? { namespace } : {}), ...(name !== undefined ? { name } : {}) };
}

const VERB: Record<string, string> = { GET: 'get', POST: 'create', DELETE: 'delete', PUT: 'update', PATCH: 'patch' };

export function handleKubeRequest(env: KubeEnv, req: KubeRequest): KubeResponse {
  const url = new URL(req.url, 'https://127.0.0.1');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const auth = header(req.headers, 'authorization');
  const publicPath = ['/version', '/healthz', '/livez', '/readyz'].includes(path);

  // Authentication: a presented token must be valid, whatever the path.
  let user: KubeUser | undefined;
  if (auth) {
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    if (!m) return unauthorized();
    const checked = authenticateToken(env.world, m[1]!, env.cluster.name, { verifySignatures: env.verifySignatures });
    if (!checked.ok) return unauthorized();
    const entry = findAccessEntry(env.world.data.eksAccessEntries, env.cluster, checked.who);
    // No access entry: the authenticator maps the identity to nobody, so authentication fails.
    if (!entry) return unauthorized();
    user = userFor(entry, checked.who);
  }
  if (path === '/version') return { status: 200, body: versionInfo(env.cluster) };
  if (publicPath) return { status: 200, body: 'ok' };
  if (!user) return unauthorized();

  // Discovery: every authenticated user (system:discovery).
  if (req.method === 'GET') {
    if (path === '/api') return { status: 200, body: { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `${url.hostname}:443` }] } };
    if (path === '/api/v1') return { status: 200, body: apiResourceList('', 'v1') };
    if (path === '/apis') return { status: 200, body: { kind: 'APIGroupList', apiVersion: 'v1', groups: GROUPS.map((g) => { const { kind: _k, apiVersion: _a, ...rest } = apiGroup(g) as Record<string, unknown>; return rest; }) } };
    const g = /^\/apis\/([^/]+)(?:\/(v1))?$/.exec(path);
    if (g && GROUPS.includes(g[1]!)) return { status: 200, body: g[2] ? apiResourceList(g[1]!, 'v1') : apiGroup(g[1]!) };
  }

  const route = parseResourcePath(path.split('/').filter(Boolean));
  if (!route) return notFoundPath();
  const d = RESOURCES[route.resource]!;
  let verb = VERB[req.method] ?? req.method.toLowerCase();
  if (verb === 'get' && !route.name) verb = url.searchParams.get('watch') === 'true' ? 'watch' : 'list';
  if (req.method === 'POST' && route.name) return status(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  const access: ResourceRequest = {
    verb,
    resource: route.resource,
    group: d.group,
    namespace: route.resource === 'namespaces' ? route.name : route.namespace,
    clusterScoped: !d.namespaced,
  };
  if (!isAllowed(user, access)) {
    return status(403, 'Forbidden', forbiddenMessage(user, access, route.name), { ...(route.name ? { name: route.name } : {}), ...(d.group ? { group: d.group } : {}), kind: route.resource });
  }
  if (!d.verbs.includes(verb) || verb === 'watch') return status(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');

  reconcileAddons(env.world, env.state, env.cluster);
  if (verb === 'create') return createObject(env, route.resource, route.namespace, req.body);
  if (verb === 'delete') return deleteObject(env, route.resource, route.namespace, route.name!);
  if (verb === 'update') {
    if (!route.name) return status(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    return updateObject(env, route.resource, route.namespace, route.name, req.body);
  }

  const items = listOf(env, route.resource, route.namespace);
  if (verb === 'get') {
    const found = items.find((o) => o.metadata.name === route.name);
    if (!found) return notFound(route.resource, route.name!, d.group);
    if (/as=Table/.test(header(req.headers, 'accept') ?? '')) return { status: 200, body: table(route.resource, [found], env.world.now(), String(env.state.resourceVersion)) };
    return { status: 200, body: withType(route.resource, found) };
  }
  const rv = String(env.state.resourceVersion);
  const sorted = [...items].sort((a, b) => `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace ?? ''}/${b.metadata.name}`));
  const selector = url.searchParams.get('fieldSelector');
  const filtered = selector?.startsWith('metadata.name=') ? sorted.filter((o) => o.metadata.name === selector.slice('metadata.name='.length)) : sorted;
  if (/as=Table/.test(header(req.headers, 'accept') ?? '')) return { status: 200, body: table(route.resource, filtered, env.world.now(), rv) };
  return {
    status: 200,
    body: { kind: `${d.kind}List`, apiVersion: d.group ? `${d.group}/${d.version}` : d.version, metadata: { resourceVersion: rv }, items: filtered.map((o) => withType(route.resource, o)) },
  };
}
