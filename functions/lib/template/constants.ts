/**
 * Facts about the cluster template that other modules rely on (policy generation, finalize,
 * the sandbox). Kept apart from the CDK definition so importing them never loads aws-cdk-lib.
 */

/** Every cluster stack is named `eks-provisioner-<cluster name>`. */
export const STACK_NAME_PREFIX = 'eks-provisioner-';

/** Every IAM role the stack creates lives under this path, so role B may create roles only here. */
export const ROLE_PATH = '/eks-provisioner/';

/** AWS managed policies the stack attaches; role B's AttachRolePolicy is limited to exactly these. */
export const NODE_ROLE_MANAGED_POLICIES = [
  'AmazonEKSWorkerNodePolicy',
  'AmazonEKS_CNI_Policy',
  'AmazonEC2ContainerRegistryReadOnly',
] as const;
export const EBS_CSI_MANAGED_POLICIES = ['service-role/AmazonEBSCSIDriverPolicy'] as const;
export const ATTACHED_MANAGED_POLICIES = [...NODE_ROLE_MANAGED_POLICIES, ...EBS_CSI_MANAGED_POLICIES] as const;

export const managedPolicyArn = (name: string, partition = 'aws') => `arn:${partition}:iam::aws:policy/${name}`;

/** Services the stack passes roles to (cluster role, node role → eks; EBS CSI role → Pod Identity). */
export const PASSED_TO_SERVICES = ['eks.amazonaws.com', 'pods.eks.amazonaws.com'] as const;

/** Service-linked roles EKS creates on first use in an account. */
export const SERVICE_LINKED_ROLE_SERVICES = ['eks.amazonaws.com', 'eks-nodegroup.amazonaws.com'] as const;

/** Tag keys put on the stack (CloudFormation propagates stack tags to every taggable resource). */
export const TAG_KEYS = {
  clusterId: 'eks-provisioner:cluster-id',
  /** SHA-256 of the tenant id (see tenant-tag.ts): a tenant id itself may not fit a tag value. */
  tenant: 'eks-provisioner:tenant-sha256',
  managedBy: 'eks-provisioner:managed-by',
} as const;
