/**
 * The session policy PATCH ?dryRun=true assumes role B with. The dry run promises to change nothing, and
 * the API reads the customer's account only (like the form-data routes, aws-form/session-policy.ts):
 * a session policy narrows role B to exactly the reads the update pre-flight
 * (update-cluster/preflight.ts) sends, whatever role B's own policy allows. A test checks this list
 * against the commands that module sends.
 */
export const UPDATE_PREFLIGHT_ACTIONS = [
  'cloudformation:DescribeStacks',
  'eks:DescribeCluster',
  'eks:DescribeNodegroup',
  'eks:ListInsights',
  'eks:DescribeInsight',
  'eks:ListAccessEntries',
  'ec2:DescribeSubnets',
] as const;

export const UPDATE_PREFLIGHT_SESSION_POLICY = {
  Version: '2012-10-17',
  Statement: [
    { Sid: 'ReadUpdatePreflightOnly', Effect: 'Allow', Action: [...UPDATE_PREFLIGHT_ACTIONS], Resource: '*' },
  ],
} as const;
