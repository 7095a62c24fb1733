/**
 * Stack event sequences as CloudFormation reports them (wording from real EKS stacks: registry
 * handler wrappers, request ids, HandlerErrorCode), newest first like DescribeStackEvents.
 */
import type { ResourceStatus, StackEvent } from '@aws-sdk/client-cloudformation';

export const STACK_NAME = 'eks-provisioner-demo';
export const STACK_ID =
  'arn:aws:cloudformation:us-east-1:222222222222:stack/eks-provisioner-demo/6c1f3e40-b2a1-11f0-9d3e-0e5b1c2d3a4f';
const T0 = Date.parse('2026-11-29T10:00:00Z');

type Row = [seconds: number, logicalId: string, type: string, status: string, reason?: string, physicalId?: string];

let counter = 0;
export function events(rows: Row[]): StackEvent[] {
  return rows
    .map(([s, id, type, status, reason, physical]) => {
      const isStack = type === 'AWS::CloudFormation::Stack';
      return {
        StackId: STACK_ID,
        EventId: isStack ? `${(counter++).toString(16)}-6c1f-11f0-9d3e` : `${id}-${status}-${(counter++).toString(16)}`,
        StackName: STACK_NAME,
        LogicalResourceId: id,
        PhysicalResourceId: isStack
          ? STACK_ID
          : (physical ?? (status === 'CREATE_IN_PROGRESS' && !reason ? '' : `${STACK_NAME}-${id}-1A2B3C4D5E6F`)),
        ResourceType: type,
        Timestamp: new Date(T0 + s * 1000),
        ResourceStatus: status as ResourceStatus,
        ...(reason !== undefined ? { ResourceStatusReason: reason } : {}),
      } satisfies StackEvent;
    })
    .reverse();
}

const STACK = 'AWS::CloudFormation::Stack';
const start: Row[] = [[0, STACK_NAME, STACK, 'CREATE_IN_PROGRESS', 'User Initiated']];
const handler = (message: string, code: string, service = 'Eks', status = 400) =>
  `Resource handler returned message: "${message} (Service: ${service}, Status Code: ${status}, Request ID: 3f0c9a2e-7b1d-4c5e-8f9a-0b1c2d3e4f5a)" (RequestToken: 9a8b7c6d-5e4f-3a2b-1c0d-e9f8a7b6c5d4, HandlerErrorCode: ${code})`;
const rolesOk: Row[] = [
  [1, 'NodeRole', 'AWS::IAM::Role', 'CREATE_IN_PROGRESS'],
  [1, 'EbsCsiDriverRole', 'AWS::IAM::Role', 'CREATE_IN_PROGRESS'],
  [2, 'NodeRole', 'AWS::IAM::Role', 'CREATE_IN_PROGRESS', 'Resource creation Initiated'],
  [2, 'EbsCsiDriverRole', 'AWS::IAM::Role', 'CREATE_IN_PROGRESS', 'Resource creation Initiated'],
];

/** The seed's first troubleshooting entry: role A without AmazonEKSClusterPolicy (OnFailure DO_NOTHING). */
export const clusterRoleMissingPolicy = events([
  ...start,
  ...rolesOk,
  [1, 'Cluster', 'AWS::EKS::Cluster', 'CREATE_IN_PROGRESS'],
  [
    4,
    'Cluster',
    'AWS::EKS::Cluster',
    'CREATE_FAILED',
    handler(
      "The provided role doesn't have the Amazon EKS Managed Policies associated with it. Please ensure the following policy is attached: arn:aws:iam::aws:policy/AmazonEKSClusterPolicy",
      'InvalidRequest',
    ),
  ],
  [5, 'NodeRole', 'AWS::IAM::Role', 'CREATE_FAILED', 'Resource creation cancelled'],
  [5, 'EbsCsiDriverRole', 'AWS::IAM::Role', 'CREATE_FAILED', 'Resource creation cancelled'],
  [
    6,
    STACK_NAME,
    STACK,
    'CREATE_FAILED',
    'The following resource(s) failed to create: [EbsCsiDriverRole, NodeRole, Cluster]. ',
  ],
]);

/** EKS has no capacity in the AZ of one subnet (the seed's us-east-1e case). */
export const unsupportedZone = events([
  ...start,
  ...rolesOk,
  [1, 'Cluster', 'AWS::EKS::Cluster', 'CREATE_IN_PROGRESS'],
  [
    3,
    'Cluster',
    'AWS::EKS::Cluster',
    'CREATE_FAILED',
    handler(
      "Cannot create cluster 'demo' because us-east-1e, the targeted availability zone, does not currently have sufficient capacity to support the cluster. Retry and choose from these availability zones: us-east-1a, us-east-1b, us-east-1c, us-east-1d, us-east-1f",
      'InvalidRequest',
    ),
  ],
  [4, 'NodeRole', 'AWS::IAM::Role', 'CREATE_FAILED', 'Resource creation cancelled'],
  [4, 'EbsCsiDriverRole', 'AWS::IAM::Role', 'CREATE_FAILED', 'Resource creation cancelled'],
  [
    5,
    STACK_NAME,
    STACK,
    'CREATE_FAILED',
    'The following resource(s) failed to create: [EbsCsiDriverRole, NodeRole, Cluster]. ',
  ],
]);

const clusterOk: Row[] = [
  ...rolesOk,
  [1, 'Cluster', 'AWS::EKS::Cluster', 'CREATE_IN_PROGRESS'],
  [2, 'Cluster', 'AWS::EKS::Cluster', 'CREATE_IN_PROGRESS', 'Resource creation Initiated', 'demo'],
  [13, 'NodeRole', 'AWS::IAM::Role', 'CREATE_COMPLETE'],
  [14, 'EbsCsiDriverRole', 'AWS::IAM::Role', 'CREATE_COMPLETE'],
  [545, 'Cluster', 'AWS::EKS::Cluster', 'CREATE_COMPLETE', undefined, 'demo'],
];

/** Role B lacks iam:PassRole for role A. */
export const passRoleDenied = events([
  ...start,
  ...rolesOk,
  [1, 'Cluster', 'AWS::EKS::Cluster', 'CREATE_IN_PROGRESS'],
  [
    3,
    'Cluster',
    'AWS::EKS::Cluster',
    'CREATE_FAILED',
    handler(
      'User: arn:aws:sts::222222222222:assumed-role/eks-provisioner-provision/eks-provisioner-c-abcdefghijkl is not authorized to perform: iam:PassRole on resource: arn:aws:iam::222222222222:role/eks-cluster-role because no identity-based policy allows the iam:PassRole action',
      'AccessDenied',
      'Eks',
      403,
    ),
  ],
  [4, 'NodeRole', 'AWS::IAM::Role', 'CREATE_FAILED', 'Resource creation cancelled'],
  [4, 'EbsCsiDriverRole', 'AWS::IAM::Role', 'CREATE_FAILED', 'Resource creation cancelled'],
  [
    5,
    STACK_NAME,
    STACK,
    'CREATE_FAILED',
    'The following resource(s) failed to create: [EbsCsiDriverRole, NodeRole, Cluster]. ',
  ],
]);

/** Role B lacks eks:CreateAddon: fails after the control plane is up. */
export const addonPermissionDenied = events([
  ...start,
  ...clusterOk,
  [547, 'VpcCniAddon', 'AWS::EKS::Addon', 'CREATE_IN_PROGRESS'],
  [547, 'KubeProxyAddon', 'AWS::EKS::Addon', 'CREATE_IN_PROGRESS'],
  [
    548,
    'VpcCniAddon',
    'AWS::EKS::Addon',
    'CREATE_FAILED',
    handler(
      'User: arn:aws:sts::222222222222:assumed-role/eks-provisioner-provision/eks-provisioner-c-abcdefghijkl is not authorized to perform: eks:CreateAddon on resource: arn:aws:eks:us-east-1:222222222222:cluster/demo because no identity-based policy allows the eks:CreateAddon action',
      'AccessDenied',
      'Eks',
      403,
    ),
  ],
  [549, 'KubeProxyAddon', 'AWS::EKS::Addon', 'CREATE_FAILED', 'Resource creation cancelled'],
  [
    550,
    STACK_NAME,
    STACK,
    'CREATE_FAILED',
    'The following resource(s) failed to create: [VpcCniAddon, KubeProxyAddon]. ',
  ],
]);

const addonsOk: Row[] = [
  [547, 'VpcCniAddon', 'AWS::EKS::Addon', 'CREATE_IN_PROGRESS'],
  [547, 'KubeProxyAddon', 'AWS::EKS::Addon', 'CREATE_IN_PROGRESS'],
  [547, 'PodIdentityAgentAddon', 'AWS::EKS::Addon', 'CREATE_IN_PROGRESS'],
  [580, 'VpcCniAddon', 'AWS::EKS::Addon', 'CREATE_COMPLETE', undefined, 'demo|vpc-cni'],
  [571, 'KubeProxyAddon', 'AWS::EKS::Addon', 'CREATE_COMPLETE', undefined, 'demo|kube-proxy'],
  [575, 'PodIdentityAgentAddon', 'AWS::EKS::Addon', 'CREATE_COMPLETE', undefined, 'demo|eks-pod-identity-agent'],
  [581, 'Nodegroup', 'AWS::EKS::Nodegroup', 'CREATE_IN_PROGRESS'],
  [
    582,
    'Nodegroup',
    'AWS::EKS::Nodegroup',
    'CREATE_IN_PROGRESS',
    'Resource creation Initiated',
    'demo/Nodegroup-Xy12Ab34Cd56',
  ],
];

/** Nodes never joined (e.g. private subnets without a NAT gateway). */
export const nodeCreationFailure = events([
  ...start,
  ...clusterOk,
  ...addonsOk,
  [
    1490,
    'Nodegroup',
    'AWS::EKS::Nodegroup',
    'CREATE_FAILED',
    'Resource handler returned message: "[Issue(Code=NodeCreationFailure, Message=Instances failed to join the kubernetes cluster, ResourceIds=[i-0a1b2c3d4e5f60718, i-0f1e2d3c4b5a69788])] (Service: null, Status Code: 0, Request ID: null)" (RequestToken: 0d1c2b3a-4e5f-6a7b-8c9d-0e1f2a3b4c5d, HandlerErrorCode: GeneralServiceException)',
    'demo/Nodegroup-Xy12Ab34Cd56',
  ],
  [1492, STACK_NAME, STACK, 'CREATE_FAILED', 'The following resource(s) failed to create: [Nodegroup]. '],
]);

/** vCPU quota: the node group's Auto Scaling group cannot launch instances. */
export const vcpuQuota = events([
  ...start,
  ...clusterOk,
  ...addonsOk,
  [
    790,
    'Nodegroup',
    'AWS::EKS::Nodegroup',
    'CREATE_FAILED',
    'Resource handler returned message: "[Issue(Code=AsgInstanceLaunchFailures, Message=Could not launch On-Demand Instances. VcpuLimitExceeded - You have requested more vCPU capacity than your current vCPU limit of 16 allows for the instance bucket that the specified instance type belongs to. Please visit http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this limit. Launching EC2 instance failed., ResourceIds=[eks-Nodegroup-Xy12Ab34Cd56-5ec9d6a4-1b2c-3d4e-5f60-718293a4b5c6])] (Service: null, Status Code: 0, Request ID: null)" (RequestToken: 1e2d3c4b-5a6f-7e8d-9c0b-a1b2c3d4e5f6, HandlerErrorCode: GeneralServiceException)',
    'demo/Nodegroup-Xy12Ab34Cd56',
  ],
  [792, STACK_NAME, STACK, 'CREATE_FAILED', 'The following resource(s) failed to create: [Nodegroup]. '],
]);

/** EKS cluster quota per region (ResourceLimitExceededException). */
export const clusterQuota = events([
  ...start,
  ...rolesOk,
  [1, 'Cluster', 'AWS::EKS::Cluster', 'CREATE_IN_PROGRESS'],
  [
    3,
    'Cluster',
    'AWS::EKS::Cluster',
    'CREATE_FAILED',
    handler(
      "Cannot create cluster 'demo' because the number of clusters in us-east-1 would exceed the limit of 100 clusters for this account",
      'ServiceLimitExceeded',
    ),
  ],
  [4, 'NodeRole', 'AWS::IAM::Role', 'CREATE_FAILED', 'Resource creation cancelled'],
  [4, 'EbsCsiDriverRole', 'AWS::IAM::Role', 'CREATE_FAILED', 'Resource creation cancelled'],
  [
    5,
    STACK_NAME,
    STACK,
    'CREATE_FAILED',
    'The following resource(s) failed to create: [EbsCsiDriverRole, NodeRole, Cluster]. ',
  ],
]);

/**
 * OnFailure ROLLBACK with role B lacking delete permissions (the default policy): the node group
 * failed, and the rollback cannot delete the IAM roles or the cluster.
 */
export const rollbackFailed = events([
  ...start,
  ...clusterOk,
  ...addonsOk,
  [
    1490,
    'Nodegroup',
    'AWS::EKS::Nodegroup',
    'CREATE_FAILED',
    'Resource handler returned message: "[Issue(Code=NodeCreationFailure, Message=Instances failed to join the kubernetes cluster, ResourceIds=[i-0a1b2c3d4e5f60718])] (Service: null, Status Code: 0, Request ID: null)" (RequestToken: 0d1c2b3a-4e5f-6a7b-8c9d-0e1f2a3b4c5d, HandlerErrorCode: GeneralServiceException)',
    'demo/Nodegroup-Xy12Ab34Cd56',
  ],
  [
    1491,
    STACK_NAME,
    STACK,
    'ROLLBACK_IN_PROGRESS',
    'The following resource(s) failed to create: [Nodegroup]. Rollback requested by user.',
  ],
  [1492, 'Nodegroup', 'AWS::EKS::Nodegroup', 'DELETE_IN_PROGRESS', undefined, 'demo/Nodegroup-Xy12Ab34Cd56'],
  [
    1493,
    'Nodegroup',
    'AWS::EKS::Nodegroup',
    'DELETE_FAILED',
    handler(
      'User: arn:aws:sts::222222222222:assumed-role/eks-provisioner-provision/eks-provisioner-c-abcdefghijkl is not authorized to perform: eks:DeleteNodegroup on resource: arn:aws:eks:us-east-1:222222222222:nodegroup/demo/Nodegroup-Xy12Ab34Cd56/5ec9d6a4 because no identity-based policy allows the eks:DeleteNodegroup action',
      'AccessDenied',
      'Eks',
      403,
    ),
    'demo/Nodegroup-Xy12Ab34Cd56',
  ],
  [1494, 'NodeRole', 'AWS::IAM::Role', 'DELETE_IN_PROGRESS', undefined, 'eks-provisioner-demo-NodeRole-1A2B3C4D5E6F'],
  [
    1495,
    'NodeRole',
    'AWS::IAM::Role',
    'DELETE_FAILED',
    handler(
      'User: arn:aws:sts::222222222222:assumed-role/eks-provisioner-provision/eks-provisioner-c-abcdefghijkl is not authorized to perform: iam:DetachRolePolicy on resource: role eks-provisioner-demo-NodeRole-1A2B3C4D5E6F because no identity-based policy allows the iam:DetachRolePolicy action',
      'AccessDenied',
      'Iam',
      403,
    ),
    'eks-provisioner-demo-NodeRole-1A2B3C4D5E6F',
  ],
  [1496, STACK_NAME, STACK, 'ROLLBACK_FAILED', 'The following resource(s) failed to delete: [Nodegroup, NodeRole]. '],
]);

/** Something with no catalog entry: an add-on configuration EKS rejects. */
export const unknownAddonFailure = events([
  ...start,
  ...clusterOk,
  [547, 'VpcCniAddon', 'AWS::EKS::Addon', 'CREATE_IN_PROGRESS'],
  [
    549,
    'VpcCniAddon',
    'AWS::EKS::Addon',
    'CREATE_FAILED',
    handler(
      'ConfigurationValue provided in request is not supported: Json schema validation failed with error: [$.env: is not defined in the schema]',
      'InvalidRequest',
    ),
  ],
  [550, STACK_NAME, STACK, 'CREATE_FAILED', 'The following resource(s) failed to create: [VpcCniAddon]. '],
]);

/** Older, non-registry wording ("API: service:Action …"). */
export const legacyApiDenied = events([
  ...start,
  [1, 'NodeRole', 'AWS::IAM::Role', 'CREATE_IN_PROGRESS'],
  [
    2,
    'NodeRole',
    'AWS::IAM::Role',
    'CREATE_FAILED',
    'API: iam:CreateRole User: arn:aws:sts::222222222222:assumed-role/eks-provisioner-provision/eks-provisioner-c-abcdefghijkl is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::222222222222:role/eks-provisioner/eks-provisioner-demo-NodeRole-1A2B3C4D5E6F',
  ],
  [3, STACK_NAME, STACK, 'CREATE_FAILED', 'The following resource(s) failed to create: [NodeRole]. '],
]);

/** Every page of a long story: 250 events, the root cause on the last (oldest) page. */
export function longFailure(): StackEvent[] {
  const rows: Row[] = [...start];
  rows.push([1, 'Cluster', 'AWS::EKS::Cluster', 'CREATE_IN_PROGRESS']);
  rows.push([
    3,
    'Cluster',
    'AWS::EKS::Cluster',
    'CREATE_FAILED',
    handler(
      "The provided role doesn't have the Amazon EKS Managed Policies associated with it. Please ensure the following policy is attached: arn:aws:iam::aws:policy/AmazonEKSClusterPolicy",
      'InvalidRequest',
    ),
  ]);
  for (let i = 0; i < 246; i++)
    rows.push([10 + i, `Noise${i}`, 'AWS::EKS::AccessEntry', 'CREATE_FAILED', 'Resource creation cancelled']);
  rows.push([300, STACK_NAME, STACK, 'CREATE_FAILED', 'The following resource(s) failed to create: [Cluster]. ']);
  return events(rows);
}
