/**
 * The sandbox's default world: a generic two-account AWS (what any caller of the sandbox may rely on). It
 * knows no product: whoever seeds the sandbox layers its own identities over it (the local stack adds its
 * service's IAM user in the first account — local/runner/product-world.ts). Tests, examples and scripts
 * rely on these ids and keys; change them only together with the docs.
 *
 * | what | value |
 * | first account | 111111111111 (no users: the seeder adds its own) |
 * | second account | 222222222222, IAM user admin (AKIAI44QH8DHBEXAMPLE), AdministratorAccess |
 * | regions | us-east-1 (use1-az1…az6; EKS rejects use1-az3 = us-east-1d), us-west-2, ap-east-1 (opt-in, not enabled) |
 * | VPC (us-east-1, second account) | vpc-0a1b2c3d4e5f60001 Name=demo 10.0.0.0/16; subnets …011 (1a/az1), …012 (1b/az2),
 * |                                 | …013 (1c/az4), …014 (1d/az3, rejected by EKS); SG sg-0a1b2c3d4e5f60021; key pair demo-key |
 * | EKS cluster roles | eks-cluster-role (AmazonEKSClusterPolicy), eks-cluster-role-no-policy (none) |
 */
import type { EksVersion, IamRole, InstanceType, ManagedPolicy, PolicyDocument, Region, WorldData } from './types.js';

export const SERVICE_ACCOUNT_ID = '111111111111';
export const CUSTOMER_ACCOUNT_ID = '222222222222';
export const CUSTOMER_ACCESS_KEY_ID = 'AKIAI44QH8DHBEXAMPLE';
export const CUSTOMER_SECRET_ACCESS_KEY = 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY';

export const DEMO = {
  region: 'us-east-1',
  vpcId: 'vpc-0a1b2c3d4e5f60001',
  subnetIds: ['subnet-0a1b2c3d4e5f60011', 'subnet-0a1b2c3d4e5f60012', 'subnet-0a1b2c3d4e5f60013'],
  rejectedSubnetId: 'subnet-0a1b2c3d4e5f60014',
  securityGroupId: 'sg-0a1b2c3d4e5f60021',
  defaultSecurityGroupId: 'sg-0a1b2c3d4e5f60020',
  keyName: 'demo-key',
  serviceRoleArn: `arn:aws:iam::${CUSTOMER_ACCOUNT_ID}:role/eks-cluster-role`,
  serviceRoleNoPolicyArn: `arn:aws:iam::${CUSTOMER_ACCOUNT_ID}:role/eks-cluster-role-no-policy`,
  notEnabledRegion: 'ap-east-1',
} as const;

const CREATED = '2024-01-15T09:00:00.000Z';

function awsPolicy(
  name: string,
  path: string,
  statements: PolicyDocument['Statement'],
  description?: string,
): ManagedPolicy {
  let h = 0;
  for (const c of name) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return {
    arn: `arn:aws:iam::aws:policy${path}${name}`,
    name,
    path,
    policyId: `ANPA${h.toString(36).toUpperCase().padStart(17, 'Q').slice(0, 17)}`,
    description,
    document: { Version: '2012-10-17', Statement: statements },
    defaultVersionId: 'v1',
    createDate: '2018-05-27T21:06:14.000Z',
  };
}

/** AWS managed policies the cluster template and the demo use (documents abridged to their main grants). */
export function awsManagedPolicies(): ManagedPolicy[] {
  return [
    awsPolicy(
      'AdministratorAccess',
      '/',
      [{ Effect: 'Allow', Action: '*', Resource: '*' }],
      'Provides full access to AWS services and resources.',
    ),
    awsPolicy('ReadOnlyAccess', '/', [
      {
        Effect: 'Allow',
        Action: [
          'ec2:Describe*',
          'eks:Describe*',
          'eks:List*',
          'iam:Get*',
          'iam:List*',
          'cloudformation:Describe*',
          'cloudformation:List*',
          'cloudformation:Get*',
        ],
        Resource: '*',
      },
    ]),
    awsPolicy('IAMFullAccess', '/', [
      { Effect: 'Allow', Action: ['iam:*', 'organizations:DescribeAccount'], Resource: '*' },
    ]),
    awsPolicy(
      'AmazonEKSClusterPolicy',
      '/',
      [
        {
          Effect: 'Allow',
          Action: [
            'autoscaling:DescribeAutoScalingGroups',
            'autoscaling:UpdateAutoScalingGroup',
            'ec2:AttachVolume',
            'ec2:AuthorizeSecurityGroupIngress',
            'ec2:CreateRoute',
            'ec2:CreateSecurityGroup',
            'ec2:CreateTags',
            'ec2:CreateVolume',
            'ec2:DeleteRoute',
            'ec2:DeleteSecurityGroup',
            'ec2:DeleteVolume',
            'ec2:Describe*',
            'ec2:DetachVolume',
            'ec2:ModifyInstanceAttribute',
            'ec2:ModifyVolume',
            'ec2:RevokeSecurityGroupIngress',
            'ec2:CreateNetworkInterface',
            'ec2:DeleteNetworkInterface',
            'elasticloadbalancing:*',
            'kms:DescribeKey',
          ],
          Resource: '*',
        },
        {
          Effect: 'Allow',
          Action: 'iam:CreateServiceLinkedRole',
          Resource: '*',
          Condition: { StringEquals: { 'iam:AWSServiceName': 'elasticloadbalancing.amazonaws.com' } },
        },
      ],
      'This policy provides Kubernetes the permissions it requires to manage resources on your behalf.',
    ),
    awsPolicy('AmazonEKSServicePolicy', '/', [
      {
        Effect: 'Allow',
        Action: [
          'ec2:CreateNetworkInterface',
          'ec2:DeleteNetworkInterface',
          'ec2:Describe*',
          'route53:AssociateVPCWithHostedZone',
          'logs:CreateLogGroup',
        ],
        Resource: '*',
      },
    ]),
    awsPolicy('AmazonEKSVPCResourceController', '/', [
      {
        Effect: 'Allow',
        Action: [
          'ec2:CreateNetworkInterfacePermission',
          'ec2:DescribeNetworkInterfaces',
          'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses',
        ],
        Resource: '*',
      },
    ]),
    awsPolicy(
      'AmazonEKSWorkerNodePolicy',
      '/',
      [
        {
          Effect: 'Allow',
          Action: [
            'ec2:DescribeInstances',
            'ec2:DescribeInstanceTypes',
            'ec2:DescribeRouteTables',
            'ec2:DescribeSecurityGroups',
            'ec2:DescribeSubnets',
            'ec2:DescribeVolumes',
            'ec2:DescribeVolumesModifications',
            'ec2:DescribeVpcs',
            'eks:DescribeCluster',
            'eks-auth:AssumeRoleForPodIdentity',
          ],
          Resource: '*',
        },
      ],
      'This policy allows Amazon EKS worker nodes to connect to Amazon EKS Clusters.',
    ),
    awsPolicy('AmazonEKS_CNI_Policy', '/', [
      {
        Effect: 'Allow',
        Action: [
          'ec2:AssignPrivateIpAddresses',
          'ec2:AttachNetworkInterface',
          'ec2:CreateNetworkInterface',
          'ec2:DeleteNetworkInterface',
          'ec2:DescribeInstances',
          'ec2:DescribeTags',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeInstanceTypes',
          'ec2:DetachNetworkInterface',
          'ec2:ModifyNetworkInterfaceAttribute',
          'ec2:UnassignPrivateIpAddresses',
        ],
        Resource: '*',
      },
      { Effect: 'Allow', Action: 'ec2:CreateTags', Resource: 'arn:aws:ec2:*:*:network-interface/*' },
    ]),
    awsPolicy('AmazonEC2ContainerRegistryReadOnly', '/', [
      {
        Effect: 'Allow',
        Action: [
          'ecr:GetAuthorizationToken',
          'ecr:BatchCheckLayerAvailability',
          'ecr:GetDownloadUrlForLayer',
          'ecr:GetRepositoryPolicy',
          'ecr:DescribeRepositories',
          'ecr:ListImages',
          'ecr:DescribeImages',
          'ecr:BatchGetImage',
          'ecr:GetLifecyclePolicy',
          'ecr:GetLifecyclePolicyPreview',
          'ecr:ListTagsForResource',
          'ecr:DescribeImageScanFindings',
        ],
        Resource: '*',
      },
    ]),
    awsPolicy('AmazonEC2ContainerRegistryPullOnly', '/', [
      {
        Effect: 'Allow',
        Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:GetAuthorizationToken'],
        Resource: '*',
      },
    ]),
    awsPolicy('AmazonSSMManagedInstanceCore', '/', [
      { Effect: 'Allow', Action: ['ssm:UpdateInstanceInformation', 'ssmmessages:*', 'ec2messages:*'], Resource: '*' },
    ]),
    awsPolicy(
      'AmazonEBSCSIDriverPolicy',
      '/service-role/',
      [
        {
          Effect: 'Allow',
          Action: [
            'ec2:CreateSnapshot',
            'ec2:AttachVolume',
            'ec2:DetachVolume',
            'ec2:ModifyVolume',
            'ec2:DescribeAvailabilityZones',
            'ec2:DescribeInstances',
            'ec2:DescribeSnapshots',
            'ec2:DescribeTags',
            'ec2:DescribeVolumes',
            'ec2:DescribeVolumesModifications',
          ],
          Resource: '*',
        },
        {
          Effect: 'Allow',
          Action: ['ec2:CreateVolume', 'ec2:DeleteVolume', 'ec2:CreateTags'],
          Resource: ['arn:aws:ec2:*:*:volume/*', 'arn:aws:ec2:*:*:snapshot/*'],
        },
      ],
      'IAM Policy that allows the CSI driver service account to make calls to related services such as EC2 on your behalf.',
    ),
    awsPolicy('AmazonEKSServiceRolePolicy', '/aws-service-role/', [
      {
        Effect: 'Allow',
        Action: [
          'ec2:CreateNetworkInterface',
          'ec2:DeleteNetworkInterface',
          'ec2:Describe*',
          'iam:GetRole',
          'iam:ListAttachedRolePolicies',
        ],
        Resource: '*',
      },
    ]),
    awsPolicy('AWSServiceRoleForAmazonEKSNodegroup', '/aws-service-role/', [
      {
        Effect: 'Allow',
        Action: ['autoscaling:*', 'ec2:RunInstances', 'ec2:CreateLaunchTemplate', 'ec2:Describe*', 'iam:PassRole'],
        Resource: '*',
      },
    ]),
    awsPolicy('AutoScalingServiceRolePolicy', '/aws-service-role/', [
      { Effect: 'Allow', Action: ['ec2:RunInstances', 'ec2:TerminateInstances', 'ec2:Describe*'], Resource: '*' },
    ]),
    awsPolicy('AWSElasticLoadBalancingServiceRolePolicy', '/aws-service-role/', [
      { Effect: 'Allow', Action: ['ec2:Describe*', 'ec2:CreateNetworkInterface'], Resource: '*' },
    ]),
  ];
}

function eksVersions(): EksVersion[] {
  return [
    {
      version: '1.30',
      status: 'UNSUPPORTED',
      platformVersion: 'eks.36',
      kubernetesPatchVersion: '1.30.14',
      releaseDate: '2024-05-23T00:00:00.000Z',
      endOfStandardSupportDate: '2025-07-23T00:00:00.000Z',
      endOfExtendedSupportDate: '2026-07-23T00:00:00.000Z',
    },
    {
      version: '1.31',
      status: 'EXTENDED_SUPPORT',
      platformVersion: 'eks.32',
      kubernetesPatchVersion: '1.31.12',
      releaseDate: '2024-09-26T00:00:00.000Z',
      endOfStandardSupportDate: '2025-11-26T00:00:00.000Z',
      endOfExtendedSupportDate: '2026-11-26T00:00:00.000Z',
    },
    {
      version: '1.32',
      status: 'STANDARD_SUPPORT',
      platformVersion: 'eks.19',
      kubernetesPatchVersion: '1.32.8',
      releaseDate: '2025-01-23T00:00:00.000Z',
      endOfStandardSupportDate: '2027-03-23T00:00:00.000Z',
      endOfExtendedSupportDate: '2028-03-23T00:00:00.000Z',
    },
    {
      version: '1.33',
      status: 'STANDARD_SUPPORT',
      defaultVersion: true,
      platformVersion: 'eks.12',
      kubernetesPatchVersion: '1.33.4',
      releaseDate: '2025-05-29T00:00:00.000Z',
      endOfStandardSupportDate: '2027-07-29T00:00:00.000Z',
      endOfExtendedSupportDate: '2028-07-29T00:00:00.000Z',
    },
  ];
}

const INSTANCE_TYPES: InstanceType[] = [
  { name: 't3.small', vCpus: 2, memoryMiB: 2048, architectures: ['x86_64'], currentGeneration: true },
  { name: 't3.medium', vCpus: 2, memoryMiB: 4096, architectures: ['x86_64'], currentGeneration: true },
  { name: 't3.large', vCpus: 2, memoryMiB: 8192, architectures: ['x86_64'], currentGeneration: true },
  { name: 'm5.large', vCpus: 2, memoryMiB: 8192, architectures: ['x86_64'], currentGeneration: true },
  { name: 'm5.xlarge', vCpus: 4, memoryMiB: 16384, architectures: ['x86_64'], currentGeneration: true },
  { name: 'm6i.large', vCpus: 2, memoryMiB: 8192, architectures: ['x86_64'], currentGeneration: true },
  { name: 'c5.large', vCpus: 2, memoryMiB: 4096, architectures: ['x86_64'], currentGeneration: true },
  { name: 'm6g.large', vCpus: 2, memoryMiB: 8192, architectures: ['arm64'], currentGeneration: true },
];

function offerings(zones: string[], except: Record<string, string[]> = {}): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const t of INSTANCE_TYPES) out[t.name] = zones.filter((z) => !(except[t.name] ?? []).includes(z));
  return out;
}

function regions(): Region[] {
  const use1 = ['a', 'b', 'c', 'd', 'e', 'f'];
  const use1Ids = ['use1-az1', 'use1-az2', 'use1-az4', 'use1-az3', 'use1-az5', 'use1-az6'];
  return [
    {
      name: 'us-east-1',
      availabilityZones: use1.map((l, i) => ({
        name: `us-east-1${l}`,
        zoneId: use1Ids[i]!,
        eksSupported: use1Ids[i] !== 'use1-az3',
      })),
      // us-east-1e (use1-az5) lacks the burstable and Graviton families, as it does in AWS.
      instanceTypeOfferings: offerings(
        use1.map((l) => `us-east-1${l}`),
        {
          't3.small': ['us-east-1e'],
          't3.medium': ['us-east-1e'],
          't3.large': ['us-east-1e'],
          'm6g.large': ['us-east-1e'],
          'm6i.large': ['us-east-1e'],
        },
      ),
      eksVersions: eksVersions(),
    },
    {
      name: 'us-west-2',
      availabilityZones: ['a', 'b', 'c', 'd'].map((l, i) => ({
        name: `us-west-2${l}`,
        zoneId: `usw2-az${i + 1}`,
        eksSupported: true,
      })),
      instanceTypeOfferings: offerings(['us-west-2a', 'us-west-2b', 'us-west-2c', 'us-west-2d']),
      eksVersions: eksVersions(),
    },
    {
      name: 'ap-east-1',
      optInRequired: true,
      availabilityZones: ['a', 'b', 'c'].map((l, i) => ({
        name: `ap-east-1${l}`,
        zoneId: `ape1-az${i + 1}`,
        eksSupported: true,
      })),
      instanceTypeOfferings: offerings(['ap-east-1a', 'ap-east-1b', 'ap-east-1c']),
      eksVersions: eksVersions(),
    },
  ];
}

/** The shared catalogue (regions, instance types, AWS managed policies); world files may omit these. */
export function defaultCatalogue(): Pick<WorldData, 'regions' | 'instanceTypes' | 'managedPolicies'> {
  return {
    regions: regions(),
    instanceTypes: INSTANCE_TYPES.map((t) => ({ ...t })),
    managedPolicies: awsManagedPolicies(),
  };
}

const EKS_TRUST: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { Service: 'eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] },
  ],
};

function clusterRole(name: string, roleId: string, attached: string[]): IamRole {
  return {
    accountId: CUSTOMER_ACCOUNT_ID,
    name,
    roleId,
    arn: `arn:aws:iam::${CUSTOMER_ACCOUNT_ID}:role/${name}`,
    path: '/',
    assumeRolePolicyDocument: EKS_TRUST,
    description: 'Amazon EKS cluster service role (role A)',
    maxSessionDuration: 3600,
    inlinePolicies: {},
    attachedPolicyArns: attached,
    tags: {},
    createDate: CREATED,
  };
}

/** A fresh copy of the default world. */
export function defaultWorld(): WorldData {
  const tag = (name: string) => ({ Name: name });
  return {
    partition: 'aws',
    ...defaultCatalogue(),
    accounts: [
      {
        id: SERVICE_ACCOUNT_ID,
        alias: 'service',
        enabledRegions: ['us-east-1', 'us-west-2'],
        quotas: { vpcsPerRegion: 5, clustersPerRegion: 100, nodegroupsPerCluster: 30 },
      },
      {
        id: CUSTOMER_ACCOUNT_ID,
        alias: 'customer-demo',
        enabledRegions: ['us-east-1', 'us-west-2'],
        quotas: { vpcsPerRegion: 5, clustersPerRegion: 100, nodegroupsPerCluster: 30 },
      },
    ],
    users: [
      {
        accountId: CUSTOMER_ACCOUNT_ID,
        name: 'admin',
        userId: 'AIDACUSTOMERADMIN001',
        arn: `arn:aws:iam::${CUSTOMER_ACCOUNT_ID}:user/admin`,
        path: '/',
        accessKeys: [
          {
            accessKeyId: CUSTOMER_ACCESS_KEY_ID,
            secretAccessKey: CUSTOMER_SECRET_ACCESS_KEY,
            status: 'Active',
            createDate: CREATED,
          },
        ],
        inlinePolicies: {},
        attachedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'],
        tags: {},
        createDate: CREATED,
      },
    ],
    roles: [
      clusterRole('eks-cluster-role', 'AROAEKSCLUSTERROLE001', ['arn:aws:iam::aws:policy/AmazonEKSClusterPolicy']),
      clusterRole('eks-cluster-role-no-policy', 'AROAEKSCLUSTERROLE002', []),
    ],
    stsSessions: [],
    vpcs: [
      {
        accountId: CUSTOMER_ACCOUNT_ID,
        region: 'us-east-1',
        vpcId: DEMO.vpcId,
        cidrBlock: '10.0.0.0/16',
        isDefault: false,
        state: 'available',
        tags: tag('demo'),
      },
    ],
    subnets: [
      ['subnet-0a1b2c3d4e5f60011', 'us-east-1a', '10.0.0.0/19'],
      ['subnet-0a1b2c3d4e5f60012', 'us-east-1b', '10.0.32.0/19'],
      ['subnet-0a1b2c3d4e5f60013', 'us-east-1c', '10.0.64.0/19'],
      ['subnet-0a1b2c3d4e5f60014', 'us-east-1d', '10.0.96.0/19'],
    ].map(([subnetId, az, cidr]) => ({
      accountId: CUSTOMER_ACCOUNT_ID,
      region: 'us-east-1',
      subnetId: subnetId!,
      vpcId: DEMO.vpcId,
      cidrBlock: cidr!,
      availabilityZone: az!,
      availableIpAddressCount: 8187,
      mapPublicIpOnLaunch: true,
      defaultForAz: false,
      state: 'available' as const,
      tags: tag(`demo-${az}`),
    })),
    securityGroups: [
      {
        accountId: CUSTOMER_ACCOUNT_ID,
        region: 'us-east-1',
        groupId: DEMO.defaultSecurityGroupId,
        groupName: 'default',
        description: 'default VPC security group',
        vpcId: DEMO.vpcId,
        ingress: [{ ipProtocol: '-1', sourceGroupIds: [DEMO.defaultSecurityGroupId] }],
        egress: [{ ipProtocol: '-1', cidrIps: ['0.0.0.0/0'] }],
        tags: {},
      },
      {
        accountId: CUSTOMER_ACCOUNT_ID,
        region: 'us-east-1',
        groupId: DEMO.securityGroupId,
        groupName: 'demo-eks',
        description: 'demo EKS cluster security group',
        vpcId: DEMO.vpcId,
        ingress: [{ ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIps: ['10.0.0.0/16'] }],
        egress: [{ ipProtocol: '-1', cidrIps: ['0.0.0.0/0'] }],
        tags: tag('demo-eks'),
      },
    ],
    keyPairs: [
      {
        accountId: CUSTOMER_ACCOUNT_ID,
        region: 'us-east-1',
        keyName: DEMO.keyName,
        keyPairId: 'key-0a1b2c3d4e5f60031',
        keyFingerprint: '1f:51:ae:28:bf:89:e9:d8:1f:25:5d:37:2d:7d:b8:ca:9f:f5:f1:6f',
        keyType: 'rsa',
        createTime: CREATED,
        tags: {},
      },
    ],
    eksClusters: [],
    eksNodegroups: [],
    eksAddons: [],
    eksAccessEntries: [],
    eksPodIdentityAssociations: [],
    eventBuses: [],
    flags: { nodesFailToJoin: false },
    services: {},
  };
}
