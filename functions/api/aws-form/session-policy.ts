/**
 * The session policy the form-data routes assume role B with. A session policy can only narrow
 * what role B may do, so these credentials can read exactly the calls below and create nothing,
 * whatever role B's own policy allows. Keep FORM_DATA_ACTIONS equal to what form-data.ts sends (a
 * test checks it); PROOF_ACTIONS is what the External ID proof (lib/aws/external-id-proof.ts) sends.
 */
export const FORM_DATA_ACTIONS = [
  'ec2:DescribeRegions',
  'ec2:DescribeVpcs',
  'ec2:DescribeSubnets',
  'ec2:DescribeSecurityGroups',
  'ec2:DescribeKeyPairs',
  'ec2:DescribeInstanceTypeOfferings',
  'ec2:DescribeInstanceTypes',
  'iam:ListRoles',
  'iam:ListUsers',
  'iam:ListAttachedRolePolicies',
  'eks:DescribeClusterVersions',
] as const;

/** What the External ID proof sends with these credentials: role B reads its own trust policy. */
export const PROOF_ACTIONS = ['iam:GetRole'] as const;

export const READ_ONLY_SESSION_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'ReadFormDataOnly',
      Effect: 'Allow',
      Action: [...FORM_DATA_ACTIONS],
      Resource: '*',
    },
    {
      Sid: 'ReadOwnTrustPolicy',
      Effect: 'Allow',
      Action: [...PROOF_ACTIONS],
      Resource: '*',
    },
  ],
} as const;
