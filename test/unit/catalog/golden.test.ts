/**
 * Golden diagnoses: every code, with empty, rich and branch-picking evidence, serialized as the API,
 * events and records carry them. Written before the catalog was typed and split by phase; any change
 * to a title, message, remediation step, docs link or evidence shows up as a diff of the golden file.
 * A new code needs its cases here (the last test checks that every code has one).
 */
import { describe, expect, it } from 'vitest';
import * as catalog from '../../../functions/lib/diagnosis/catalog.js';
import { DIAGNOSIS_CODES, type Diagnosis, type DiagnosisCode } from '../../../functions/lib/diagnosis/types.js';

// Untyped on purpose: the golden cases must keep compiling whatever evidence types the catalog declares.
type Facts = Record<string, string | number | boolean | string[] | undefined>;
const make = catalog.makeDiagnosis as unknown as (code: DiagnosisCode, evidence?: Facts, extras?: object) => Diagnosis;

const RICH: Facts = {
  roleArn: 'arn:aws:iam::222222222222:role/eks-provisioner-provision',
  serviceRoleArn: 'arn:aws-cn:iam::222222222222:role/path/eks-cluster-role',
  region: 'eu-west-1',
  accountId: '222222222222',
  serviceAccountId: '111111111111',
  externalId: '0123456789abcdef0123456789abcdef01234567',
  roleNamePrefix: 'acme-',
  stackName: 'eks-provisioner-demo',
  stackId: 'arn:aws:cloudformation:eu-west-1:222222222222:stack/eks-provisioner-demo/1',
  clusterName: 'demo',
  clusterId: 'c-0001',
  keyName: 'demo-key',
  vpcId: 'vpc-0a1b2c3d4e5f60001',
  subnetIds: ['subnet-0a1b2c3d4e5f60014', 'subnet-0a1b2c3d4e5f60015'],
  securityGroupIds: ['sg-0a1b2c3d4e5f60021'],
  instanceType: 't3.medium',
  kubernetesVersion: '1.20',
  supportedVersions: ['1.33', '1.32'],
  availabilityZones: ['eu-west-1a'],
  unsupportedZones: ['eu-west-1d'],
  validZones: ['eu-west-1a', 'eu-west-1b'],
  action: 'ec2:DescribeSecurityGroups',
  resource: 'arn:aws:ec2:eu-west-1:222222222222:security-group/*',
  awsErrorCode: 'AccessDenied',
  awsMessage: 'User is not authorized',
  quotaName: 'Limit for clusters per region',
  instanceIds: ['i-0123456789abcdef0'],
  elapsedSeconds: 5400,
  maxSeconds: 5400,
  status: 'CREATE_IN_PROGRESS',
  reason: 'Resource handler returned message',
  logicalId: 'Cluster',
  resourceType: 'AWS::EKS::Cluster',
  physicalId: 'demo',
  operation: 'cloudformation:CreateStack',
  step: 'CreateClusterStack',
  field: 'serviceRoleArn',
  detail: 'The role does not exist in that account',
  quotaCode: 'L-1194D53C',
  executionArn: 'arn:aws:states:eu-west-1:111111111111:execution:provision:c-0001',
  consoleUrl: 'https://console.aws.amazon.com/states/home#/executions/details/x',
  error: 'States.Timeout',
  cause: 'The execution timed out',
  timeoutSeconds: 7200,
  readyNodes: 1,
  expectedNodes: 2,
  registeredNodes: 2,
  endpoint: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com',
  publicAccessCidrs: ['203.0.113.0/24'],
  privateOnly: 'false',
  why: 'it matches the External ID with StringLike',
  statementIndex: 1,
  offendingStatement: '{"Effect":"Allow"}',
  requestId: 'req-1',
};

type Case = [name: string, code: DiagnosisCode, evidence?: Facts, extras?: object];

const cause = make('CLUSTER_ROLE_MISSING_EKS_POLICY', {
  serviceRoleArn: 'arn:aws:iam::222222222222:role/a',
  stackName: 'eks-provisioner-demo',
});

/** Evidence that picks a branch of a template, per code. */
const BRANCHES: Case[] = [
  ['INVALID_ROLE_ARN no detail', 'INVALID_ROLE_ARN', { roleArn: 'arn:aws:iam::1:user/x' }],
  ['ROLLBACK_FAILED with cause', 'ROLLBACK_FAILED', { stackName: 's', region: 'us-east-1', reason: 'r' }, { cause }],
  ['VALIDATION_FAILED one field', 'VALIDATION_FAILED', {}, { fields: [{ path: 'name', message: 'is required' }] }],
  [
    'VALIDATION_FAILED two fields',
    'VALIDATION_FAILED',
    { detail: 'd' },
    {
      fields: [
        { path: '', message: 'bad' },
        { path: 'region', message: 'unknown' },
      ],
    },
  ],
  ['VALIDATION_FAILED detail only', 'VALIDATION_FAILED', { detail: 'Body is not JSON.' }],
  ['SUBNET_NOT_FOUND one', 'SUBNET_NOT_FOUND', { subnetIds: ['subnet-1'] }],
  ['SUBNET_NOT_IN_VPC one', 'SUBNET_NOT_IN_VPC', { subnetIds: ['subnet-1'], vpcId: 'vpc-1' }],
  [
    'SECURITY_GROUP_NOT_IN_VPC many with detail',
    'SECURITY_GROUP_NOT_IN_VPC',
    { securityGroupIds: ['sg-1', 'sg-2'], detail: 'does not exist in us-east-1' },
  ],
  [
    'SECURITY_GROUP_NOT_IN_VPC belongs',
    'SECURITY_GROUP_NOT_IN_VPC',
    { securityGroupIds: ['sg-1', 'sg-2'], detail: 'belongs to vpc-2' },
  ],
  [
    'INSTANCE_TYPE_NOT_OFFERED zones',
    'INSTANCE_TYPE_NOT_OFFERED',
    { instanceType: 'p5.48xlarge', availabilityZones: ['us-east-1a'] },
  ],
  ['PROVISIONING_TIMEOUT max only', 'PROVISIONING_TIMEOUT', { stackName: 's', maxSeconds: 100 }],
  [
    'UNKNOWN stack exists',
    'UNKNOWN',
    {
      stackName: 's',
      stackId: 'id',
      status: 'CREATE_FAILED',
      logicalId: 'Cluster',
      resourceType: 'AWS::EKS::Cluster',
      reason: 'r',
    },
  ],
  [
    'UNKNOWN operation',
    'UNKNOWN',
    { operation: 'cloudformation:CreateStack', stackName: 's', awsErrorCode: 'ValidationError', awsMessage: 'm' },
  ],
  ['UNKNOWN step', 'UNKNOWN', { step: 'ConfigureCluster', stackName: 's' }],
  ['UNKNOWN step alone', 'UNKNOWN', { step: 'ConfigureCluster' }],
  [
    'KUBERNETES_API_UNREACHABLE private',
    'KUBERNETES_API_UNREACHABLE',
    { privateOnly: 'true', clusterName: 'demo', detail: 'public endpoint access is disabled' },
  ],
  ['KUBERNETES_FORBIDDEN 401', 'KUBERNETES_FORBIDDEN', { status: '401', clusterName: 'demo' }],
  [
    'DELETE_FAILED in use with sg',
    'DELETE_FAILED',
    { stackName: 's', region: 'us-east-1', reason: 'resource sg-0abc has a dependent object', logicalId: 'ClusterSG' },
  ],
  [
    'DELETE_FAILED in use no sg',
    'DELETE_FAILED',
    { stackName: 's', awsErrorCode: 'DependencyViolation', awsMessage: 'm' },
  ],
  [
    'DELETE_FAILED not authorized',
    'DELETE_FAILED',
    { stackName: 's', reason: 'User is not authorized to perform eks:DeleteCluster', clusterId: 'c-1' },
  ],
  ['DELETE_FAILED status only', 'DELETE_FAILED', { stackName: 's', status: 'DELETE_FAILED', detail: 'd' }],
  ['DELETE_FAILED still deleting', 'DELETE_FAILED', { stackName: 's', status: 'DELETE_IN_PROGRESS' }],
  ['DELETE_EXECUTION_FAILED error only', 'DELETE_EXECUTION_FAILED', { error: 'States.Runtime', stackName: 's' }],
  [
    'EXTERNAL_ID_NOT_REQUIRED no why',
    'EXTERNAL_ID_NOT_REQUIRED',
    { roleArn: 'arn:aws-us-gov:iam::1:role/eks-provisioner-x' },
  ],
  ['TRUST_POLICY_UNREADABLE code only', 'TRUST_POLICY_UNREADABLE', { awsErrorCode: 'AccessDenied' }],
  ['ASSUME_ROLE_DENIED message only', 'ASSUME_ROLE_DENIED', { awsMessage: 'm' }],
  ['EXECUTION_FAILED error', 'EXECUTION_FAILED', { error: 'Lambda.Unknown' }],
  // Cluster updates.
  ['UPDATE_ROLLED_BACK from', 'UPDATE_ROLLED_BACK', { ...RICH, from: 'kubernetesVersion "1.31"' }],
  ['UPDATE_ROLLBACK_FAILED skip', 'UPDATE_ROLLBACK_FAILED', { ...RICH, skip: 'NodeGroup Addon' }],
  [
    'NODEGROUP_UPDATE_BLOCKED_BY_PDB pdb',
    'NODEGROUP_UPDATE_BLOCKED_BY_PDB',
    { ...RICH, nodegroupName: 'ng', pdb: 'checkout-pdb', namespace: 'shop' },
  ],
  ['NODEGROUP_UPDATE_BLOCKED_BY_PDB all namespaces', 'NODEGROUP_UPDATE_BLOCKED_BY_PDB', { pdb: 'checkout-pdb' }],
  [
    'NODEGROUP_UPDATE_BLOCKED_BY_PDB listed and matched to pods',
    'NODEGROUP_UPDATE_BLOCKED_BY_PDB',
    {
      nodegroupName: 'ng',
      pdb: 'checkout-pdb',
      namespace: 'default',
      budgets: 'default/checkout-pdb (minAvailable 1; 1 healthy of 1 expected, 1 needed; 0 disruptions allowed)',
      budgetsMatched: 'true',
      reason: 'Reached max retries while trying to evict pods from nodes in node group ng',
    },
  ],
  [
    'NODEGROUP_UPDATE_BLOCKED_BY_PDB listed, not matched to pods',
    'NODEGROUP_UPDATE_BLOCKED_BY_PDB',
    {
      nodegroupName: 'ng',
      pdb: 'a',
      namespace: 'x',
      budgets:
        'x/a (maxUnavailable 0; 2 healthy of 2 expected, 2 needed; 0 disruptions allowed); y/b (minAvailable 100%; 3 healthy of 3 expected, 3 needed; 0 disruptions allowed)',
      budgetsMatched: 'false',
    },
  ],
  [
    'NODEGROUP_UPDATE_BLOCKED_BY_PDB not listable',
    'NODEGROUP_UPDATE_BLOCKED_BY_PDB',
    {
      nodegroupName: 'ng',
      budgetListError: 'forbidden: poddisruptionbudgets.policy is forbidden',
      reason: 'Reached max retries while trying to evict pods from nodes in node group ng',
    },
  ],
  [
    'UPGRADE_BLOCKED_BY_INSIGHT insight',
    'UPGRADE_BLOCKED_BY_INSIGHT',
    { ...RICH, to: '1.33', insight: 'ERROR Deprecated APIs', insightId: 'ins-1' },
  ],
  [
    'UPDATE_NOT_PERMITTED rolled back',
    'UPDATE_NOT_PERMITTED',
    { ...RICH, rolledBack: true, statements: '{"Effect":"Allow"}' },
  ],
  [
    'NODEGROUP_VERSION_SKEW versions',
    'NODEGROUP_VERSION_SKEW',
    { ...RICH, nodegroupName: 'ng', nodeVersion: '1.29', clusterVersion: '1.32', to: '1.33', maxSkew: 3 },
  ],
  ['UPDATE_EXECUTION_ENDED ended', 'UPDATE_EXECUTION_ENDED', { ...RICH, ended: 'was stopped' }],
];

const CASES: Case[] = [
  ...DIAGNOSIS_CODES.flatMap((code): Case[] => [
    [`${code} empty`, code, {}],
    [`${code} rich`, code, RICH],
  ]),
  ...BRANCHES,
];

describe('golden diagnoses', () => {
  it('serialize exactly as recorded', async () => {
    const out: Record<string, unknown> = {};
    for (const [name, code, evidence, extras] of CASES)
      out[name] = JSON.parse(JSON.stringify(make(code, evidence, extras)));
    out['combined'] = catalog.combineDiagnoses([
      make('VPC_NOT_FOUND', { vpcId: 'vpc-1', region: 'us-east-1' }),
      make('KEY_PAIR_NOT_FOUND', { keyName: 'k', region: 'us-east-1' }),
      make('VALIDATION_FAILED', {}, { fields: [{ path: 'name', message: 'is required' }] }),
    ]);
    out['combined one'] = catalog.combineDiagnoses([make('VPC_NOT_FOUND', { vpcId: 'vpc-1' })]);
    await expect(`${JSON.stringify(out, null, 2)}\n`).toMatchFileSnapshot('./golden/diagnoses.json');
  });

  it('cover every code', () => {
    const covered = new Set(CASES.map(([, code]) => code));
    expect(DIAGNOSIS_CODES.filter((c) => !covered.has(c))).toEqual([]);
  });
});
