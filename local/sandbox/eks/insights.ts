/**
 * EKS upgrade insights (ListInsights / DescribeInsight, category UPGRADE_READINESS): the checks EKS runs
 * against the next Kubernetes minor. Statuses follow the world: node groups behind the control plane make
 * "Kubelet version skew" a WARNING; the world flag `upgradeInsightError` makes "Deprecated APIs removed in
 * Kubernetes v<next>" an ERROR with deprecation details (a client still calling a removed API), as EKS
 * reports when its audit logs show such calls.
 */
import { createHash } from 'node:crypto';
import type { EksCluster } from '../world/types.js';
import type { World } from '../world/world.js';

export interface InsightOut {
  id: string;
  name: string;
  category: 'UPGRADE_READINESS';
  kubernetesVersion: string;
  lastRefreshTime: string;
  lastTransitionTime: string;
  description: string;
  insightStatus: { status: 'PASSING' | 'WARNING' | 'ERROR' | 'UNKNOWN'; reason: string };
  recommendation?: string;
  additionalInfo?: Record<string, string>;
  resources?: unknown[];
  categorySpecificSummary?: { deprecationDetails?: unknown[]; addonCompatibilityDetails?: unknown[] };
}

function insightId(cluster: EksCluster, check: string): string {
  const h = createHash('sha256').update(`${cluster.arn}/${check}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function insightsFor(world: World, cluster: EksCluster): InsightOut[] {
  const [major, minor] = cluster.version.split('.').map(Number) as [number, number];
  const next = `${major}.${minor + 1}`;
  const refreshed = cluster.createdAt;
  const now = world.nowIso();
  const behind = world.data.eksNodegroups.filter(
    (n) =>
      n.accountId === cluster.accountId &&
      n.region === cluster.region &&
      n.clusterName === cluster.name &&
      n.version !== cluster.version,
  );
  const deprecatedError = !!world.data.flags.upgradeInsightError;
  const base = (check: string, name: string, description: string, kubernetesVersion: string) => ({
    id: insightId(cluster, check),
    name,
    category: 'UPGRADE_READINESS' as const,
    kubernetesVersion,
    lastRefreshTime: now,
    lastTransitionTime: refreshed,
    description,
  });
  return [
    {
      ...base(
        'deprecated-apis',
        `Deprecated APIs removed in Kubernetes v${next}`,
        `Checks for usage of deprecated APIs that are scheduled for removal in Kubernetes v${next}. Upgrading your cluster before migrating to the updated APIs supported by v${next} could cause application impact.`,
        next,
      ),
      insightStatus: deprecatedError
        ? {
            status: 'ERROR',
            reason: `Deprecated API usage detected within last 30 days and your cluster is on Kubernetes v${cluster.version}.`,
          }
        : { status: 'PASSING', reason: 'No deprecated API usage detected within the last 30 days.' },
      recommendation: `Update manifests and API clients to use newer Kubernetes APIs if applicable before upgrading to Kubernetes v${next}.`,
      additionalInfo: {
        'Kubernetes API deprecation guide': 'https://kubernetes.io/docs/reference/using-api/deprecation-guide/',
      },
      resources: [],
      categorySpecificSummary: {
        deprecationDetails: deprecatedError
          ? [
              {
                usage: '/apis/flowcontrol.apiserver.k8s.io/v1beta3/flowschemas',
                replacedWith: '/apis/flowcontrol.apiserver.k8s.io/v1/flowschemas',
                stopServingVersion: next,
                startServingReplacementVersion: '1.29',
                clientStats: [{ userAgent: 'legacy-operator', numberOfRequestsLast30Days: 1440, lastRequestTime: now }],
              },
            ]
          : [],
        addonCompatibilityDetails: [],
      },
    },
    {
      ...base(
        'kubelet-skew',
        'Kubelet version skew',
        'Checks for kubelet versions of worker nodes in the cluster to see if upgrade would cause noncompliance with supported Kubernetes kubelet version skew policy.',
        cluster.version,
      ),
      insightStatus: behind.length
        ? {
            status: 'WARNING',
            reason: `Node groups ${behind.map((n) => n.nodegroupName).join(', ')} run a kubelet older than the control plane (${cluster.version}).`,
          }
        : { status: 'PASSING', reason: 'Node kubelet versions match the cluster control plane version.' },
      recommendation: 'Upgrade your worker nodes to match the Kubernetes version of your cluster control plane.',
      additionalInfo: {},
      resources: [],
      categorySpecificSummary: { deprecationDetails: [], addonCompatibilityDetails: [] },
    },
    {
      ...base(
        'cluster-health',
        'Cluster health issues',
        'Checks for any cluster health issues that prevent successful upgrade to the next Kubernetes version on EKS.',
        next,
      ),
      insightStatus:
        (cluster.health?.issues.length ?? 0) > 0
          ? { status: 'ERROR', reason: 'Cluster has health issues.' }
          : { status: 'PASSING', reason: 'No cluster health issues detected.' },
      recommendation: 'Refer to the EKS cluster health issue documentation.',
      additionalInfo: {},
      resources: [],
      categorySpecificSummary: { deprecationDetails: [], addonCompatibilityDetails: [] },
    },
  ];
}

export function insightSummary(i: InsightOut) {
  const { recommendation: _r, additionalInfo: _a, resources: _res, categorySpecificSummary: _c, ...summary } = i;
  return summary;
}
