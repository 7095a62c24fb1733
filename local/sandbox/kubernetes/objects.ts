/**
 * The objects inside one cluster, kept in the world's private service state (so `/_sandbox/world` shows
 * them and `/_sandbox/reset` drops them). Some exist from the moment the control plane is ACTIVE (the
 * four system namespaces, their `default` service accounts, EKS's `gp2` class); others follow from AWS
 * resources:
 *
 * - Nodes come from the cluster's ACTIVE managed node groups (desiredSize each). They register when the
 *   group turns ACTIVE and are Ready after NODE_READY_DELAY_MS (time-scaled: kubelet + CNI start-up).
 *   When the world's `nodesFailToJoin` flag is set, instances never join: no Node objects at all.
 * - The EBS CSI add-on creates `ebs-csi-default-sc` (the default class) once ACTIVE, and only when its
 *   configuration values ask for it (`{"defaultStorageClass":{"enabled":true}}`).
 * - EKS's own `gp2` class (in-tree provisioner) is the default only on clusters before Kubernetes 1.30.
 */
import { createHash } from 'node:crypto';
import type { EksCluster } from '../world/types.js';
import type { World } from '../world/world.js';
import type { ClusterPki } from './pki.js';

export type KubeObject = {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    creationTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [k: string]: unknown;
  };
  [k: string]: unknown;
};

/** Stored kinds, keyed by plural resource name; namespaced keys are `<namespace>/<name>`. */
export type StoredResource =
  | 'namespaces'
  | 'serviceaccounts'
  | 'rolebindings'
  | 'storageclasses'
  | 'pods'
  | 'deployments'
  | 'daemonsets'
  | 'poddisruptionbudgets';

export const STORED: StoredResource[] = [
  'namespaces',
  'serviceaccounts',
  'rolebindings',
  'storageclasses',
  'pods',
  'deployments',
  'daemonsets',
  'poddisruptionbudgets',
];

/**
 * What was changed on a Node through the API (`kubectl label`, `kubectl cordon`): nodes themselves are
 * derived from the node groups, so these edits live beside them and hold while the node keeps the
 * registration they were made on (a re-registered node starts clean, like a replaced instance).
 */
export interface NodeOverlay {
  creationTimestamp: string;
  resourceVersion: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  unschedulable?: boolean;
  taints?: unknown[];
}

export interface ClusterKubeState {
  /** Cluster ARN + creation time: a new cluster of the same name is another cluster. */
  key: string;
  pki: ClusterPki;
  endpoint: string;
  resourceVersion: number;
  objects: Record<StoredResource, Record<string, KubeObject>>;
  ebsDefaultClassMade?: boolean;
  nodeOverlays?: Record<string, NodeOverlay>;
  systemWorkloadsMade?: boolean;
  ebsWorkloadsMade?: boolean;
}

/** One cluster's Kubernetes side, as the API and the controllers see it. */
export interface KubeCtx {
  world: World;
  cluster: EksCluster;
  state: ClusterKubeState;
  timeScale: number;
}

export const NODE_READY_DELAY_MS = 45_000;
export const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';

export function clusterKey(c: EksCluster): string {
  return `${c.arn}@${c.createdAt}`;
}

export function kubeStates(world: World): Record<string, ClusterKubeState> {
  const s = world.serviceState<{ clusters: Record<string, ClusterKubeState> }>('kubernetes', () => ({ clusters: {} }));
  return s.clusters;
}

export function uid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function stamp(state: ClusterKubeState, obj: KubeObject, nowIso: string): KubeObject {
  state.resourceVersion += 1;
  obj.metadata.uid ??= uid(
    `${state.key}/${obj.kind}/${obj.metadata.namespace ?? ''}/${obj.metadata.name}/${state.resourceVersion}`,
  );
  obj.metadata.resourceVersion = String(state.resourceVersion);
  obj.metadata.creationTimestamp ??= nowIso.replace(/\.\d{3}Z$/, 'Z');
  return obj;
}

/** The objects a fresh EKS control plane has. */
export function initialObjects(state: ClusterKubeState, cluster: EksCluster, nowIso: string): void {
  for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    state.objects.namespaces[ns] = stamp(
      state,
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: ns, labels: { 'kubernetes.io/metadata.name': ns } },
        spec: { finalizers: ['kubernetes'] },
        status: { phase: 'Active' },
      },
      nowIso,
    );
    state.objects.serviceaccounts[`${ns}/default`] = stamp(
      state,
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: ns } },
      nowIso,
    );
  }
  const minor = Number(cluster.version.split('.')[1] ?? 0);
  state.objects.storageclasses.gp2 = stamp(
    state,
    {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'gp2', ...(minor < 30 ? { annotations: { [DEFAULT_CLASS_ANNOTATION]: 'true' } } : {}) },
      provisioner: 'kubernetes.io/aws-ebs',
      parameters: { fsType: 'ext4', type: 'gp2' },
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'WaitForFirstConsumer',
    },
    nowIso,
  );
}

/** Objects that appear because of AWS-side changes (add-ons). Called before every read. */
export function reconcileAddons(world: World, state: ClusterKubeState, cluster: EksCluster): void {
  if (state.ebsDefaultClassMade) return;
  const addon = world.data.eksAddons.find(
    (a) =>
      a.accountId === cluster.accountId &&
      a.region === cluster.region &&
      a.clusterName === cluster.name &&
      a.addonName === 'aws-ebs-csi-driver',
  );
  if (addon?.status !== 'ACTIVE') return;
  let wants = false;
  try {
    wants =
      (JSON.parse(addon.configurationValues ?? '{}') as { defaultStorageClass?: { enabled?: unknown } })
        .defaultStorageClass?.enabled === true;
  } catch {
    wants = false;
  }
  state.ebsDefaultClassMade = true;
  if (!wants || state.objects.storageclasses['ebs-csi-default-sc']) return;
  state.objects.storageclasses['ebs-csi-default-sc'] = stamp(
    state,
    {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: {
        name: 'ebs-csi-default-sc',
        annotations: { [DEFAULT_CLASS_ANNOTATION]: 'true' },
        labels: { 'app.kubernetes.io/name': 'aws-ebs-csi-driver', 'app.kubernetes.io/managed-by': 'EKS' },
      },
      provisioner: 'ebs.csi.aws.com',
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'WaitForFirstConsumer',
      allowVolumeExpansion: true,
    },
    addon.modifiedAt,
  );
}

function ipIn(cidr: string, n: number): string {
  const [base, bits] = cidr.split('/');
  const parts = base!.split('.').map(Number);
  const start = ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
  const size = 2 ** (32 - Number(bits ?? 24));
  const ip = (start + 10 + (n % Math.max(size - 16, 1))) >>> 0;
  return [ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255].join('.');
}

/** vCPUs, memory (MiB) and the VPC CNI's max pods of common instance types; others count as t3.medium. */
const SIZES: Record<string, [number, number, number]> = {
  't3.small': [2, 2048, 11],
  't3.medium': [2, 4096, 17],
  't3.large': [2, 8192, 35],
  't3.xlarge': [4, 16384, 58],
  'm5.large': [2, 8192, 29],
  'm5.xlarge': [4, 16384, 58],
  'm6i.large': [2, 8192, 29],
  'c5.large': [2, 4096, 29],
};

/** status.capacity/allocatable as the kubelet reports them (EKS AMI reservations for kube and system). */
function capacityOf(instanceType: string): { capacity: Record<string, string>; allocatable: Record<string, string> } {
  const [cpu, mib, pods] = SIZES[instanceType] ?? SIZES['t3.medium']!;
  const memKi = Math.round(mib * 1024 * 0.94);
  const reservedMi = 255 + 11 * pods + 100;
  return {
    capacity: {
      cpu: String(cpu),
      'ephemeral-storage': '20959212Ki',
      'hugepages-1Gi': '0',
      'hugepages-2Mi': '0',
      memory: `${memKi}Ki`,
      pods: String(pods),
    },
    allocatable: {
      cpu: `${cpu * 1000 - 70}m`,
      'ephemeral-storage': '18242267924',
      'hugepages-1Gi': '0',
      'hugepages-2Mi': '0',
      memory: `${memKi - reservedMi * 1024}Ki`,
      pods: String(pods),
    },
  };
}

/** Node objects of the cluster's managed node groups, as the kubelets registered them. */
export function nodesOf(world: World, cluster: EksCluster, timeScale: number): KubeObject[] {
  if (world.data.flags.nodesFailToJoin) return [];
  const now = world.now();
  const out: KubeObject[] = [];
  const groups = world.data.eksNodegroups.filter(
    (n) =>
      n.accountId === cluster.accountId &&
      n.region === cluster.region &&
      n.clusterName === cluster.name &&
      (n.status === 'ACTIVE' || n.status === 'UPDATING' || n.status === 'DEGRADED'),
  );
  for (const ng of groups) {
    const registered = Date.parse(ng.nodesLaunchedAt ?? ng.modifiedAt);
    const ready = now >= registered + NODE_READY_DELAY_MS / Math.max(timeScale, 1e-9);
    for (let i = 0; i < ng.scalingConfig.desiredSize; i++) {
      const seed = createHash('sha256').update(`${ng.nodegroupArn}/${i}`).digest();
      const subnetId = ng.subnets[seed[0]! % ng.subnets.length]!;
      const subnet = world.data.subnets.find((s) => s.subnetId === subnetId);
      const ip = ipIn(subnet?.cidrBlock ?? '10.0.0.0/16', seed.readUInt16BE(1));
      const host =
        cluster.region === 'us-east-1'
          ? `ip-${ip.replace(/\./g, '-')}.ec2.internal`
          : `ip-${ip.replace(/\./g, '-')}.${cluster.region}.compute.internal`;
      const instanceId = `i-${seed.toString('hex').slice(0, 17)}`;
      const zone = subnet?.availabilityZone ?? `${cluster.region}a`;
      const since = new Date(registered).toISOString().replace(/\.\d{3}Z$/, 'Z');
      const readySince = new Date(registered + NODE_READY_DELAY_MS / Math.max(timeScale, 1e-9))
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z');
      out.push({
        apiVersion: 'v1',
        kind: 'Node',
        metadata: {
          name: host,
          uid: uid(`${ng.nodegroupArn}/${i}`),
          resourceVersion: String(registered % 1_000_000),
          creationTimestamp: since,
          labels: {
            'beta.kubernetes.io/arch': 'amd64',
            'beta.kubernetes.io/os': 'linux',
            'eks.amazonaws.com/capacityType': ng.capacityType,
            'eks.amazonaws.com/nodegroup': ng.nodegroupName,
            'kubernetes.io/arch': 'amd64',
            'kubernetes.io/hostname': host,
            'kubernetes.io/os': 'linux',
            'node.kubernetes.io/instance-type': ng.instanceTypes[0] ?? 't3.medium',
            'topology.kubernetes.io/region': cluster.region,
            'topology.kubernetes.io/zone': zone,
          },
        },
        spec: { providerID: `aws:///${zone}/${instanceId}` },
        status: {
          addresses: [
            { type: 'InternalIP', address: ip },
            { type: 'Hostname', address: host },
          ],
          conditions: [
            {
              type: 'Ready',
              status: ready ? 'True' : 'False',
              reason: ready ? 'KubeletReady' : 'KubeletNotReady',
              message: ready
                ? 'kubelet is posting ready status'
                : 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized',
              lastHeartbeatTime: new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
              lastTransitionTime: ready ? readySince : since,
            },
          ],
          ...capacityOf(ng.instanceTypes[0] ?? 't3.medium'),
          nodeInfo: {
            architecture: 'amd64',
            containerRuntimeVersion: 'containerd://1.7.27',
            kernelVersion: '6.1.134-152.225.amzn2023.x86_64',
            kubeletVersion: `v${ng.version}.0-eks-${seed.toString('hex').slice(0, 7)}`,
            kubeProxyVersion: '',
            operatingSystem: 'linux',
            osImage: 'Amazon Linux 2023.7.20250512',
          },
        },
      });
    }
  }
  return out;
}

export function isDefaultClass(sc: KubeObject): boolean {
  return (
    sc.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true' ||
    sc.metadata.annotations?.['storageclass.beta.kubernetes.io/is-default-class'] === 'true'
  );
}
