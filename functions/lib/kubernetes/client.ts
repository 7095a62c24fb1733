/**
 * The few Kubernetes calls the service makes, as plain HTTPS requests to the cluster's API server,
 * authenticated with an EKS token and trusting exactly the cluster CA from DescribeCluster. Creating is
 * idempotent: an object that already exists (409 AlreadyExists) counts as made, so a retried step
 * converges instead of failing.
 *
 * Why not @kubernetes/client-node: its ObjectSerializer maps every generated model, so a bundle that
 * uses it carries all of them (~2.1 MiB minified, twice the 1 MiB per-function budget) for seven REST
 * calls. The official client stays in the test suite as the independent check of the sandbox's API
 * server; its types describe the objects here (type-only imports, nothing bundled).
 *
 * Errors come out classified (KubeError.kind), for ConfigureCluster's diagnoses:
 *   unreachable  — no connection (DNS, refused, timeout, private endpoint)
 *   tls          — the server's certificate is not from the cluster CA
 *   unauthorized — 401: the token maps to no user (no access entry), or its credentials expired
 *   forbidden    — 403: the user may not do this
 *   transient    — 429 / 5xx: try again
 *   other        — anything else (4xx with the API server's message)
 */
import { Agent, request } from 'node:https';
import type {
  V1Namespace,
  V1NodeList,
  V1PodDisruptionBudgetList,
  V1PodList,
  V1RoleBinding,
  V1ServiceAccount,
  V1StorageClass,
  V1StorageClassList,
} from '@kubernetes/client-node';
import { redactSecrets } from '../aws/aws-error.js';
import { type DisruptionReader, NODEGROUP_LABEL } from './disruption.js';

export const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';
const BETA_DEFAULT_CLASS_ANNOTATION = 'storageclass.beta.kubernetes.io/is-default-class';

export type KubeErrorKind = 'unreachable' | 'tls' | 'unauthorized' | 'forbidden' | 'transient' | 'other';

export class KubeError extends Error {
  override readonly name = 'KubeError';
  constructor(
    readonly kind: KubeErrorKind,
    message: string,
    readonly operation: string,
    readonly status?: number,
  ) {
    // Every Kubernetes failure passes here on its way to diagnoses, records and logs: no bearer token or key gets further.
    super(redactSecrets(message));
  }
}

export interface NodeSummary {
  name: string;
  ready: boolean;
  /** The Ready condition's reason/message when not Ready. */
  reason?: string;
}

export interface StorageClassSummary {
  name: string;
  provisioner: string;
  isDefault: boolean;
}

export interface KubeApi {
  listNodes(): Promise<NodeSummary[]>;
  listStorageClasses(): Promise<StorageClassSummary[]>;
  /** Creates the class; false when one of that name already existed. */
  createStorageClass(sc: V1StorageClass): Promise<boolean>;
  /** Sets the default-class annotation of an existing class to "false". */
  unsetDefaultClass(name: string): Promise<void>;
  createNamespace(name: string, labels: Record<string, string>, annotations: Record<string, string>): Promise<boolean>;
  createServiceAccount(namespace: string, name: string, labels: Record<string, string>): Promise<boolean>;
  /** RoleBinding in `namespace` giving ClusterRole `clusterRole` to a service account of that namespace. */
  bindClusterRole(
    namespace: string,
    name: string,
    clusterRole: string,
    serviceAccount: string,
    labels: Record<string, string>,
  ): Promise<boolean>;
}

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
]);

/** What the API server said: a v1 Status carries `message`; anything else is cut short. */
function statusMessage(body: string): string | undefined {
  if (!body) return undefined;
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    return typeof parsed.message === 'string' ? parsed.message : body.slice(0, 300);
  } catch {
    return body.slice(0, 300);
  }
}

/** An HTTP answer other than 2xx, as the KubeError ConfigureCluster acts on. */
export function fromStatus(status: number, body: string, operation: string): KubeError {
  const kind: KubeErrorKind =
    status === 401
      ? 'unauthorized'
      : status === 403
        ? 'forbidden'
        : status === 429 || status >= 500
          ? 'transient'
          : 'other';
  return new KubeError(kind, statusMessage(body) ?? `HTTP ${status}`, operation, status);
}

/** A failure below HTTP (socket, DNS, TLS, timeout) as a KubeError. */
export function classify(err: unknown, operation: string): KubeError {
  if (err instanceof KubeError) return err;
  const e = err as { code?: unknown; message?: string; cause?: { code?: string } };
  const code = typeof e?.code === 'string' ? e.code : e?.cause?.code;
  const text = e?.message ?? String(err);
  if ((code && TLS_CODES.has(code)) || /certificate|self.signed/i.test(text))
    return new KubeError('tls', text, operation);
  return new KubeError('unreachable', code ? `${code}: ${text}` : text, operation);
}

/** No answer within this long counts as unreachable (the API server answers these calls in milliseconds). */
export const REQUEST_TIMEOUT_MS = 15_000;
/** Bodies larger than this are not ours to read (a node list of a few nodes is a few KiB). */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

type Method = 'GET' | 'POST' | 'PUT';

/** One request to the API server; resolves with the parsed JSON body of a 2xx, rejects with a KubeError. */
function send<T>(
  base: URL,
  agent: Agent,
  token: string,
  timeoutMs: number,
  operation: string,
  method: Method,
  path: string,
  body?: unknown,
): Promise<T> {
  const url = new URL(path, base);
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise<T>((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        agent,
        timeout: timeoutMs,
        headers: {
          accept: 'application/json',
          authorization: `Bearer ${token}`,
          'user-agent': 'eks-provisioner',
          ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (d: Buffer) => {
          size += d.length;
          if (size > MAX_BODY_BYTES)
            req.destroy(new Error(`response to ${method} ${url.pathname} is larger than ${MAX_BODY_BYTES} bytes`));
          else chunks.push(d);
        });
        res.on('error', (err) => reject(classify(err, operation)));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status < 200 || status >= 300) return reject(fromStatus(status, text, operation));
          try {
            resolve((text ? JSON.parse(text) : {}) as T);
          } catch {
            reject(
              new KubeError(
                'other',
                `the API server answered ${method} ${url.pathname} with something that is not JSON: ${text.slice(0, 200)}`,
                operation,
                status,
              ),
            );
          }
        });
      },
    );
    req.on('timeout', () =>
      req.destroy(
        Object.assign(new Error(`no answer from ${url.host} within ${timeoutMs / 1000} s`), { code: 'ETIMEDOUT' }),
      ),
    );
    req.on('error', (err) => reject(classify(err, operation)));
    req.end(payload);
  });
}

/** Create, treating 409 AlreadyExists as success (false = it was there). */
async function create(fn: () => Promise<unknown>): Promise<boolean> {
  try {
    await fn();
    return true;
  } catch (err) {
    if (err instanceof KubeError && err.status === 409) return false;
    throw err;
  }
}

export function isDefaultClass(annotations: Record<string, string> | undefined): boolean {
  return annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true' || annotations?.[BETA_DEFAULT_CLASS_ANNOTATION] === 'true';
}

const STORAGE_CLASSES = '/apis/storage.k8s.io/v1/storageclasses';
const segment = encodeURIComponent;

/** A client for one cluster: endpoint and base64 CA from DescribeCluster, an EKS bearer token. */
export function kubeApi(opts: {
  endpoint: string;
  certificateAuthorityData: string;
  token: string;
  clusterName: string;
  timeoutMs?: number;
}): KubeApi & DisruptionReader {
  const base = new URL(opts.endpoint);
  // Exactly the cluster CA (not the system store), verified; one connection reused for the few calls.
  const agent = new Agent({
    ca: Buffer.from(opts.certificateAuthorityData, 'base64'),
    rejectUnauthorized: true,
    keepAlive: true,
    maxSockets: 2,
  });
  const call = <T>(operation: string, method: Method, path: string, body?: unknown) =>
    send<T>(base, agent, opts.token, opts.timeoutMs ?? REQUEST_TIMEOUT_MS, operation, method, path, body);
  return {
    listNodes: async () =>
      (await call<V1NodeList>('list nodes', 'GET', '/api/v1/nodes')).items.map((n) => {
        const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
        return {
          name: n.metadata?.name ?? '',
          ready: ready?.status === 'True',
          ...(ready?.status !== 'True' ? { reason: ready?.message ?? ready?.reason ?? 'no Ready condition yet' } : {}),
        };
      }),
    listStorageClasses: async () =>
      (await call<V1StorageClassList>('list storage classes', 'GET', STORAGE_CLASSES)).items.map((s) => ({
        name: s.metadata?.name ?? '',
        provisioner: s.provisioner,
        isDefault: isDefaultClass(s.metadata?.annotations),
      })),
    createStorageClass: (sc) => create(() => call('create storage class', 'POST', STORAGE_CLASSES, sc)),
    unsetDefaultClass: async (name) => {
      const sc = await call<V1StorageClass>('update storage class', 'GET', `${STORAGE_CLASSES}/${segment(name)}`);
      sc.metadata = {
        ...sc.metadata,
        annotations: { ...(sc.metadata?.annotations ?? {}), [DEFAULT_CLASS_ANNOTATION]: 'false' },
      };
      delete sc.metadata.annotations![BETA_DEFAULT_CLASS_ANNOTATION];
      // PUT carries metadata.resourceVersion from the GET: a concurrent change answers 409, not a lost update.
      await call('update storage class', 'PUT', `${STORAGE_CLASSES}/${segment(name)}`, sc);
    },
    // Cluster-wide lists (a ClusterRoleBinding's worth of access: role B is cluster-admin as the creator).
    listPodDisruptionBudgets: async () =>
      (
        await call<V1PodDisruptionBudgetList>(
          'list pod disruption budgets',
          'GET',
          '/apis/policy/v1/poddisruptionbudgets',
        )
      ).items.map((b) => ({
        namespace: b.metadata?.namespace ?? '',
        name: b.metadata?.name ?? '',
        ...(b.spec?.minAvailable !== undefined ? { minAvailable: b.spec.minAvailable } : {}),
        ...(b.spec?.maxUnavailable !== undefined ? { maxUnavailable: b.spec.maxUnavailable } : {}),
        ...(b.spec?.selector ? { selector: b.spec.selector } : {}),
        disruptionsAllowed: b.status?.disruptionsAllowed ?? 0,
        currentHealthy: b.status?.currentHealthy ?? 0,
        desiredHealthy: b.status?.desiredHealthy ?? 0,
        expectedPods: b.status?.expectedPods ?? 0,
      })),
    listNodegroupNodes: async (nodegroupName) =>
      (
        await call<V1NodeList>(
          'list nodes',
          'GET',
          `/api/v1/nodes?labelSelector=${segment(`${NODEGROUP_LABEL}=${nodegroupName}`)}`,
        )
      ).items
        .map((n) => n.metadata?.name ?? '')
        .filter(Boolean),
    listPodsOnNode: async (nodeName) =>
      (
        await call<V1PodList>('list pods', 'GET', `/api/v1/pods?fieldSelector=${segment(`spec.nodeName=${nodeName}`)}`)
      ).items.map((p) => ({
        namespace: p.metadata?.namespace ?? '',
        name: p.metadata?.name ?? '',
        ...(p.spec?.nodeName ? { nodeName: p.spec.nodeName } : {}),
        labels: p.metadata?.labels ?? {},
      })),
    createNamespace: (name, labels, annotations) =>
      create(() =>
        call('create namespace', 'POST', '/api/v1/namespaces', {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name, labels, annotations },
        } satisfies V1Namespace),
      ),
    createServiceAccount: (namespace, name, labels) =>
      create(() =>
        call('create service account', 'POST', `/api/v1/namespaces/${segment(namespace)}/serviceaccounts`, {
          apiVersion: 'v1',
          kind: 'ServiceAccount',
          metadata: { name, namespace, labels },
        } satisfies V1ServiceAccount),
      ),
    bindClusterRole: (namespace, name, clusterRole, serviceAccount, labels) =>
      create(() =>
        call(
          'create role binding',
          'POST',
          `/apis/rbac.authorization.k8s.io/v1/namespaces/${segment(namespace)}/rolebindings`,
          {
            apiVersion: 'rbac.authorization.k8s.io/v1',
            kind: 'RoleBinding',
            metadata: { name, namespace, labels },
            roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRole },
            subjects: [{ kind: 'ServiceAccount', name: serviceAccount, namespace }],
          } satisfies V1RoleBinding,
        ),
      ),
  };
}
