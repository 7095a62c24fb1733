/** Names shared by the template definition, CreateClusterStack and FinalizeCluster. */

export const PARAMETER_KEYS = {
  clusterName: 'ClusterName',
  /** The control plane's Kubernetes version. */
  kubernetesVersion: 'KubernetesVersion',
  /** The node group's Kubernetes version ('' = the control plane's): an upgrade moves it in its own stage. */
  nodegroupVersion: 'NodegroupVersion',
  clusterRoleArn: 'ClusterRoleArn',
  subnetIds: 'SubnetIds',
  securityGroupIds: 'SecurityGroupIds',
  instanceType: 'NodeInstanceType',
  amiType: 'NodeAmiType',
  nodeCount: 'NodeCount',
  /** EKS support policy at the end of standard support: STANDARD (auto-upgrade) or EXTENDED (billed). */
  upgradePolicy: 'UpgradePolicy',
  /** `AWS::EKS::Cluster.Force`: 'true' only for an update the person forced past ERROR upgrade insights. */
  forceUpgrade: 'ForceUpgrade',
  keyName: 'KeyName',
  clusterId: 'ClusterId',
  /** The tenant's tag value (SHA-256 of the tenant id), never the tenant id itself. */
  tenantTag: 'TenantTag',
  /** AdminPrincipalArn1 … AdminPrincipalArn<MAX_ADMIN_PRINCIPALS>. */
  adminPrincipalArnPrefix: 'AdminPrincipalArn',
  /** DeployPrincipalArn1 … DeployPrincipalArn<MAX_DEPLOY_PRINCIPALS>: edit access in the managed namespaces. */
  deployPrincipalArnPrefix: 'DeployPrincipalArn',
  /** The managed namespaces the deploy entries are scoped to. */
  deployNamespaces: 'DeployNamespaces',
} as const;

/**
 * The add-ons the template installs, each with a version parameter ('' = EKS's default for the
 * cluster's version, at creation). An update to a new Kubernetes version sets each to the default
 * version for it (DescribeAddonVersions), so CloudFormation updates the add-ons after the control plane.
 */
export const ADDON_VERSION_PARAMETERS = {
  'vpc-cni': 'VpcCniAddonVersion',
  'kube-proxy': 'KubeProxyAddonVersion',
  'eks-pod-identity-agent': 'PodIdentityAgentAddonVersion',
  coredns: 'CoreDnsAddonVersion',
  'aws-ebs-csi-driver': 'EbsCsiDriverAddonVersion',
} as const;
export type AddonName = keyof typeof ADDON_VERSION_PARAMETERS;

/**
 * `AWS::EKS::Cluster.UpgradePolicy.SupportType`. AWS's own default is EXTENDED (billed at six times the
 * control-plane price once standard support ends); the product's default is STANDARD.
 */
export const UPGRADE_POLICIES = ['STANDARD', 'EXTENDED'] as const;
export type UpgradePolicy = (typeof UPGRADE_POLICIES)[number];
export const DEFAULT_UPGRADE_POLICY: UpgradePolicy = 'STANDARD';

/** Access-entry slots in the template; the settings schema should cap `adminPrincipalArns` at this. */
export const MAX_ADMIN_PRINCIPALS = 5;
/** Deploy access-entry slots (AmazonEKSEditPolicy, namespace scope). */
export const MAX_DEPLOY_PRINCIPALS = 5;

export const OUTPUT_KEYS = {
  clusterName: 'EksClusterName',
  clusterArn: 'EksClusterArn',
  endpoint: 'EksClusterEndpoint',
  certificateAuthorityData: 'CertificateAuthorityData',
  oidcIssuer: 'OidcIssuerUrl',
  clusterSecurityGroupId: 'ClusterSecurityGroupId',
  kubernetesVersion: 'EksKubernetesVersion',
  nodeRoleArn: 'NodeRoleArn',
  nodegroupName: 'NodegroupName',
  ebsCsiRoleArn: 'EbsCsiDriverRoleArn',
} as const;

/** Managed node group AMI types the template accepts (Amazon Linux 2023 families). */
export const AMI_TYPES = [
  'AL2023_x86_64_STANDARD',
  'AL2023_ARM_64_STANDARD',
  'AL2023_x86_64_NVIDIA',
  'AL2023_ARM_64_NVIDIA',
  'AL2023_x86_64_NEURON',
] as const;
export type AmiType = (typeof AMI_TYPES)[number];

/**
 * The AMI family an instance type needs: EKS does not pick an arm64 AMI for Graviton on its own, and
 * GPU/accelerator types need the matching driver image.
 */
export function amiTypeFor(instanceType: string): AmiType {
  const family = instanceType.split('.')[0]!.toLowerCase();
  const graviton = family === 'a1' || /^[a-z]+\d+g[a-z]*$/.test(family);
  if (/^(inf|trn)\d/.test(family)) return 'AL2023_x86_64_NEURON';
  if (/^(p\d|g\d|gr\d)/.test(family)) return graviton ? 'AL2023_ARM_64_NVIDIA' : 'AL2023_x86_64_NVIDIA';
  return graviton ? 'AL2023_ARM_64_STANDARD' : 'AL2023_x86_64_STANDARD';
}
