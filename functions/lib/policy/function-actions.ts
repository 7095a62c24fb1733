/**
 * Calls the service's functions make with role B's credentials (DescribeVpcResources pre-flight,
 * the form-data API, the stack handlers). The policy test scans functions/**\/*.ts for every AWS SDK
 * command and fails when one is missing here (or is not on its allowlist of service-credential calls),
 * and when an action here is no longer sent by any function (least privilege does not rot).
 */
export const FUNCTION_ACTIONS: string[] = [
  // CreateClusterStack / PollClusterStack / DiagnoseFailure / FinalizeCluster
  'cloudformation:CreateStack',
  'cloudformation:DescribeStacks',
  'cloudformation:DescribeStackEvents',
  'eks:DescribeCluster',
  'eks:DescribeNodegroup',
  // Pre-flight and form data (regions, VPCs, subnets, SGs, key pairs, instance types, roles, versions)
  'ec2:DescribeRegions',
  'ec2:DescribeAvailabilityZones',
  'ec2:DescribeVpcs',
  'ec2:DescribeSubnets',
  'ec2:DescribeSecurityGroups',
  'ec2:DescribeKeyPairs',
  'ec2:DescribeInstanceTypeOfferings',
  'ec2:DescribeInstanceTypes',
  'eks:DescribeClusterVersions',
  // Also role B reading its own trust policy: the External ID proof (aws/external-id-proof.ts).
  'iam:GetRole',
  'iam:ListRoles',
  // GET /v1/aws/principals (adminPrincipalArns candidates)
  'iam:ListUsers',
  'iam:ListAttachedRolePolicies',
  // Pre-flight of onFailure ROLLBACK: role B reads its own policies to prove it may delete what the stack makes
  'iam:ListRolePolicies',
  'iam:GetRolePolicy',
  'iam:GetPolicy',
  'iam:GetPolicyVersion',
];

/**
 * Updates (the update state machine): the change set on the cluster's own stack, and the update
 * pre-flight (access entries for drift, upgrade insights).
 */
export const FUNCTION_UPDATE_ACTIONS: string[] = [
  'cloudformation:CreateChangeSet',
  'cloudformation:DescribeChangeSet',
  'cloudformation:ExecuteChangeSet',
  'eks:ListAccessEntries',
  'eks:ListInsights',
  'eks:DescribeInsight',
];

/** Deleting what the service made (opt-in only). */
export const FUNCTION_DELETE_ACTIONS: string[] = ['cloudformation:DeleteStack'];
