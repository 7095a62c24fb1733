/**
 * Which property changes replace a resource: the resource schemas' `createOnlyProperties` (JSON pointers)
 * for the types the sandbox models, as the CloudFormation registry publishes them. Any other property is
 * updated in place (no interruption). `test/sandbox/cloudformation-update.test.ts` checks this table
 * against the schemas shipped with cfn-lint.
 */
export const CREATE_ONLY_PROPERTIES: Record<string, readonly string[]> = {
  'AWS::EKS::Cluster': [
    '/properties/OutpostConfig',
    '/properties/EncryptionConfig',
    '/properties/KubernetesNetworkConfig/IpFamily',
    '/properties/KubernetesNetworkConfig/ServiceIpv4Cidr',
    '/properties/AccessConfig/BootstrapClusterCreatorAdminPermissions',
    '/properties/Name',
    '/properties/RoleArn',
    '/properties/BootstrapSelfManagedAddons',
  ],
  'AWS::EKS::Nodegroup': [
    '/properties/CapacityType',
    '/properties/NodegroupName',
    '/properties/RemoteAccess',
    '/properties/NodeRole',
    '/properties/ClusterName',
    '/properties/InstanceTypes',
    '/properties/DiskSize',
    '/properties/AmiType',
    '/properties/Subnets',
  ],
  'AWS::EKS::Addon': ['/properties/ClusterName', '/properties/AddonName', '/properties/NamespaceConfig'],
  'AWS::EKS::AccessEntry': ['/properties/PrincipalArn', '/properties/ClusterName', '/properties/Type'],
  'AWS::IAM::Role': ['/properties/Path', '/properties/RoleName'],
  'AWS::EC2::SecurityGroup': ['/properties/GroupDescription', '/properties/GroupName', '/properties/VpcId'],
  'AWS::EC2::SecurityGroupIngress': [
    '/properties/GroupName',
    '/properties/IpProtocol',
    '/properties/SourceSecurityGroupId',
    '/properties/SourcePrefixListId',
    '/properties/ToPort',
    '/properties/CidrIp',
    '/properties/SourceSecurityGroupName',
    '/properties/SourceSecurityGroupOwnerId',
    '/properties/FromPort',
    '/properties/GroupId',
    '/properties/CidrIpv6',
  ],
  'AWS::EC2::LaunchTemplate': ['/properties/LaunchTemplateName'],
};

/** The property that names a resource (a custom name makes a replacement fail). */
export const NAME_PROPERTY: Record<string, string> = {
  'AWS::EKS::Cluster': 'Name',
  'AWS::EKS::Nodegroup': 'NodegroupName',
  'AWS::IAM::Role': 'RoleName',
  'AWS::EC2::SecurityGroup': 'GroupName',
  'AWS::EC2::LaunchTemplate': 'LaunchTemplateName',
};

function at(value: unknown, path: string[]): unknown {
  let v = value;
  for (const k of path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/**
 * `Always` when changing top-level property `name` from `before` to `after` replaces the resource (the
 * property, or a create-only member inside it, changes), else `Never`.
 */
export function requiresRecreation(type: string, name: string, before: unknown, after: unknown): 'Always' | 'Never' {
  for (const pointer of CREATE_ONLY_PROPERTIES[type] ?? []) {
    const [, , top, ...rest] = pointer.split('/');
    if (top !== name) continue;
    if (!sameValue(at(before, rest), at(after, rest))) return 'Always';
  }
  return 'Never';
}
