/**
 * Server-side tables (`Accept: application/json;as=Table;g=meta.k8s.io;v=v1`, what `kubectl get` asks
 * for): the columns kube-apiserver's printers register for each resource (pkg/printers/internalversion),
 * with `-o wide` columns at priority 1. kubectl adds NAMESPACE itself for `-A`.
 */
import { isDefaultClass, type KubeObject } from './objects.js';

type PodStatus = {
  phase?: string;
  podIP?: string;
  containerStatuses?: {
    ready?: boolean;
    restartCount?: number;
    state?: { waiting?: { reason?: string }; terminated?: { reason?: string } };
  }[];
};
type WorkloadStatus = { readyReplicas?: number; updatedReplicas?: number; availableReplicas?: number };

function templateContainers(o: KubeObject): { name: string; image: string }[] {
  return (
    (o.spec as { template?: { spec?: { containers?: { name: string; image: string }[] } } }).template?.spec
      ?.containers ?? []
  );
}

/** The STATUS column: Terminating, a waiting/terminated container's reason, else the phase. */
function podPhaseCell(o: KubeObject): string {
  if (o.metadata['deletionTimestamp']) return 'Terminating';
  const st = (o.status ?? {}) as PodStatus & { conditions?: { type: string; reason?: string; status: string }[] };
  for (const c of st.containerStatuses ?? []) {
    const r = c.state?.waiting?.reason ?? c.state?.terminated?.reason;
    if (r) return r;
  }
  return st.phase ?? 'Pending';
}

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
          cell: (o) =>
            (o.status as { conditions?: { type: string; status: string }[] }).conditions?.find(
              (c) => c.type === 'Ready',
            )?.status === 'True'
              ? 'Ready'
              : 'NotReady',
        },
        { name: 'Roles', type: 'string', cell: () => '<none>' },
        ageCol,
        {
          name: 'Version',
          type: 'string',
          cell: (o) => (o.status as { nodeInfo: { kubeletVersion: string } }).nodeInfo.kubeletVersion,
        },
        {
          name: 'Internal-IP',
          type: 'string',
          priority: 1,
          cell: (o) =>
            (o.status as { addresses: { type: string; address: string }[] }).addresses.find(
              (a) => a.type === 'InternalIP',
            )?.address ?? '<none>',
        },
        {
          name: 'OS-Image',
          type: 'string',
          priority: 1,
          cell: (o) => (o.status as { nodeInfo: { osImage: string } }).nodeInfo.osImage,
        },
      ];
    case 'namespaces':
      return [
        name,
        {
          name: 'Status',
          type: 'string',
          cell: (o) => (o.status as { phase?: string } | undefined)?.phase ?? 'Active',
        },
        ageCol,
      ];
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
      return [
        name,
        { name: 'Secrets', type: 'string', cell: (o) => (Array.isArray(o.secrets) ? o.secrets.length : 0) },
        ageCol,
      ];
    case 'rolebindings':
      return [
        name,
        {
          name: 'Role',
          type: 'string',
          cell: (o) => `${(o.roleRef as { kind: string }).kind}/${(o.roleRef as { name: string }).name}`,
        },
        ageCol,
      ];
    case 'pods':
      return [
        name,
        {
          name: 'Ready',
          type: 'string',
          cell: (o) => {
            const cs = (o.status as PodStatus | undefined)?.containerStatuses ?? [];
            return `${cs.filter((c) => c.ready).length}/${(o.spec as { containers: unknown[] }).containers.length}`;
          },
        },
        { name: 'Status', type: 'string', cell: (o) => podPhaseCell(o) },
        {
          name: 'Restarts',
          type: 'string',
          cell: (o) =>
            String(
              ((o.status as PodStatus | undefined)?.containerStatuses ?? []).reduce(
                (a, c) => a + (c.restartCount ?? 0),
                0,
              ),
            ),
        },
        ageCol,
        {
          name: 'IP',
          type: 'string',
          priority: 1,
          cell: (o) => (o.status as PodStatus | undefined)?.podIP ?? '<none>',
        },
        {
          name: 'Node',
          type: 'string',
          priority: 1,
          cell: (o) => (o.spec as { nodeName?: string }).nodeName ?? '<none>',
        },
        { name: 'Nominated Node', type: 'string', priority: 1, cell: () => '<none>' },
        { name: 'Readiness Gates', type: 'string', priority: 1, cell: () => '<none>' },
      ];
    case 'deployments':
      return [
        name,
        {
          name: 'Ready',
          type: 'string',
          cell: (o) =>
            `${(o.status as WorkloadStatus | undefined)?.readyReplicas ?? 0}/${(o.spec as { replicas?: number }).replicas ?? 1}`,
        },
        {
          name: 'Up-to-date',
          type: 'integer',
          cell: (o) => (o.status as WorkloadStatus | undefined)?.updatedReplicas ?? 0,
        },
        {
          name: 'Available',
          type: 'integer',
          cell: (o) => (o.status as WorkloadStatus | undefined)?.availableReplicas ?? 0,
        },
        ageCol,
        {
          name: 'Containers',
          type: 'string',
          priority: 1,
          cell: (o) =>
            templateContainers(o)
              .map((c) => c.name)
              .join(','),
        },
        {
          name: 'Images',
          type: 'string',
          priority: 1,
          cell: (o) =>
            templateContainers(o)
              .map((c) => c.image)
              .join(','),
        },
        {
          name: 'Selector',
          type: 'string',
          priority: 1,
          cell: (o) =>
            Object.entries(
              (o.spec as { selector?: { matchLabels?: Record<string, string> } }).selector?.matchLabels ?? {},
            )
              .map(([k, v]) => `${k}=${v}`)
              .join(','),
        },
      ];
    case 'daemonsets': {
      const n = (f: string) => (o: KubeObject) => ((o.status ?? {}) as Record<string, number>)[f] ?? 0;
      return [
        name,
        { name: 'Desired', type: 'integer', cell: n('desiredNumberScheduled') },
        { name: 'Current', type: 'integer', cell: n('currentNumberScheduled') },
        { name: 'Ready', type: 'integer', cell: n('numberReady') },
        { name: 'Up-to-date', type: 'integer', cell: n('updatedNumberScheduled') },
        { name: 'Available', type: 'integer', cell: n('numberAvailable') },
        {
          name: 'Node Selector',
          type: 'string',
          cell: (o) =>
            Object.entries(
              (o.spec as { template: { spec: { nodeSelector?: Record<string, string> } } }).template.spec
                .nodeSelector ?? {},
            )
              .map(([k, v]) => `${k}=${v}`)
              .join(',') || '<none>',
        },
        ageCol,
      ];
    }
    case 'poddisruptionbudgets':
      return [
        name,
        {
          name: 'Min Available',
          type: 'string',
          cell: (o) => String((o.spec as { minAvailable?: unknown }).minAvailable ?? 'N/A'),
        },
        {
          name: 'Max Unavailable',
          type: 'string',
          cell: (o) => String((o.spec as { maxUnavailable?: unknown }).maxUnavailable ?? 'N/A'),
        },
        {
          name: 'Allowed Disruptions',
          type: 'integer',
          cell: (o) => (o.status as { disruptionsAllowed?: number } | undefined)?.disruptionsAllowed ?? 0,
        },
        ageCol,
      ];
    default:
      return [name, ageCol];
  }
}

export function table(resource: string, items: KubeObject[], now: number, rv: string): unknown {
  const cols = columns(resource, now);
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: rv },
    columnDefinitions: cols.map((c) => ({
      name: c.name,
      type: c.type,
      format: c.format ?? '',
      description: '',
      priority: c.priority ?? 0,
    })),
    rows: items.map((o) => ({
      cells: cols.map((c) => c.cell(o)),
      object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  };
}
