/**
 * The few Kubernetes calls the service makes, through the official client (@kubernetes/client-node),
 * authenticated with an EKS token and trusting exactly the cluster CA from DescribeCluster. Creating is
 * idempotent: an object that already exists (409 AlreadyExists) counts as made, so a retried step
 * converges instead of failing.
 *
 * Errors come out classified (KubeError.kind), for ConfigureCluster's diagnoses:
 *   unreachable  — no connection (DNS, refused, timeout, private endpoint)
 *   tls          — the server's certificate is not from the cluster CA
 *   unauthorized — 401: the token maps to no user (no access entry)
 *   forbidden    — 403: the user may not do this
 *   transient    — 429 / 5xx: try again
 *   other        — anything else (4xx with the API server's message)
 */
import { redactSecrets } from '../aws/aws-error.js';
import { CoreV1Api, KubeConfig, RbacAuthorizationV1Api, StorageV1Api, type V1StorageClass } from '@kubernetes/client-node';

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
  bindClusterRole(namespace: string, name: string, clusterRole: string, serviceAccount: string, labels: Record<string, string>): Promise<boolean>;
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

function statusMessage(body: unknown): string | undefined {
  const text = typeof body === 'string' ? body : undefined;
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    return typeof parsed.message === 'string' ? parsed.message : undefined;
  } catch {
    return text.slice(0, 300);
  }
}

/** Turns whatever the client threw into a KubeError. */
export function classify(err: unknown, operation: string): KubeError {
  if (err instanceof KubeError) return err;
  const e = err as { code?: unknown; body?: unknown; message?: string; cause?: { code?: string }; errno?: unknown; type?: string };
  if (typeof e?.code === 'number') {
    const status = e.code;
    const message = statusMessage(e.body) ?? `HTTP ${status}`;
    const kind: KubeErrorKind = status === 401 ? 'unauthorized' : status === 403 ? 'forbidden' : status === 429 || status >= 500 ? 'transient' : 'other';
    return new KubeError(kind, message, operation, status);
  }
  const code = typeof e?.code === 'string' ? e.code : e?.cause?.code;
  const text = e?.message ?? String(err);
  if ((code && TLS_CODES.has(code)) || /certificate|self.signed/i.test(text)) return new KubeError('tls', text, operation);
  return new KubeError('unreachable', code ? `${code}: ${text}` : text, operation);
}

async function call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw classify(err, operation);
  }
}

/** Create, treating 409 AlreadyExists as success (false = it was there). */
async function create(operation: string, fn: () => Promise<unknown>): Promise<boolean> {
  try {
    await fn();
    return true;
  } catch (err) {
    const k = classify(err, operation);
    if (k.status === 409) return false;
    throw k;
  }
}

export function isDefaultClass(annotations: Record<string, string> | undefined): boolean {
  return annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true' || annotations?.[BETA_DEFAULT_CLASS_ANNOTATION] === 'true';
}

/** A client for one cluster: endpoint and base64 CA from DescribeCluster, an EKS bearer token. */
export function kubeApi(opts: { endpoint: string; certificateAuthorityData: string; token: string; clusterName: string }): KubeApi {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: opts.clusterName, server: opts.endpoint, caData: opts.certificateAuthorityData, skipTLSVerify: false }],
    users: [{ name: 'eks-provisioner', token: opts.token }],
    contexts: [{ name: opts.clusterName, cluster: opts.clusterName, user: 'eks-provisioner' }],
    currentContext: opts.clusterName,
  });
  const core = kc.makeApiClient(CoreV1Api);
  const storage = kc.makeApiClient(StorageV1Api);
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  return {
    listNodes: () =>
      call('list nodes', async () =>
        (await core.listNode()).items.map((n) => {
          const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
          return { name: n.metadata?.name ?? '', ready: ready?.status === 'True', ...(ready?.status !== 'True' ? { reason: ready?.message ?? ready?.reason ?? 'no Ready condition yet' } : {}) };
        }),
      ),
    listStorageClasses: () =>
      call('list storage classes', async () =>
        (await storage.listStorageClass()).items.map((s) => ({ name: s.metadata?.name ?? '', provisioner: s.provisioner, isDefault: isDefaultClass(s.metadata?.annotations) })),
      ),
    createStorageClass: (sc) => create('create storage class', () => storage.createStorageClass({ body: sc })),
    unsetDefaultClass: (name) =>
      call('update storage class', async () => {
        const sc = await storage.readStorageClass({ name });
        sc.metadata = { ...sc.metadata, annotations: { ...(sc.metadata?.annotations ?? {}), [DEFAULT_CLASS_ANNOTATION]: 'false' } };
        delete sc.metadata.annotations![BETA_DEFAULT_CLASS_ANNOTATION];
        await storage.replaceStorageClass({ name, body: sc });
      }),
    createNamespace: (name, labels, annotations) => create('create namespace', () => core.createNamespace({ body: { metadata: { name, labels, annotations } } })),
    createServiceAccount: (namespace, name, labels) =>
      create('create service account', () => core.createNamespacedServiceAccount({ namespace, body: { metadata: { name, namespace, labels } } })),
    bindClusterRole: (namespace, name, clusterRole, serviceAccount, labels) =>
      create('create role binding', () =>
        rbac.createNamespacedRoleBinding({
          namespace,
          body: {
            metadata: { name, namespace, labels },
            roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRole },
            subjects: [{ kind: 'ServiceAccount', name: serviceAccount, namespace }],
          },
        }),
      ),
  };
}
