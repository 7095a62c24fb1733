/**
 * The add-on versions EKS offers (DescribeAddonVersions): per add-on, the versions and the Kubernetes
 * versions each is compatible with, one default per Kubernetes version. kube-proxy follows the cluster's
 * minor (a version per minor); the others here have one current version for every offered minor.
 */
export interface AddonVersionEntry {
  addonVersion: string;
  /** Kubernetes minors (`1.32`) this version runs on; `*` = every version the region offers. */
  compatible: string[] | '*';
}

export interface AddonCatalogEntry {
  addonName: string;
  type: string;
  publisher: string;
  owner: string;
  /** Pods need nodes: ACTIVE only once a node group is. */
  needsNodes: boolean;
  versions: (k8sVersions: string[]) => AddonVersionEntry[];
}

const fixed = (addonVersion: string) => () => [{ addonVersion, compatible: '*' as const }];

export const ADDON_CATALOG: Record<string, AddonCatalogEntry> = Object.fromEntries(
  (
    [
      ['vpc-cni', 'networking', false, fixed('v1.19.5-eksbuild.1')],
      [
        'kube-proxy',
        'networking',
        false,
        (ks: string[]) => ks.map((k) => ({ addonVersion: `v${k}.0-eksbuild.2`, compatible: [k] })),
      ],
      ['coredns', 'networking', true, fixed('v1.11.4-eksbuild.2')],
      ['aws-ebs-csi-driver', 'storage', true, fixed('v1.44.0-eksbuild.1')],
      ['aws-efs-csi-driver', 'storage', true, fixed('v2.1.8-eksbuild.1')],
      ['eks-pod-identity-agent', 'security', false, fixed('v1.3.7-eksbuild.2')],
      ['snapshot-controller', 'storage', true, fixed('v8.2.0-eksbuild.1')],
      ['metrics-server', 'observability', true, fixed('v0.7.2-eksbuild.3')],
      ['amazon-cloudwatch-observability', 'observability', false, fixed('v4.1.0-eksbuild.1')],
      ['aws-guardduty-agent', 'security', false, fixed('v1.10.0-eksbuild.2')],
      ['aws-mountpoint-s3-csi-driver', 'storage', false, fixed('v1.15.0-eksbuild.1')],
      ['adot', 'observability', true, fixed('v0.117.0-eksbuild.1')],
    ] as const
  ).map(([addonName, type, needsNodes, versions]) => [
    addonName,
    { addonName, type, publisher: 'eks', owner: 'aws', needsNodes, versions },
  ]),
);

/** Versions of an add-on compatible with a Kubernetes minor, default first. */
export function compatibleAddonVersions(addonName: string, k8s: string, offered: string[]): string[] {
  const entry = ADDON_CATALOG[addonName];
  if (!entry) return [];
  return entry
    .versions(offered)
    .filter((v) => v.compatible === '*' || v.compatible.includes(k8s))
    .map((v) => v.addonVersion);
}

/** The version EKS installs when none is given (the default for that Kubernetes minor). */
export function defaultAddonVersion(addonName: string, k8s: string, offered: string[]): string | undefined {
  return compatibleAddonVersions(addonName, k8s, offered.includes(k8s) ? offered : [...offered, k8s])[0];
}
