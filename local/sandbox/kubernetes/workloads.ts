/**
 * The workload controllers of one cluster, run before every API answer (the sandbox has no clock of its
 * own; state is brought up to date when someone looks):
 *
 * - System workloads EKS runs: CoreDNS (Deployment, 2 replicas, PodDisruptionBudget maxUnavailable 1),
 *   aws-node and kube-proxy (DaemonSets), and when the aws-ebs-csi-driver add-on is ACTIVE its controller
 *   (Deployment, 2 replicas, PDB) and node DaemonSet.
 * - DaemonSet controller: one pod per node (Ready or not), bound at creation.
 * - Deployment controller + scheduler: spec.replicas pods (ReplicaSet-named `<deploy>-<hash>-<xxxxx>`),
 *   bound to Ready, schedulable nodes matching nodeSelector, spread (fewest pods of that Deployment
 *   first); Pending/Unschedulable when no node fits, bound when one does. A changed pod template replaces
 *   the pods at once (no surge/rolling pace).
 * - Pod GC: pods of nodes that are gone (or re-registered) are deleted, and their controllers make new ones.
 * - Pods are Running and Ready as soon as they are bound to a Ready node (no image pulls, no probes).
 * - PodDisruptionBudget status (disruption controller): see pdb.ts.
 */
import { createHash } from 'node:crypto';
import { type KubeCtx, type KubeObject, type NodeOverlay, nodesOf, STORED, stamp } from './objects.js';
import { refreshPdbStatuses } from './pdb.js';
import type { LabelSelector } from './selectors.js';

const SAFE = 'bcdfghjklmnpqrstvwxz2456789';

/** Kubernetes' SafeEncodeString alphabet: names like `coredns-5d78c9869d-x7k2p`. */
function safe(seed: string, n: number): string {
  const h = createHash('sha256').update(seed).digest();
  let s = '';
  for (let i = 0; i < n; i++) s += SAFE[h[i]! % SAFE.length];
  return s;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function ensureStores(ctx: KubeCtx): void {
  for (const r of STORED) ctx.state.objects[r] ??= {};
  ctx.state.nodeOverlays ??= {};
}

// ----- nodes -----------------------------------------------------------------------------------------

/** Nodes as the API shows them: derived from the node groups, plus the edits made through the API. */
export function nodesNow(ctx: KubeCtx): KubeObject[] {
  ensureStores(ctx);
  const overlays = ctx.state.nodeOverlays!;
  const nodes = nodesOf(ctx.world, ctx.cluster, ctx.timeScale);
  for (const n of nodes) {
    const o = overlays[n.metadata.name];
    if (!o) continue;
    if (o.creationTimestamp !== n.metadata.creationTimestamp) {
      delete overlays[n.metadata.name];
      continue;
    }
    n.metadata.resourceVersion = o.resourceVersion;
    if (o.labels) n.metadata.labels = o.labels;
    if (o.annotations) n.metadata.annotations = o.annotations;
    const spec = n.spec as Record<string, unknown>;
    if (o.unschedulable) spec['unschedulable'] = true;
    if (o.taints?.length) spec['taints'] = o.taints;
  }
  return nodes;
}

/** Keep what a PATCH/PUT changed on a node (labels, annotations, unschedulable, taints). */
export function saveNodeEdit(ctx: KubeCtx, node: KubeObject): KubeObject {
  ensureStores(ctx);
  ctx.state.resourceVersion += 1;
  const spec = (node.spec ?? {}) as { unschedulable?: boolean; taints?: unknown[] };
  const overlay: NodeOverlay = {
    creationTimestamp: node.metadata.creationTimestamp!,
    resourceVersion: String(ctx.state.resourceVersion),
    labels: node.metadata.labels ?? {},
    annotations: node.metadata.annotations ?? {},
    ...(spec.unschedulable ? { unschedulable: true } : {}),
    ...(spec.taints?.length ? { taints: spec.taints } : {}),
  };
  ctx.state.nodeOverlays![node.metadata.name] = overlay;
  return nodesNow(ctx).find((n) => n.metadata.name === node.metadata.name)!;
}

export function nodeReady(n: KubeObject | undefined): boolean {
  return (
    (n?.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions?.find(
      (c) => c.type === 'Ready',
    )?.status === 'True'
  );
}

function nodeIp(n: KubeObject): string {
  return (
    (n.status as { addresses: { type: string; address: string }[] }).addresses.find((a) => a.type === 'InternalIP')
      ?.address ?? '10.0.0.10'
  );
}

// ----- pods ------------------------------------------------------------------------------------------

export function podReady(p: KubeObject): boolean {
  return (
    (p.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions?.find(
      (c) => c.type === 'Ready',
    )?.status === 'True'
  );
}

export function podsOf(ctx: KubeCtx): KubeObject[] {
  return Object.values(ctx.state.objects.pods);
}

export function controllerOf(p: KubeObject): { kind: string; name: string; uid: string } | undefined {
  const refs = (p.metadata['ownerReferences'] ?? []) as {
    kind: string;
    name: string;
    uid: string;
    controller?: boolean;
  }[];
  return refs.find((r) => r.controller);
}

function setIfChanged(ctx: KubeCtx, obj: KubeObject, field: string, value: unknown): void {
  if (JSON.stringify(obj[field]) === JSON.stringify(value)) return;
  obj[field] = value;
  ctx.state.resourceVersion += 1;
  obj.metadata.resourceVersion = String(ctx.state.resourceVersion);
}

/** The scheduler's FailedScheduling message: why each node did not fit, counted by reason. */
function unschedulableMessage(pod: KubeObject, nodes: KubeObject[]): string {
  if (!nodes.length) return 'no nodes available to schedule pods';
  const sel = ((pod.spec as { nodeSelector?: Record<string, string> }).nodeSelector ?? {}) as Record<string, string>;
  const reasons = new Map<string, number>();
  for (const n of nodes) {
    const why = !nodeReady(n)
      ? 'node(s) had untolerated taint {node.kubernetes.io/not-ready: }'
      : (n.spec as { unschedulable?: boolean }).unschedulable
        ? 'node(s) were unschedulable'
        : !Object.entries(sel).every(([k, v]) => n.metadata.labels?.[k] === v)
          ? "node(s) didn't match Pod's node affinity/selector"
          : 'node(s) were being drained';
    reasons.set(why, (reasons.get(why) ?? 0) + 1);
  }
  const list = [...reasons.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([why, k]) => `${k} ${why}`)
    .join(', ');
  return `0/${nodes.length} nodes are available: ${list}. preemption: 0/${nodes.length} nodes are available: ${nodes.length} Preemption is not helpful for scheduling.`;
}

/** Status of a pod given its node: Running/Ready on a Ready node, ContainerCreating on a NotReady one. */
function podStatus(pod: KubeObject, node: KubeObject | undefined, nodes: KubeObject[]): unknown {
  const spec = pod.spec as { containers: { name: string; image: string }[]; hostNetwork?: boolean; nodeName?: string };
  const created = pod.metadata.creationTimestamp!;
  if (!spec.nodeName) {
    return {
      phase: 'Pending',
      qosClass: 'BestEffort',
      conditions: [
        {
          type: 'PodScheduled',
          status: 'False',
          reason: 'Unschedulable',
          message: unschedulableMessage(pod, nodes),
          lastProbeTime: null,
          lastTransitionTime: created,
        },
      ],
    };
  }
  const ip = node ? nodeIp(node) : '';
  const podIP =
    spec.hostNetwork || !node
      ? ip
      : ip.replace(
          /\.\d+\.\d+$/,
          `.${(createHash('sha256').update(pod.metadata.name).digest()[0]! % 200) + 20}.${(createHash('sha256').update(pod.metadata.name).digest()[1]! % 250) + 2}`,
        );
  const ready = nodeReady(node);
  const t = ready ? created : created;
  const cond = (type: string, ok: boolean) => ({
    type,
    status: ok ? 'True' : 'False',
    lastProbeTime: null,
    lastTransitionTime: t,
    ...(ok || type === 'PodScheduled' || type === 'Initialized'
      ? {}
      : {
          reason: 'ContainersNotReady',
          message: `containers with unready status: [${spec.containers.map((c) => c.name).join(' ')}]`,
        }),
  });
  return {
    phase: ready ? 'Running' : 'Pending',
    conditions: [
      cond('PodReadyToStartContainers', ready),
      cond('Initialized', true),
      cond('Ready', ready),
      cond('ContainersReady', ready),
      cond('PodScheduled', true),
    ],
    hostIP: ip,
    hostIPs: [{ ip }],
    podIP,
    podIPs: [{ ip: podIP }],
    startTime: created,
    qosClass: 'BestEffort',
    containerStatuses: spec.containers.map((c) => ({
      name: c.name,
      image: c.image,
      imageID: ready ? `${c.image.split(':')[0]}@sha256:${createHash('sha256').update(c.image).digest('hex')}` : '',
      ready,
      started: ready,
      restartCount: 0,
      ...(ready
        ? { containerID: `containerd://${createHash('sha256').update(`${pod.metadata.uid}/${c.name}`).digest('hex')}` }
        : {}),
      state: ready ? { running: { startedAt: created } } : { waiting: { reason: 'ContainerCreating' } },
    })),
  };
}

function podDefaults(spec: Record<string, unknown>): Record<string, unknown> {
  const containers = ((spec['containers'] ?? []) as Record<string, unknown>[]).map((c) => ({
    imagePullPolicy: 'IfNotPresent',
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    resources: {},
    ...c,
  }));
  return {
    restartPolicy: 'Always',
    terminationGracePeriodSeconds: 30,
    dnsPolicy: 'ClusterFirst',
    serviceAccountName: 'default',
    serviceAccount: (spec['serviceAccountName'] as string | undefined) ?? 'default',
    securityContext: {},
    schedulerName: 'default-scheduler',
    enableServiceLinks: true,
    preemptionPolicy: 'PreemptLowerPriority',
    priority: 0,
    tolerations: [
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ],
    ...spec,
    containers,
  };
}

function makePod(
  ctx: KubeCtx,
  args: {
    namespace: string;
    name: string;
    generateName: string;
    labels: Record<string, string>;
    owner: { apiVersion: string; kind: string; name: string; uid: string };
    spec: Record<string, unknown>;
    nodeName?: string;
    createdAt: string;
  },
): KubeObject {
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: args.name,
      generateName: args.generateName,
      namespace: args.namespace,
      labels: args.labels,
      ownerReferences: [{ ...args.owner, controller: true, blockOwnerDeletion: true }],
      creationTimestamp: args.createdAt,
    },
    spec: { ...podDefaults(args.spec), ...(args.nodeName ? { nodeName: args.nodeName } : {}) },
  };
  stamp(ctx.state, pod, ctx.world.nowIso());
  ctx.state.objects.pods[`${args.namespace}/${args.name}`] = pod;
  return pod;
}

export function deletePod(ctx: KubeCtx, pod: KubeObject): void {
  delete ctx.state.objects.pods[`${pod.metadata.namespace}/${pod.metadata.name}`];
  ctx.state.resourceVersion += 1;
}

// ----- system workloads --------------------------------------------------------------------------------

const ECR = (region: string) => `602401143452.dkr.ecr.${region}.amazonaws.com`;

function systemDeployment(
  name: string,
  labels: Record<string, string>,
  replicas: number,
  containers: { name: string; image: string }[],
): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'kube-system', labels: { ...labels, 'eks.amazonaws.com/component': name } },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers, priorityClassName: 'system-cluster-critical', serviceAccountName: name },
      },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: '25%' } },
    },
  };
}

function systemDaemonSet(
  name: string,
  labels: Record<string, string>,
  containers: { name: string; image: string }[],
  hostNetwork: boolean,
): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace: 'kube-system', labels },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers,
          priorityClassName: 'system-node-critical',
          serviceAccountName: name,
          ...(hostNetwork ? { hostNetwork: true } : {}),
        },
      },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%', maxSurge: 0 } },
    },
  };
}

function systemPdb(name: string, labels: Record<string, string>): KubeObject {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name, namespace: 'kube-system', labels },
    spec: { maxUnavailable: 1, selector: { matchLabels: labels } },
  };
}

function put(
  ctx: KubeCtx,
  resource: 'deployments' | 'daemonsets' | 'poddisruptionbudgets',
  obj: KubeObject,
  createdAt: string,
): void {
  const key = `${obj.metadata.namespace}/${obj.metadata.name}`;
  if (ctx.state.objects[resource][key]) return;
  obj.metadata.creationTimestamp = createdAt;
  if (resource !== 'poddisruptionbudgets') {
    obj.metadata['generation'] = 1;
    if (resource === 'deployments') obj.metadata.annotations = { 'deployment.kubernetes.io/revision': '1' };
  } else obj.metadata['generation'] = 1;
  ctx.state.objects[resource][key] = stamp(ctx.state, obj, ctx.world.nowIso());
}

function ensureSystemWorkloads(ctx: KubeCtx): void {
  const { cluster, state } = ctx;
  const r = cluster.region;
  const since = iso(Date.parse(cluster.createdAt));
  const minor = cluster.version;
  if (!state.systemWorkloadsMade) {
    state.systemWorkloadsMade = true;
    const dns = { 'k8s-app': 'kube-dns' };
    put(
      ctx,
      'deployments',
      systemDeployment('coredns', dns, 2, [{ name: 'coredns', image: `${ECR(r)}/eks/coredns:v1.11.4-eksbuild.2` }]),
      since,
    );
    put(ctx, 'poddisruptionbudgets', systemPdb('coredns', { ...dns, 'eks.amazonaws.com/component': 'coredns' }), since);
    (state.objects.poddisruptionbudgets['kube-system/coredns']!.spec as { selector: LabelSelector }).selector = {
      matchLabels: { ...dns, 'eks.amazonaws.com/component': 'coredns' },
    };
    // CoreDNS pods carry both labels (the PDB selects on both).
    const tpl = (
      state.objects.deployments['kube-system/coredns']!.spec as {
        template: { metadata: { labels: Record<string, string> } };
      }
    ).template;
    tpl.metadata.labels = { ...dns, 'eks.amazonaws.com/component': 'coredns' };
    put(
      ctx,
      'daemonsets',
      systemDaemonSet(
        'aws-node',
        { 'k8s-app': 'aws-node' },
        [
          { name: 'aws-node', image: `${ECR(r)}/amazon-k8s-cni:v1.19.2-eksbuild.1` },
          { name: 'aws-eks-nodeagent', image: `${ECR(r)}/amazon/aws-network-policy-agent:v1.1.6-eksbuild.1` },
        ],
        true,
      ),
      since,
    );
    put(
      ctx,
      'daemonsets',
      systemDaemonSet(
        'kube-proxy',
        { 'k8s-app': 'kube-proxy' },
        [{ name: 'kube-proxy', image: `${ECR(r)}/eks/kube-proxy:v${minor}.0-minimal-eksbuild.2` }],
        true,
      ),
      since,
    );
  }
  if (!state.ebsWorkloadsMade) {
    const addon = ctx.world.data.eksAddons.find(
      (a) =>
        a.accountId === cluster.accountId &&
        a.region === r &&
        a.clusterName === cluster.name &&
        a.addonName === 'aws-ebs-csi-driver',
    );
    if (addon?.status === 'ACTIVE') {
      state.ebsWorkloadsMade = true;
      const at = iso(Date.parse(addon.modifiedAt));
      const ctl = { app: 'ebs-csi-controller', 'app.kubernetes.io/name': 'aws-ebs-csi-driver' };
      const img = (n: string, v: string) => ({
        name: n,
        image: `${ECR(r)}/eks/${n === 'ebs-plugin' ? 'aws-ebs-csi-driver' : n}:${v}`,
      });
      put(
        ctx,
        'deployments',
        systemDeployment('ebs-csi-controller', ctl, 2, [
          img('ebs-plugin', 'v1.41.0'),
          img('csi-provisioner', 'v5.2.0-eks-1-33-1'),
          img('csi-attacher', 'v4.8.1-eks-1-33-1'),
          img('csi-snapshotter', 'v8.2.1-eks-1-33-1'),
          img('csi-resizer', 'v1.13.2-eks-1-33-1'),
          img('livenessprobe', 'v2.15.0-eks-1-33-1'),
        ]),
        at,
      );
      put(ctx, 'poddisruptionbudgets', systemPdb('ebs-csi-controller', ctl), at);
      put(
        ctx,
        'daemonsets',
        systemDaemonSet(
          'ebs-csi-node',
          { app: 'ebs-csi-node', 'app.kubernetes.io/name': 'aws-ebs-csi-driver' },
          [
            img('ebs-plugin', 'v1.41.0'),
            img('csi-node-driver-registrar', 'v2.13.0-eks-1-33-1'),
            img('livenessprobe', 'v2.15.0-eks-1-33-1'),
          ],
          false,
        ),
        at,
      );
    }
  }
}

// ----- controllers -----------------------------------------------------------------------------------

export function templateHash(d: KubeObject): string {
  return safe(JSON.stringify((d.spec as { template?: unknown }).template ?? {}), 10);
}

/** Ready, schedulable nodes that match the pod's nodeSelector, fewest pods of this owner first. */
function pickNode(
  ctx: KubeCtx,
  nodes: KubeObject[],
  spec: Record<string, unknown>,
  ownerPrefix: string,
  avoid?: string,
): KubeObject | undefined {
  const sel = (spec['nodeSelector'] ?? {}) as Record<string, string>;
  const fits = nodes.filter(
    (n) =>
      nodeReady(n) &&
      !(n.spec as { unschedulable?: boolean }).unschedulable &&
      n.metadata.name !== avoid &&
      Object.entries(sel).every(([k, v]) => n.metadata.labels?.[k] === v),
  );
  const pods = podsOf(ctx);
  const count = (n: KubeObject, own: boolean) =>
    pods.filter(
      (p) =>
        (p.spec as { nodeName?: string }).nodeName === n.metadata.name &&
        (!own || p.metadata.name.startsWith(ownerPrefix)),
    ).length;
  return fits.sort(
    (a, b) =>
      count(a, true) - count(b, true) ||
      count(a, false) - count(b, false) ||
      a.metadata.name.localeCompare(b.metadata.name),
  )[0];
}

function runDaemonSets(ctx: KubeCtx, nodes: KubeObject[]): void {
  for (const ds of Object.values(ctx.state.objects.daemonsets)) {
    const ns = ds.metadata.namespace!;
    const tpl = (
      ds.spec as { template: { metadata?: { labels?: Record<string, string> }; spec: Record<string, unknown> } }
    ).template;
    const mine = podsOf(ctx).filter((p) => p.metadata.namespace === ns && controllerOf(p)?.uid === ds.metadata.uid);
    for (const n of nodes) {
      if (mine.some((p) => (p.spec as { nodeName?: string }).nodeName === n.metadata.name)) continue;
      const name = `${ds.metadata.name}-${safe(`${ds.metadata.uid}/${n.metadata.name}/${n.metadata.creationTimestamp}`, 5)}`;
      const created = [n.metadata.creationTimestamp!, ds.metadata.creationTimestamp!].sort().pop()!;
      makePod(ctx, {
        namespace: ns,
        name,
        generateName: `${ds.metadata.name}-`,
        labels: { ...(tpl.metadata?.labels ?? {}), 'controller-revision-hash': safe(JSON.stringify(tpl), 10) },
        owner: { apiVersion: 'apps/v1', kind: 'DaemonSet', name: ds.metadata.name, uid: ds.metadata.uid! },
        spec: tpl.spec,
        nodeName: n.metadata.name,
        createdAt: created,
      });
    }
    const pods = podsOf(ctx).filter((p) => p.metadata.namespace === ns && controllerOf(p)?.uid === ds.metadata.uid);
    const ready = pods.filter(podReady).length;
    setIfChanged(ctx, ds, 'status', {
      currentNumberScheduled: pods.length,
      desiredNumberScheduled: nodes.length,
      numberMisscheduled: 0,
      numberReady: ready,
      numberAvailable: ready,
      ...(pods.length - ready ? { numberUnavailable: pods.length - ready } : {}),
      updatedNumberScheduled: pods.length,
      observedGeneration: ds.metadata['generation'] ?? 1,
    });
  }
}

function runDeployments(ctx: KubeCtx, nodes: KubeObject[], avoidNode?: string): void {
  const now = ctx.world.nowIso().replace(/\.\d{3}Z$/, 'Z');
  for (const d of Object.values(ctx.state.objects.deployments)) {
    const ns = d.metadata.namespace!;
    const spec = d.spec as {
      replicas?: number;
      template: { metadata?: { labels?: Record<string, string> }; spec: Record<string, unknown> };
    };
    const want = spec.replicas ?? 1;
    const hash = templateHash(d);
    const rs = `${d.metadata.name}-${hash}`;
    const rsUid = createHash('sha256').update(`${d.metadata.uid}/${hash}`).digest('hex');
    const owned = () =>
      podsOf(ctx).filter(
        (p) =>
          p.metadata.namespace === ns &&
          controllerOf(p)?.kind === 'ReplicaSet' &&
          controllerOf(p)!.name.startsWith(`${d.metadata.name}-`) &&
          (p.metadata['labels'] as Record<string, string> | undefined)?.['pod-template-hash'] !== undefined &&
          controllerOf(p)!.name.slice(d.metadata.name.length + 1).length === 10,
      );
    // A changed template: the old ReplicaSet's pods go.
    for (const p of owned()) if (controllerOf(p)!.name !== rs) deletePod(ctx, p);
    let pods = owned();
    // Scale down: unscheduled first, then not Ready, then newest.
    const excess = pods.length - want;
    if (excess > 0) {
      const order = [...pods].sort(
        (a, b) =>
          Number(!!(a.spec as { nodeName?: string }).nodeName) - Number(!!(b.spec as { nodeName?: string }).nodeName) ||
          Number(podReady(a)) - Number(podReady(b)) ||
          (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''),
      );
      for (const p of order.slice(0, excess)) deletePod(ctx, p);
    }
    for (let i = pods.length; i < want; i++) {
      let name = '';
      for (let k = 0; !name || ctx.state.objects.pods[`${ns}/${name}`]; k++)
        name = `${rs}-${safe(`${rsUid}/${ctx.state.resourceVersion}/${k}`, 5)}`;
      const node = pickNode(ctx, nodes, spec.template.spec, `${rs}-`, avoidNode);
      makePod(ctx, {
        namespace: ns,
        name,
        generateName: `${rs}-`,
        labels: { ...(spec.template.metadata?.labels ?? {}), 'pod-template-hash': hash },
        owner: {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: rs,
          uid: `${rsUid.slice(0, 8)}-${rsUid.slice(8, 12)}-4${rsUid.slice(13, 16)}-a${rsUid.slice(17, 20)}-${rsUid.slice(20, 32)}`,
        },
        spec: spec.template.spec,
        ...(node ? { nodeName: node.metadata.name } : {}),
        createdAt: now,
      });
    }
    // Bind pending pods to nodes that fit now.
    for (const p of owned()) {
      const ps = p.spec as Record<string, unknown>;
      if (ps['nodeName']) continue;
      const node = pickNode(ctx, nodes, ps, `${rs}-`, avoidNode);
      if (node) setIfChanged(ctx, p, 'spec', { ...ps, nodeName: node.metadata.name });
    }
    pods = owned();
    const ready = pods.filter(podReady).length;
    // Available when at least replicas − maxUnavailable (default 25%, rounded down) pods are available.
    const mu = ((d.spec as { strategy?: { rollingUpdate?: { maxUnavailable?: number | string } } }).strategy
      ?.rollingUpdate?.maxUnavailable ?? '25%') as number | string;
    const maxUnavailable = typeof mu === 'number' ? mu : Math.floor((parseInt(mu, 10) * want) / 100);
    const available = ready >= want - maxUnavailable;
    const statusNow = {
      observedGeneration: d.metadata['generation'] ?? 1,
      ...(pods.length ? { replicas: pods.length, updatedReplicas: pods.length } : {}),
      ...(ready ? { readyReplicas: ready, availableReplicas: ready } : {}),
      ...(pods.length - ready > 0 ? { unavailableReplicas: pods.length - ready } : {}),
      conditions: [
        {
          type: 'Available',
          status: available ? 'True' : 'False',
          reason: available ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
          message: available
            ? 'Deployment has minimum availability.'
            : 'Deployment does not have minimum availability.',
        },
        {
          type: 'Progressing',
          status: 'True',
          reason: ready === want ? 'NewReplicaSetAvailable' : 'ReplicaSetUpdated',
          message:
            ready === want ? `ReplicaSet "${rs}" has successfully progressed.` : `ReplicaSet "${rs}" is progressing.`,
        },
      ],
    };
    const prev = (d.status ?? {}) as {
      conditions?: { type: string; status: string; lastTransitionTime?: string; lastUpdateTime?: string }[];
    };
    for (const c of statusNow.conditions as Record<string, unknown>[]) {
      const old = prev.conditions?.find((x) => x.type === c['type']);
      c['lastUpdateTime'] = old && old.status === c['status'] ? old.lastUpdateTime : now;
      c['lastTransitionTime'] = old && old.status === c['status'] ? old.lastTransitionTime : now;
    }
    setIfChanged(ctx, d, 'status', statusNow);
  }
}

/** Bring pods, DaemonSets, Deployments and PDB statuses up to date with the nodes as they are now. */
export function reconcileWorkloads(ctx: KubeCtx, avoidNode?: string): void {
  ensureStores(ctx);
  ensureSystemWorkloads(ctx);
  const nodes = nodesNow(ctx);
  const byName = new Map(nodes.map((n) => [n.metadata.name, n]));
  // Pod GC: the node is gone, or it re-registered after the pod was bound.
  for (const p of podsOf(ctx)) {
    const nodeName = (p.spec as { nodeName?: string }).nodeName;
    if (!nodeName) continue;
    const n = byName.get(nodeName);
    if (!n || (n.metadata.creationTimestamp ?? '') > (p.metadata.creationTimestamp ?? '')) deletePod(ctx, p);
  }
  runDaemonSets(ctx, nodes);
  runDeployments(ctx, nodes, avoidNode);
  for (const p of podsOf(ctx))
    setIfChanged(ctx, p, 'status', podStatus(p, byName.get((p.spec as { nodeName?: string }).nodeName ?? ''), nodes));
  // Statuses that depend on pod readiness, after it is known.
  runDaemonSets(ctx, nodes);
  runDeployments(ctx, nodes);
  refreshPdbStatuses(ctx);
}
