/**
 * ConfigureCluster: the stack is complete; make the cluster ready for workloads, from inside, through
 * its Kubernetes API as role B (the creator, cluster-admin through its access entry).
 *
 * One call is one look. Until `nodeCount` nodes are Ready it returns WAITING with the next wait (the state
 * machine's WaitForNodes loops back, like the stack poll), giving up with NODES_NOT_READY after
 * NODE_WAIT_CAP_SECONDS. Then, in one go (each step idempotent, so a retry converges):
 * - exactly one default StorageClass: the EBS CSI add-on's (made when its configuration asks for it), or a
 *   `gp3` class (ebs.csi.aws.com, WaitForFirstConsumer) created here; extra defaults are un-defaulted;
 * - `managed` clusters: one namespace per environment, each with a `deployer` service account bound to
 *   ClusterRole `edit` in that namespace (no token is created or handed out).
 * Returns DONE with what it found and did; FinalizeCluster puts that on the record and the event.
 */

import { type Cluster, DescribeClusterCommand, type EKSClient } from '@aws-sdk/client-eks';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { makeDiagnosis } from '../lib/diagnosis/catalog.js';
import { awsCall } from '../lib/diagnosis/from-aws-error.js';
import { AwsTransientError, DiagnosedError } from '../lib/errors.js';
import {
  DEFAULT_CLASS_ANNOTATION,
  type KubeApi,
  KubeError,
  type StorageClassSummary,
} from '../lib/kubernetes/client.js';
import { eksToken } from '../lib/kubernetes/eks-token.js';
import { DEPLOYER_SERVICE_ACCOUNT, managedNamespaces } from '../lib/kubernetes/namespaces.js';
import { NODE_WAIT_CAP_SECONDS } from '../lib/polling/budget.js';
import type { ReportProgress } from '../lib/progress/progress.js';
import type { ClusterConfiguration, ConfigureProgress, StackRef, ValidatedRequest } from '../lib/state.js';

/** Nodes usually turn Ready 1–3 minutes after the node group is ACTIVE; 15 minutes means something is wrong (the figure lives with the execution budget). */
export { NODE_WAIT_CAP_SECONDS };
export const FIRST_WAIT_SECONDS = 10;
export const MAX_WAIT_SECONDS = 30;
export const GP3_CLASS = 'gp3';
const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'eks-provisioner' };

export type ConfigureClusterInput = ValidatedRequest & { stack: StackRef; configure?: Partial<ConfigureProgress> };

export interface ConfigureDeps {
  eks: EKSClient;
  /** Role B's credentials (from its RoleSession): they sign the EKS token, never leave this process. */
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  kube: (o: { endpoint: string; certificateAuthorityData: string; token: string; clusterName: string }) => KubeApi;
  now: () => Date;
  /** STS endpoint for the token (tests; default: the regional endpoint or AWS_ENDPOINT_URL). */
  stsEndpoint?: URL;
  /**
   * Assume role B again (RoleSession.renew). A 401 is how the API server answers a token signed with
   * credentials that expired mid-invocation; one renewal and a new token tell that apart from a missing
   * access entry, which stays 401.
   */
  renewCredentials?: () => Promise<void>;
  /** Where the look's phase goes (the record, for GET /v1/clusters/{id}); absent: nowhere. */
  progress?: ReportProgress;
}

/** Next wait: short when nodes are registering, longer while none is there; capped. */
export function nextWait(previous: number | undefined, registered: number): number {
  if (previous === undefined || previous <= 0) return FIRST_WAIT_SECONDS;
  const grown = Math.round(previous * 1.5);
  return Math.min(registered > 0 ? Math.max(5, Math.min(grown, 15)) : grown, MAX_WAIT_SECONDS);
}

function evidenceOf(input: ConfigureClusterInput, cluster: Cluster | undefined) {
  return {
    clusterName: input.cluster.name,
    region: input.region,
    accountId: input.accountId,
    roleArn: input.cluster.provisionRoleArn,
    ...(cluster?.endpoint ? { endpoint: cluster.endpoint } : {}),
  };
}

/** A Kubernetes failure → the diagnosis (or the retryable error) the state machine acts on. */
function failure(err: KubeError, input: ConfigureClusterInput, cluster: Cluster | undefined): Error {
  const ev = evidenceOf(input, cluster);
  switch (err.kind) {
    case 'transient':
      return new AwsTransientError(`Kubernetes API ${err.operation}: ${err.message}`, 'kubernetes', err.operation);
    case 'unauthorized':
    case 'forbidden':
      return new DiagnosedError(
        makeDiagnosis('KUBERNETES_FORBIDDEN', {
          ...ev,
          status: String(err.status),
          operation: err.operation,
          detail: err.message,
        }),
      );
    case 'tls':
      return new DiagnosedError(
        makeDiagnosis('KUBERNETES_API_UNREACHABLE', {
          ...ev,
          detail: `the server's TLS certificate is not signed by the cluster CA EKS returned (${err.message})`,
        }),
      );
    case 'unreachable':
      return new DiagnosedError(
        makeDiagnosis('KUBERNETES_API_UNREACHABLE', {
          ...ev,
          detail: err.message,
          publicAccessCidrs: cluster?.resourcesVpcConfig?.publicAccessCidrs ?? [],
          privateOnly: String(cluster?.resourcesVpcConfig?.endpointPublicAccess === false),
        }),
      );
    default:
      return new DiagnosedError(
        makeDiagnosis('UNKNOWN', {
          ...ev,
          operation: err.operation,
          reason: err.message,
          ...(err.status ? { status: String(err.status) } : {}),
        }),
      );
  }
}

/** Exactly one default class: keep the EBS CSI one (or the first), un-default the rest; none → create gp3. */
async function ensureDefaultStorageClass(kube: KubeApi): Promise<ClusterConfiguration['storageClass']> {
  const classes = await kube.listStorageClasses();
  const defaults = classes.filter((c) => c.isDefault);
  if (defaults.length === 0) {
    const name = classes.some((c) => c.name === GP3_CLASS) ? `${GP3_CLASS}-default` : GP3_CLASS;
    await kube.createStorageClass({
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name, annotations: { [DEFAULT_CLASS_ANNOTATION]: 'true' }, labels: MANAGED_BY },
      provisioner: 'ebs.csi.aws.com',
      parameters: { type: 'gp3', encrypted: 'true', 'csi.storage.k8s.io/fstype': 'ext4' },
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'WaitForFirstConsumer',
      allowVolumeExpansion: true,
    });
    return { name, provisioner: 'ebs.csi.aws.com', created: true, undefaulted: [] };
  }
  const keep: StorageClassSummary = defaults.find((c) => c.provisioner === 'ebs.csi.aws.com') ?? defaults[0]!;
  const others = defaults.filter((c) => c !== keep);
  for (const c of others) await kube.unsetDefaultClass(c.name);
  return { name: keep.name, provisioner: keep.provisioner, created: false, undefaulted: others.map((c) => c.name) };
}

/** Where this look stands: the progress so far and the cluster DescribeCluster returned. */
interface Look {
  input: ConfigureClusterInput;
  cluster: Cluster;
  prev: Partial<ConfigureProgress>;
  attempts: number;
  elapsedSeconds: number;
  now: () => Date;
}

export async function configureCluster(input: ConfigureClusterInput, deps: ConfigureDeps): Promise<ConfigureProgress> {
  const result = await lookAtCluster(input, deps);
  await deps.progress?.({ phase: configurePhase(result) });
  return result;
}

/** What the user sees while nodes come up. */
export function configurePhase(result: ConfigureProgress): string {
  return result.outcome === 'WAITING'
    ? `Waiting for nodes (${result.nodes.ready} of ${result.nodes.expected} Ready)`
    : 'Configuring the cluster';
}

async function lookAtCluster(input: ConfigureClusterInput, deps: ConfigureDeps): Promise<ConfigureProgress> {
  const prev = input.configure ?? {};
  // State-machine time: the waits already taken (Wait states, scaled in the local stack).
  const elapsedSeconds = (prev.elapsedSeconds ?? 0) + (prev.outcome === 'WAITING' ? (prev.nextWaitSeconds ?? 0) : 0);

  const { cluster } = await awsCall(
    {
      service: 'eks',
      operation: 'DescribeCluster',
      principal: 'provision-role',
      evidence: { clusterName: input.cluster.name, region: input.region },
    },
    () => deps.eks.send(new DescribeClusterCommand({ name: input.cluster.name })),
  );
  if (!cluster?.endpoint || !cluster.certificateAuthority?.data) {
    throw new AwsTransientError(
      `cluster ${input.cluster.name} has no endpoint or CA yet (status ${cluster?.status ?? 'unknown'})`,
      'eks',
      'DescribeCluster',
    );
  }
  if (cluster.resourcesVpcConfig?.endpointPublicAccess === false) {
    throw new DiagnosedError(
      makeDiagnosis('KUBERNETES_API_UNREACHABLE', {
        ...evidenceOf(input, cluster),
        privateOnly: 'true',
        detail: 'public endpoint access is disabled',
      }),
    );
  }
  const look: Look = { input, cluster, prev, attempts: (prev.attempts ?? 0) + 1, elapsedSeconds, now: deps.now };
  const clusterName = cluster.name ?? input.cluster.name;
  const connect = async (): Promise<KubeApi> => {
    const { token } = await eksToken({
      clusterName,
      region: input.region,
      credentials: deps.credentials,
      now: deps.now(),
      ...(deps.stsEndpoint ? { endpoint: deps.stsEndpoint } : {}),
    });
    return deps.kube({
      endpoint: cluster.endpoint!,
      certificateAuthorityData: cluster.certificateAuthority!.data!,
      token,
      clusterName,
    });
  };
  const asStepError = (err: unknown): unknown => (err instanceof KubeError ? failure(err, input, cluster) : err);

  try {
    return await lookAndConfigure(await connect(), look);
  } catch (err) {
    if (!(err instanceof KubeError) || err.kind !== 'unauthorized' || !deps.renewCredentials) throw asStepError(err);
  }
  // 401: perhaps role B's session expired under us. Every step is idempotent, so the look runs again
  // once with fresh credentials; a 401 then is a real one (no access entry).
  await deps.renewCredentials();
  try {
    return await lookAndConfigure(await connect(), look);
  } catch (err) {
    throw asStepError(err);
  }
}

/** One look through the Kubernetes API: nodes Ready yet? Then the storage class and managed namespaces. */
async function lookAndConfigure(
  kube: KubeApi,
  { input, cluster, prev, attempts, elapsedSeconds, now }: Look,
): Promise<ConfigureProgress> {
  const expected = input.cluster.nodeCount;
  let nodes;
  try {
    nodes = await kube.listNodes();
  } catch (err) {
    // A new endpoint can take a while to resolve everywhere: keep looking until the cap.
    if (!(err instanceof KubeError) || err.kind !== 'unreachable' || elapsedSeconds >= NODE_WAIT_CAP_SECONDS) throw err;
    return {
      outcome: 'WAITING',
      attempts,
      elapsedSeconds,
      nextWaitSeconds: nextWait(prev.outcome === 'WAITING' ? prev.nextWaitSeconds : undefined, 0),
      nodes: { ready: 0, registered: 0, expected },
      lastError: err.message,
    };
  }
  const ready = nodes.filter((n) => n.ready).length;
  const nodeFacts = { ready, registered: nodes.length, expected };
  if (ready < expected) {
    if (elapsedSeconds >= NODE_WAIT_CAP_SECONDS) {
      const notReady = nodes.find((n) => !n.ready);
      throw new DiagnosedError(
        makeDiagnosis('NODES_NOT_READY', {
          ...evidenceOf(input, cluster),
          readyNodes: ready,
          registeredNodes: nodes.length,
          expectedNodes: expected,
          elapsedSeconds,
          ...(notReady?.reason
            ? { reason: `${notReady.name}: ${notReady.reason}` }
            : nodes.length === 0
              ? { reason: 'no node has registered with the API server' }
              : {}),
        }),
      );
    }
    return {
      outcome: 'WAITING',
      attempts,
      elapsedSeconds,
      nextWaitSeconds: nextWait(prev.outcome === 'WAITING' ? prev.nextWaitSeconds : undefined, nodes.length),
      nodes: nodeFacts,
    };
  }

  const storageClass = await ensureDefaultStorageClass(kube);
  const made: ClusterConfiguration['namespaces'] = [];
  for (const ns of managedNamespaces(input.cluster)) {
    const labels = { ...MANAGED_BY, 'eks-provisioner/cluster-id': input.clusterId };
    const created = await kube.createNamespace(ns, labels, {
      'eks-provisioner/environment-scope': input.cluster.environmentScope,
    });
    await kube.createServiceAccount(ns, DEPLOYER_SERVICE_ACCOUNT, MANAGED_BY);
    await kube.bindClusterRole(ns, `${DEPLOYER_SERVICE_ACCOUNT}-edit`, 'edit', DEPLOYER_SERVICE_ACCOUNT, MANAGED_BY);
    made.push({ name: ns, created, serviceAccount: DEPLOYER_SERVICE_ACCOUNT, clusterRole: 'edit' });
  }
  return {
    outcome: 'DONE',
    attempts,
    elapsedSeconds,
    nextWaitSeconds: 0,
    nodes: nodeFacts,
    configuration: {
      nodesReady: ready,
      nodesExpected: expected,
      storageClass,
      namespaces: made,
      configuredAt: now().toISOString(),
    },
  };
}
