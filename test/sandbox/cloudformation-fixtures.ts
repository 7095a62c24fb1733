/**
 * Shared set-up for the CloudFormation engine tests: a request context built the way the sandbox router
 * builds it, a role-B-like session with chosen permissions, and an EKS-like template (cluster, node role,
 * node group, four add-ons, an access entry).
 */

import { productWorld } from '../../local/runner/product-world.js';
import { authorize, notAuthorizedMessage } from '../../local/sandbox/iam/evaluate.js';
import { type RequestContext, SandboxAwsError } from '../../local/sandbox/protocol/types.js';
import { CUSTOMER_ACCESS_KEY_ID, CUSTOMER_ACCOUNT_ID, DEMO } from '../../local/sandbox/world/default-world.js';
import type { PolicyDocument, PolicyStatement, Principal } from '../../local/sandbox/world/types.js';
import { World } from '../../local/sandbox/world/world.js';

export { CUSTOMER_ACCOUNT_ID, DEMO };

export function newWorld(mutate?: (w: World) => void): World {
  const world = new World(productWorld());
  mutate?.(world);
  return world;
}

export function principalOf(world: World, accessKeyId: string): Principal {
  const owner = world.findAccessKey(accessKeyId);
  const p = owner && world.principalFor(owner);
  if (!p) throw new Error(`no principal for ${accessKeyId}`);
  return p;
}

let requests = 0;

export function ctxFor(
  world: World,
  accessKeyId = CUSTOMER_ACCESS_KEY_ID,
  region = 'us-east-1',
  timeScale = 1,
): RequestContext {
  const caller = principalOf(world, accessKeyId);
  return {
    world,
    caller,
    region,
    accountId: caller.accountId,
    now: world.now(),
    requestId: `req-${++requests}`,
    service: 'cloudformation',
    operation: 'test',
    timeScale,
    check: (action, resourceArn = '*', keys) => authorize(world, caller, action, resourceArn, { region, keys }),
    authorize: (action, resourceArn = '*', keys) => {
      const result = authorize(world, caller, action, resourceArn, { region, keys });
      if (!result.allowed)
        throw new SandboxAwsError('AccessDenied', notAuthorizedMessage(caller, action, resourceArn, result), 403);
    },
  };
}

export const ROLE_B_NAME = 'eks-provisioner-provision';
export const ROLE_B_KEY = 'ASIAROLEBSESSION0001';

/** Create role B in the customer account with `statements`, and a live STS session for it. */
export function addRoleBSession(world: World, statements: PolicyDocument['Statement']): string {
  const arn = `arn:aws:iam::${CUSTOMER_ACCOUNT_ID}:role/${ROLE_B_NAME}`;
  world.data.roles.push({
    accountId: CUSTOMER_ACCOUNT_ID,
    name: ROLE_B_NAME,
    roleId: 'AROAROLEBTEST0000001',
    arn,
    path: '/',
    assumeRolePolicyDocument: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: 'sts:AssumeRole' }],
    },
    maxSessionDuration: 3600,
    inlinePolicies: { provision: { Version: '2012-10-17', Statement: statements } },
    attachedPolicyArns: [],
    tags: {},
    createDate: '2026-01-01T00:00:00.000Z',
  });
  world.data.stsSessions.push({
    accessKeyId: ROLE_B_KEY,
    secretAccessKey: 'secret',
    sessionToken: 'token',
    accountId: CUSTOMER_ACCOUNT_ID,
    roleArn: arn,
    roleName: ROLE_B_NAME,
    roleId: 'AROAROLEBTEST0000001',
    sessionName: 'provision',
    assumedRoleArn: `arn:aws:sts::${CUSTOMER_ACCOUNT_ID}:assumed-role/${ROLE_B_NAME}/provision`,
    expiration: '2099-01-01T00:00:00.000Z',
    sourceArn: 'arn:aws:iam::111111111111:user/eks-provisioner',
  });
  return ROLE_B_KEY;
}

/** Create-side permissions of an EKS stack (no delete actions: the seed's role B). */
export const CREATE_ONLY: PolicyStatement[] = [
  {
    Effect: 'Allow',
    Action: [
      'cloudformation:CreateStack',
      'cloudformation:TagResource',
      'cloudformation:Describe*',
      'cloudformation:List*',
      'cloudformation:GetTemplate',
      'iam:CreateRole',
      'iam:TagRole',
      'iam:PutRolePolicy',
      'iam:AttachRolePolicy',
      'iam:CreateServiceLinkedRole',
      'eks:CreateCluster',
      'eks:CreateNodegroup',
      'eks:CreateAddon',
      'eks:CreateAccessEntry',
      'eks:AssociateAccessPolicy',
      'eks:CreatePodIdentityAssociation',
      'eks:Describe*',
      'eks:TagResource',
    ],
    Resource: '*',
  },
  {
    Effect: 'Allow',
    Action: 'iam:PassRole',
    Resource: '*',
    Condition: { StringEquals: { 'iam:PassedToService': ['eks.amazonaws.com', 'pods.eks.amazonaws.com'] } },
  },
];

export const DELETE_TOO: PolicyStatement[] = [
  ...CREATE_ONLY,
  {
    Effect: 'Allow',
    Action: [
      'cloudformation:DeleteStack',
      'iam:DeleteRole',
      'iam:DetachRolePolicy',
      'iam:DeleteRolePolicy',
      'eks:Delete*',
    ],
    Resource: '*',
  },
];

/** Cluster + node role + node group + 4 add-ons + access entry, as an EKS stack has them. */
export function eksTemplate(): Record<string, unknown> {
  const tags = [{ Key: 'team', Value: { Ref: 'Team' } }];
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: 'EKS-like test stack',
    Parameters: {
      ClusterName: { Type: 'String', AllowedPattern: '[a-z][a-z0-9-]*', MaxLength: 100 },
      ClusterRoleArn: { Type: 'String' },
      SubnetIds: { Type: 'List<AWS::EC2::Subnet::Id>' },
      SecurityGroupIds: { Type: 'List<AWS::EC2::SecurityGroup::Id>' },
      Version: { Type: 'String', Default: '1.33', AllowedValues: ['1.31', '1.32', '1.33'] },
      NodeCount: { Type: 'Number', Default: 2, MinValue: 1, MaxValue: 10 },
      KeyName: { Type: 'String', Default: '' },
      AdminPrincipalArn: { Type: 'String', Default: '' },
      Team: { Type: 'String', Default: 'platform', NoEcho: true },
    },
    Conditions: {
      HasKeyName: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'KeyName' }, ''] }] },
      HasAdmin: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AdminPrincipalArn' }, ''] }] },
    },
    Resources: {
      NodeRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
          },
          ManagedPolicyArns: [
            { 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/AmazonEKSWorkerNodePolicy' },
            { 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/AmazonEKS_CNI_Policy' },
            { 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly' },
          ],
          Tags: tags,
        },
      },
      Cluster: {
        Type: 'AWS::EKS::Cluster',
        Properties: {
          Name: { Ref: 'ClusterName' },
          Version: { Ref: 'Version' },
          RoleArn: { Ref: 'ClusterRoleArn' },
          AccessConfig: { AuthenticationMode: 'API_AND_CONFIG_MAP' },
          ResourcesVpcConfig: { SubnetIds: { Ref: 'SubnetIds' }, SecurityGroupIds: { Ref: 'SecurityGroupIds' } },
          Tags: tags,
        },
      },
      VpcCni: { Type: 'AWS::EKS::Addon', Properties: { ClusterName: { Ref: 'Cluster' }, AddonName: 'vpc-cni' } },
      KubeProxy: { Type: 'AWS::EKS::Addon', Properties: { ClusterName: { Ref: 'Cluster' }, AddonName: 'kube-proxy' } },
      Nodegroup: {
        Type: 'AWS::EKS::Nodegroup',
        DependsOn: ['VpcCni', 'KubeProxy'],
        Properties: {
          ClusterName: { Ref: 'Cluster' },
          NodeRole: { 'Fn::GetAtt': ['NodeRole', 'Arn'] },
          Subnets: { Ref: 'SubnetIds' },
          InstanceTypes: ['t3.medium'],
          ScalingConfig: {
            MinSize: { Ref: 'NodeCount' },
            MaxSize: { Ref: 'NodeCount' },
            DesiredSize: { Ref: 'NodeCount' },
          },
          RemoteAccess: { 'Fn::If': ['HasKeyName', { Ec2SshKey: { Ref: 'KeyName' } }, { Ref: 'AWS::NoValue' }] },
        },
      },
      CoreDns: {
        Type: 'AWS::EKS::Addon',
        DependsOn: 'Nodegroup',
        Properties: { ClusterName: { Ref: 'Cluster' }, AddonName: 'coredns' },
      },
      EbsCsi: {
        Type: 'AWS::EKS::Addon',
        DependsOn: 'Nodegroup',
        Properties: {
          ClusterName: { Ref: 'Cluster' },
          AddonName: 'aws-ebs-csi-driver',
          ConfigurationValues: '{"defaultStorageClass":{"enabled":true}}',
        },
      },
      AdminAccess: {
        Type: 'AWS::EKS::AccessEntry',
        Condition: 'HasAdmin',
        Properties: {
          ClusterName: { Ref: 'Cluster' },
          PrincipalArn: { Ref: 'AdminPrincipalArn' },
          AccessPolicies: [
            {
              PolicyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
              AccessScope: { Type: 'cluster' },
            },
          ],
        },
      },
    },
    Outputs: {
      ClusterName: { Value: { Ref: 'Cluster' } },
      Endpoint: { Value: { 'Fn::GetAtt': ['Cluster', 'Endpoint'] } },
      Ca: { Value: { 'Fn::GetAtt': ['Cluster', 'CertificateAuthorityData'] } },
      Oidc: { Value: { 'Fn::GetAtt': ['Cluster', 'OpenIdConnectIssuerUrl'] } },
      NodeRoleArn: {
        Value: { 'Fn::GetAtt': ['NodeRole', 'Arn'] },
        Export: { Name: { 'Fn::Sub': '${AWS::StackName}-NodeRoleArn' } },
      },
      NodegroupName: { Value: { 'Fn::GetAtt': ['Nodegroup', 'NodegroupName'] } },
    },
  };
}

export function eksParameters(
  overrides: Record<string, string> = {},
): { ParameterKey: string; ParameterValue: string }[] {
  const values: Record<string, string> = {
    ClusterName: 'demo',
    ClusterRoleArn: DEMO.serviceRoleArn,
    SubnetIds: DEMO.subnetIds.join(','),
    SecurityGroupIds: DEMO.securityGroupId,
    // Not the stack creator: EKS already gives the creator an access entry.
    AdminPrincipalArn: DEMO.serviceRoleArn,
    ...overrides,
  };
  return Object.entries(values).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue }));
}
