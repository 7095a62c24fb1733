/**
 * DescribeVpcResources against mocked EC2/EKS/IAM/CloudFormation shaped like the demo world
 *: AWS's own error codes and messages, pagination on every list call.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  DescribeAvailabilityZonesCommand,
  DescribeInstanceTypeOfferingsCommand,
  DescribeKeyPairsCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
  type Subnet,
} from '@aws-sdk/client-ec2';
import { DescribeClusterCommand, DescribeClusterVersionsCommand, EKSClient } from '@aws-sdk/client-eks';
import {
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { handler } from '../../../functions/describe-vpc-resources/handler.js';
import {
  describeVpcResources,
  type PreflightRequest,
  roleNameOf,
  trustsService,
} from '../../../functions/describe-vpc-resources/preflight.js';
import {
  cloudFormationClient,
  ec2Client,
  eksClient,
  iamClient,
  RoleSession,
} from '../../../functions/lib/aws/clients.js';
import { clearCredentialCache } from '../../../functions/lib/aws/provision-role.js';
import { DiagnosedError } from '../../../functions/lib/errors.js';
import { provisionRoleDeleteStatement } from '../../../functions/lib/policy/delete-statement.js';
import { provisionRolePolicy } from '../../../functions/lib/policy/provision-policy.js';
import { roleNameOf as schemaRoleNameOf } from '../../../functions/lib/schema/cluster-settings.js';
import type { ValidatedRequest } from '../../../functions/lib/state.js';
import { DynamoStore } from '../../../functions/lib/store/dynamo-store.js';
import { TAG_KEYS } from '../../../functions/lib/template/constants.js';
import { demoSettings } from '../../support/demo-settings.js';
import { awsError, credentialLeaks, FAKE_STS_CREDENTIALS, FIXTURES } from '../aws/fixtures.js';

const ec2 = mockClient(EC2Client);
const eks = mockClient(EKSClient);
const iam = mockClient(IAMClient);
const cfn = mockClient(CloudFormationClient);
const sts = mockClient(STSClient);

const VPC = 'vpc-0a1b2c3d4e5f60001';
const SUBNETS: Subnet[] = [
  {
    SubnetId: 'subnet-0a1b2c3d4e5f60011',
    VpcId: VPC,
    AvailabilityZone: 'us-east-1a',
    AvailabilityZoneId: 'use1-az1',
    CidrBlock: '10.0.0.0/20',
  },
  {
    SubnetId: 'subnet-0a1b2c3d4e5f60012',
    VpcId: VPC,
    AvailabilityZone: 'us-east-1b',
    AvailabilityZoneId: 'use1-az2',
    CidrBlock: '10.0.16.0/20',
  },
  {
    SubnetId: 'subnet-0a1b2c3d4e5f60013',
    VpcId: VPC,
    AvailabilityZone: 'us-east-1c',
    AvailabilityZoneId: 'use1-az4',
    CidrBlock: '10.0.32.0/20',
  },
  {
    SubnetId: 'subnet-0a1b2c3d4e5f60014',
    VpcId: VPC,
    AvailabilityZone: 'us-east-1d',
    AvailabilityZoneId: 'use1-az3',
    CidrBlock: '10.0.48.0/20',
  },
];
const SG = 'sg-0a1b2c3d4e5f60021';

function request(over: Partial<ValidatedRequest['cluster']> = {}, clusterId = 'c-aaaaaaaaaaaa'): PreflightRequest {
  return {
    tenantId: 'local',
    clusterId,
    cluster: demoSettings({ vpcId: VPC, securityGroupIds: [SG], tags: {}, ...over }),
    accountId: '222222222222',
    region: 'us-east-1',
    stackName: 'eks-provisioner-demo',
    executionArn: 'arn:aws:states:us-east-1:111111111111:execution:sm:c-aaaaaaaaaaaa',
    startedAt: '2026-03-01T10:00:00.000Z',
    identity: {
      accountId: '222222222222',
      assumedRoleArn: 'arn:aws:sts::222222222222:assumed-role/eks-provisioner-provision/x',
    },
  };
}

const clients = () => {
  const session = new RoleSession('us-east-1', {
    accessKeyId: FAKE_STS_CREDENTIALS.AccessKeyId,
    secretAccessKey: FAKE_STS_CREDENTIALS.SecretAccessKey,
  });
  return {
    ec2: ec2Client(session),
    eks: eksClient(session),
    iam: iamClient(session),
    cloudformation: cloudFormationClient(session),
  };
};

/** Answers by id or by filter, like EC2; ids that do not exist fail the by-id call. */
function subnetsFor(input: { SubnetIds?: string[]; Filters?: Array<{ Name?: string; Values?: string[] }> }) {
  if (input.SubnetIds) {
    const missing = input.SubnetIds.filter((id) => !SUBNETS.some((s) => s.SubnetId === id));
    if (missing.length) throw FIXTURES.subnetNotFound(missing[0]);
    return SUBNETS.filter((s) => input.SubnetIds?.includes(s.SubnetId ?? ''));
  }
  const ids = input.Filters?.find((f) => f.Name === 'subnet-id')?.Values ?? [];
  return SUBNETS.filter((s) => ids.includes(s.SubnetId ?? ''));
}

const trust = (service: string) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: ['sts:AssumeRole', 'sts:TagSession'] }],
});

function happyWorld() {
  ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: VPC, CidrBlock: '10.0.0.0/16', State: 'available' }] });
  // Two pages of subnets: the paginator must follow NextToken.
  ec2.on(DescribeSubnetsCommand).callsFake((input) => {
    const found = subnetsFor(input);
    if (!input.NextToken && found.length > 1) return { Subnets: found.slice(0, 1), NextToken: 'subnets-page-2' };
    return { Subnets: input.NextToken ? found.slice(1) : found };
  });
  ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: SG, VpcId: VPC, GroupName: 'demo' }] });
  ec2.on(DescribeKeyPairsCommand).resolves({ KeyPairs: [{ KeyName: 'demo-key', KeyPairId: 'key-0a1b2c3d4e5f60031' }] });
  ec2.on(DescribeInstanceTypeOfferingsCommand).callsFake((input) => {
    const zones = input.Filters?.find((f: { Name: string }) => f.Name === 'location')?.Values ?? [];
    const all = zones.map((z: string) => ({
      InstanceType: 't3.medium',
      LocationType: 'availability-zone',
      Location: z,
    }));
    return input.NextToken
      ? { InstanceTypeOfferings: all.slice(1) }
      : { InstanceTypeOfferings: all.slice(0, 1), NextToken: 'offers-page-2' };
  });
  ec2.on(DescribeAvailabilityZonesCommand).resolves({
    AvailabilityZones: ['a:use1-az1', 'b:use1-az2', 'c:use1-az4', 'd:use1-az3', 'e:use1-az5', 'f:use1-az6'].map((x) => {
      const [l, id] = x.split(':');
      return { ZoneName: `us-east-1${l}`, ZoneId: id, State: 'available', ZoneType: 'availability-zone' };
    }),
  });
  // The newest standard-support version is on the second page.
  eks.on(DescribeClusterVersionsCommand).callsFake((input) =>
    input.nextToken
      ? {
          clusterVersions: [
            { clusterVersion: '1.33', versionStatus: 'STANDARD_SUPPORT' },
            { clusterVersion: '1.32', versionStatus: 'STANDARD_SUPPORT' },
          ],
        }
      : {
          clusterVersions: [
            { clusterVersion: '1.30', versionStatus: 'EXTENDED_SUPPORT' },
            { clusterVersion: '1.31', versionStatus: 'STANDARD_SUPPORT' },
          ],
          nextToken: 'v2',
        },
  );
  eks.on(DescribeClusterCommand).rejects(FIXTURES.eksClusterMissing());
  iam.on(GetRoleCommand).resolves({
    Role: {
      RoleName: 'eks-cluster-role',
      Arn: 'arn:aws:iam::222222222222:role/eks-cluster-role',
      Path: '/',
      RoleId: 'AROAEXAMPLE',
      CreateDate: new Date(),
      // IAM returns the trust policy URL-encoded.
      AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(trust('eks.amazonaws.com'))),
    },
  });
  // AmazonEKSClusterPolicy on the second page.
  iam.on(ListAttachedRolePoliciesCommand).callsFake((input) =>
    input.Marker
      ? {
          AttachedPolicies: [
            { PolicyName: 'AmazonEKSClusterPolicy', PolicyArn: 'arn:aws:iam::aws:policy/AmazonEKSClusterPolicy' },
          ],
          IsTruncated: false,
        }
      : {
          AttachedPolicies: [{ PolicyName: 'ReadOnly', PolicyArn: 'arn:aws:iam::222222222222:policy/ReadOnly' }],
          IsTruncated: true,
          Marker: 'm2',
        },
  );
  cfn.on(DescribeStacksCommand).rejects(FIXTURES.stackMissing());
}

async function problemsOf(p: Promise<unknown>) {
  const err = await p.catch((e: unknown) => e);
  expect(err, 'expected a DiagnosedError').toBeInstanceOf(DiagnosedError);
  return (err as DiagnosedError).diagnosis;
}

beforeEach(() => {
  for (const m of [ec2, eks, iam, cfn, sts]) m.reset();
  clearCredentialCache();
  happyWorld();
});

describe('roleNameOf (kept out of the schema module for bundle size)', () => {
  it('agrees with the schema on role ARNs the settings accept', () => {
    for (const arn of [
      'arn:aws:iam::222222222222:role/eks-cluster-role',
      'arn:aws:iam::222222222222:role/a/b/eks-cluster-role',
      'arn:aws-cn:iam::222222222222:role/service-role/x+=,.@-_1',
      'arn:aws-us-gov:iam::222222222222:role/p/',
    ]) {
      expect(roleNameOf(arn), arn).toBe(schemaRoleNameOf(arn));
    }
  });
});

describe('DescribeVpcResources: the demo world passes', () => {
  it('returns the facts later steps need, following every paginated list', async () => {
    const out = await describeVpcResources(request(), clients());
    expect(out).toEqual({
      kubernetesVersion: '1.33',
      vpcId: VPC,
      subnets: [
        { subnetId: 'subnet-0a1b2c3d4e5f60011', availabilityZone: 'us-east-1a', availabilityZoneId: 'use1-az1' },
        { subnetId: 'subnet-0a1b2c3d4e5f60012', availabilityZone: 'us-east-1b', availabilityZoneId: 'use1-az2' },
        { subnetId: 'subnet-0a1b2c3d4e5f60013', availabilityZone: 'us-east-1c', availabilityZoneId: 'use1-az4' },
      ],
      availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
      securityGroupIds: [SG],
      serviceRoleArn: 'arn:aws:iam::222222222222:role/eks-cluster-role',
      keyName: 'demo-key',
    });
    expect(ec2.commandCalls(DescribeSubnetsCommand)).toHaveLength(2);
    expect(ec2.commandCalls(DescribeInstanceTypeOfferingsCommand)).toHaveLength(2);
    expect(eks.commandCalls(DescribeClusterVersionsCommand)).toHaveLength(2);
    expect(iam.commandCalls(ListAttachedRolePoliciesCommand)).toHaveLength(2);
    expect(credentialLeaks(out)).toEqual([]);
  });

  it('keeps an offered version the caller chose', async () => {
    expect((await describeVpcResources(request({ kubernetesVersion: '1.30' }), clients())).kubernetesVersion).toBe(
      '1.30',
    );
  });

  it("accepts a stack or cluster of that name when it is this cluster's own (a retried step)", async () => {
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'eks-provisioner-demo',
          StackStatus: 'CREATE_IN_PROGRESS',
          CreationTime: new Date(),
          Tags: [{ Key: TAG_KEYS.clusterId, Value: 'c-aaaaaaaaaaaa' }],
        },
      ],
    });
    eks
      .on(DescribeClusterCommand)
      .resolves({ cluster: { name: 'demo', status: 'CREATING', tags: { [TAG_KEYS.clusterId]: 'c-aaaaaaaaaaaa' } } });
    await expect(describeVpcResources(request(), clients())).resolves.toBeDefined();
  });

  it('the Lambda handler assumes role B itself and returns no credential', async () => {
    sts.on(AssumeRoleCommand).resolves({
      Credentials: FAKE_STS_CREDENTIALS,
      AssumedRoleUser: {
        Arn: 'arn:aws:sts::222222222222:assumed-role/eks-provisioner-provision/x',
        AssumedRoleId: 'x',
      },
    });
    const spy = vi
      .spyOn(DynamoStore.prototype, 'getTenant')
      .mockResolvedValue({ tenantId: 'local', externalId: 'e'.repeat(40), createdAt: 'x' });
    try {
      const out = await handler(request());
      expect(out.kubernetesVersion).toBe('1.33');
      expect(credentialLeaks(out)).toEqual([]);
      expect(sts.commandCalls(AssumeRoleCommand)[0]?.args[0].input.ExternalId).toBe('e'.repeat(40));
    } finally {
      spy.mockRestore();
    }
  });
});

describe('DescribeVpcResources: each failure has its own code', () => {
  it('VPC missing → VPC_NOT_FOUND (from InvalidVpcID.NotFound)', async () => {
    ec2.on(DescribeVpcsCommand).callsFake((input) => {
      if (input.VpcIds) throw FIXTURES.vpcNotFound(VPC);
      return { Vpcs: [] };
    });
    const d = await problemsOf(describeVpcResources(request(), clients()));
    expect(d.code).toBe('VPC_NOT_FOUND');
    expect(d.message).toContain(VPC);
  });

  it('every missing subnet is named, though EC2 names only the first', async () => {
    const d = await problemsOf(
      describeVpcResources(
        request({ subnetIds: ['subnet-0a1b2c3d4e5f60011', 'subnet-0a1b2c3d4e5f60098', 'subnet-0a1b2c3d4e5f60099'] }),
        clients(),
      ),
    );
    expect(d.code).toBe('SUBNET_NOT_FOUND');
    expect(d.evidence?.subnetIds).toEqual(['subnet-0a1b2c3d4e5f60098', 'subnet-0a1b2c3d4e5f60099']);
  });

  it('subnet of another VPC → SUBNET_NOT_IN_VPC', async () => {
    SUBNETS.push({
      SubnetId: 'subnet-0a1b2c3d4e5f60077',
      VpcId: 'vpc-0a1b2c3d4e5f60777',
      AvailabilityZone: 'us-east-1b',
      AvailabilityZoneId: 'use1-az2',
    });
    try {
      const d = await problemsOf(
        describeVpcResources(
          request({ subnetIds: ['subnet-0a1b2c3d4e5f60011', 'subnet-0a1b2c3d4e5f60077'] }),
          clients(),
        ),
      );
      expect(d.code).toBe('SUBNET_NOT_IN_VPC');
      expect(d.message).toContain('subnet-0a1b2c3d4e5f60077 is in vpc-0a1b2c3d4e5f60777');
    } finally {
      SUBNETS.pop();
    }
  });

  it('a subnet in use1-az3 → UNSUPPORTED_AVAILABILITY_ZONE with the zones EKS accepts', async () => {
    const d = await problemsOf(
      describeVpcResources(
        request({ subnetIds: ['subnet-0a1b2c3d4e5f60011', 'subnet-0a1b2c3d4e5f60012', 'subnet-0a1b2c3d4e5f60014'] }),
        clients(),
      ),
    );
    expect(d.code).toBe('UNSUPPORTED_AVAILABILITY_ZONE');
    expect(d.evidence?.unsupportedZones).toEqual(['us-east-1d (use1-az3)']);
    expect(d.evidence?.validZones).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1e', 'us-east-1f']);
    expect(d.problems).toHaveLength(1);
  });

  it('two subnets in one zone → SUBNETS_INSUFFICIENT', async () => {
    SUBNETS.push({
      SubnetId: 'subnet-0a1b2c3d4e5f60015',
      VpcId: VPC,
      AvailabilityZone: 'us-east-1a',
      AvailabilityZoneId: 'use1-az1',
    });
    try {
      const d = await problemsOf(
        describeVpcResources(
          request({ subnetIds: ['subnet-0a1b2c3d4e5f60011', 'subnet-0a1b2c3d4e5f60015'] }),
          clients(),
        ),
      );
      expect(d.code).toBe('SUBNETS_INSUFFICIENT');
      expect(d.message).toContain('us-east-1a');
    } finally {
      SUBNETS.pop();
    }
  });

  it('security group of another VPC, or missing → SECURITY_GROUP_NOT_IN_VPC', async () => {
    ec2.on(DescribeSecurityGroupsCommand).callsFake((input) => {
      if (input.GroupIds) throw FIXTURES.groupNotFound('sg-0a1b2c3d4e5f60029');
      return { SecurityGroups: [{ GroupId: 'sg-0a1b2c3d4e5f60022', VpcId: 'vpc-0a1b2c3d4e5f60777' }] };
    });
    const d = await problemsOf(
      describeVpcResources(request({ securityGroupIds: ['sg-0a1b2c3d4e5f60022', 'sg-0a1b2c3d4e5f60029'] }), clients()),
    );
    expect(d.problems?.map((p) => p.code)).toEqual(['SECURITY_GROUP_NOT_IN_VPC', 'SECURITY_GROUP_NOT_IN_VPC']);
    expect(d.message).toContain('sg-0a1b2c3d4e5f60029 does not exist in us-east-1');
    expect(d.message).toContain('sg-0a1b2c3d4e5f60022 is in vpc-0a1b2c3d4e5f60777');
  });

  it('UnauthorizedOperation on DescribeSecurityGroups → SECURITY_GROUPS_NOT_LOADED', async () => {
    ec2.on(DescribeSecurityGroupsCommand).rejects(FIXTURES.unauthorizedSecurityGroups());
    const d = await problemsOf(describeVpcResources(request(), clients()));
    expect(d.code).toBe('SECURITY_GROUPS_NOT_LOADED');
    expect(d.message).toContain('ec2:DescribeSecurityGroups');
  });

  it('key pair absent in the region → KEY_PAIR_NOT_FOUND, saying key pairs are regional', async () => {
    ec2.on(DescribeKeyPairsCommand).rejects(FIXTURES.keyPairNotFound('demo-key'));
    const d = await problemsOf(describeVpcResources(request(), clients()));
    expect(d.code).toBe('KEY_PAIR_NOT_FOUND');
    expect(d.message).toContain('Key pairs are regional');
  });

  it('instance type missing in a zone → INSTANCE_TYPE_NOT_OFFERED', async () => {
    ec2.on(DescribeInstanceTypeOfferingsCommand).resolves({
      InstanceTypeOfferings: [
        { InstanceType: 'p5.48xlarge', LocationType: 'availability-zone', Location: 'us-east-1a' },
      ],
    });
    const d = await problemsOf(describeVpcResources(request({ instanceType: 'p5.48xlarge' }), clients()));
    expect(d.code).toBe('INSTANCE_TYPE_NOT_OFFERED');
    expect(d.evidence?.unsupportedZones).toEqual(['us-east-1b', 'us-east-1c']);
  });

  it('version not offered → KUBERNETES_VERSION_UNSUPPORTED listing the offered ones', async () => {
    const d = await problemsOf(describeVpcResources(request({ kubernetesVersion: '1.20' }), clients()));
    expect(d.code).toBe('KUBERNETES_VERSION_UNSUPPORTED');
    expect(d.evidence?.supportedVersions).toEqual(['1.33', '1.32', '1.31', '1.30']);
  });

  it('role A missing → INVALID_ROLE_ARN (NoSuchEntity)', async () => {
    iam.on(GetRoleCommand).rejects(FIXTURES.noSuchRole('eks-cluster-role'));
    const d = await problemsOf(describeVpcResources(request(), clients()));
    expect(d.code).toBe('INVALID_ROLE_ARN');
    expect(d.message).toContain('does not exist in account 222222222222');
  });

  it('role A without AmazonEKSClusterPolicy → CLUSTER_ROLE_MISSING_EKS_POLICY before any stack is made', async () => {
    iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [], IsTruncated: false });
    const d = await problemsOf(
      describeVpcResources(request({ serviceRoleArn: 'arn:aws:iam::222222222222:role/eks-cluster-role' }), clients()),
    );
    expect(d.code).toBe('CLUSTER_ROLE_MISSING_EKS_POLICY');
    expect(d.message).toContain("The provided role doesn't have the Amazon EKS Managed Policies associated with it.");
  });

  it('role A that EKS may not assume → INVALID_ROLE_ARN saying so', async () => {
    iam.on(GetRoleCommand).resolves({
      Role: {
        RoleName: 'eks-cluster-role',
        Arn: 'arn:aws:iam::222222222222:role/eks-cluster-role',
        Path: '/',
        RoleId: 'x',
        CreateDate: new Date(),
        AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(trust('ec2.amazonaws.com'))),
      },
    });
    const d = await problemsOf(describeVpcResources(request(), clients()));
    expect(d.code).toBe('INVALID_ROLE_ARN');
    expect(d.message).toContain('does not trust eks.amazonaws.com');
  });

  it('reads trust policies in the shapes IAM allows', () => {
    expect(trustsService(JSON.stringify(trust('eks.amazonaws.com')), 'eks.amazonaws.com')).toBe(true);
    expect(
      trustsService(
        encodeURIComponent(
          JSON.stringify({
            Statement: {
              Effect: 'Allow',
              Principal: { Service: ['ec2.amazonaws.com', 'eks.amazonaws.com'] },
              Action: 'sts:AssumeRole',
            },
          }),
        ),
        'eks.amazonaws.com',
      ),
    ).toBe(true);
    expect(
      trustsService(
        JSON.stringify({
          Statement: [{ Effect: 'Deny', Principal: { Service: 'eks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        }),
        'eks.amazonaws.com',
      ),
    ).toBe(false);
    expect(trustsService(undefined, 'eks.amazonaws.com')).toBeUndefined();
    expect(trustsService('%7Bnot json', 'eks.amazonaws.com')).toBeUndefined();
  });

  it('iam:GetRole denied → PERMISSION_DENIED naming the action', async () => {
    iam.on(GetRoleCommand).rejects(FIXTURES.iamDenied('iam:GetRole'));
    const d = await problemsOf(describeVpcResources(request(), clients()));
    expect(d.code).toBe('PERMISSION_DENIED');
    expect(d.evidence?.action).toBe('iam:GetRole');
  });

  it('a foreign stack or EKS cluster of that name → NAME_ALREADY_IN_USE', async () => {
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [{ StackName: 'eks-provisioner-demo', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date() }],
    });
    eks.on(DescribeClusterCommand).resolves({ cluster: { name: 'demo', status: 'ACTIVE', tags: {} } });
    const d = await problemsOf(describeVpcResources(request(), clients()));
    expect(d.problems?.map((p) => p.code)).toEqual(['NAME_ALREADY_IN_USE', 'NAME_ALREADY_IN_USE']);
    expect(d.message).toContain('CloudFormation stack eks-provisioner-demo (CREATE_COMPLETE)');
    expect(d.message).toContain('EKS cluster demo (ACTIVE)');
  });

  it('reports every problem found in one diagnosis', async () => {
    ec2.on(DescribeKeyPairsCommand).rejects(FIXTURES.keyPairNotFound('demo-key'));
    iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [], IsTruncated: false });
    eks.on(DescribeClusterCommand).resolves({ cluster: { name: 'demo', status: 'ACTIVE' } });
    const d = await problemsOf(
      describeVpcResources(
        request({
          subnetIds: ['subnet-0a1b2c3d4e5f60011', 'subnet-0a1b2c3d4e5f60014', 'subnet-0a1b2c3d4e5f60099'],
          kubernetesVersion: '1.20',
        }),
        clients(),
      ),
    );
    expect(d.problems?.map((p) => p.code)).toEqual([
      'SUBNET_NOT_FOUND',
      'UNSUPPORTED_AVAILABILITY_ZONE',
      'KEY_PAIR_NOT_FOUND',
      'KUBERNETES_VERSION_UNSUPPORTED',
      'CLUSTER_ROLE_MISSING_EKS_POLICY',
      'NAME_ALREADY_IN_USE',
    ]);
    expect(d.code).toBe('SUBNET_NOT_FOUND');
    expect(d.title).toBe('6 problems found before creating anything');
    expect(d.remediation.length).toBeGreaterThanOrEqual(6);
  });
});

describe('DescribeVpcResources: retryable failures stop the step', () => {
  it.each([
    ['RequestLimitExceeded', () => FIXTURES.ec2RequestLimit(), 'AwsThrottled'],
    ['a 500', () => awsError('ec2', 'InternalError', 'An internal error has occurred', 500), 'AwsTransient'],
  ])('%s on DescribeSubnets → %s', async (_l, make, name) => {
    ec2.on(DescribeSubnetsCommand).rejects(make());
    const err = (await describeVpcResources(request(), clients()).catch((e: unknown) => e)) as Error;
    expect(err.name).toBe(name);
  });

  it('throttled EKS → AwsThrottled', async () => {
    eks.on(DescribeClusterVersionsCommand).rejects(awsError('eks', 'ThrottlingException', 'Rate exceeded'));
    expect(((await describeVpcResources(request(), clients()).catch((e: unknown) => e)) as Error).name).toBe(
      'AwsThrottled',
    );
  });
});

describe('DescribeVpcResources: onFailure ROLLBACK needs the delete statement on role B', () => {
  const roleB = () => roleNameOf(request().cluster.provisionRoleArn);
  /** Role B with these inline policies (and no attached ones); role A keeps its own answers. */
  function roleBWith(inline: Record<string, unknown>) {
    iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: Object.keys(inline), IsTruncated: false });
    iam.on(GetRolePolicyCommand).callsFake((input) => ({
      RoleName: input.RoleName,
      PolicyName: input.PolicyName,
      PolicyDocument: encodeURIComponent(JSON.stringify(inline[input.PolicyName])),
    }));
    iam
      .on(ListAttachedRolePoliciesCommand, { RoleName: roleB() })
      .resolves({ AttachedPolicies: [], IsTruncated: false });
  }

  it('KEEP reads nothing more', async () => {
    await describeVpcResources(request({ onFailure: 'KEEP' }), clients());
    expect(iam.commandCalls(ListRolePoliciesCommand)).toHaveLength(0);
  });

  it('ROLLBACK without the delete statement → VALIDATION_FAILED on onFailure naming what is missing, before any stack is made', async () => {
    roleBWith({ provision: provisionRolePolicy() });
    const d = await problemsOf(describeVpcResources(request({ onFailure: 'ROLLBACK' }), clients()));
    expect(d.code).toBe('VALIDATION_FAILED');
    expect(d.fields?.map((f) => f.path)).toEqual(['onFailure']);
    expect(d.fields?.[0]?.message).toMatch(/cloudformation:DeleteStack/);
    expect(d.fields?.[0]?.message).toMatch(/provisionRoleDeleteStatement/);
    expect(d.fields?.[0]?.message).toMatch(/ROLLBACK_FAILED/);
  });

  it('ROLLBACK with the delete statement from GET /v1/setup passes', async () => {
    roleBWith({ provision: provisionRolePolicy(), 'eks-provisioner-delete': provisionRoleDeleteStatement() });
    await expect(describeVpcResources(request({ onFailure: 'ROLLBACK' }), clients())).resolves.toBeDefined();
  });

  it('an explicit Deny of a delete action wins over the statement', async () => {
    roleBWith({
      'eks-provisioner-delete': provisionRoleDeleteStatement(),
      deny: { Statement: [{ Effect: 'Deny', Action: 'eks:DeleteNodegroup', Resource: '*' }] },
    });
    const d = await problemsOf(describeVpcResources(request({ onFailure: 'ROLLBACK' }), clients()));
    expect(d.fields?.[0]?.message).toMatch(/eks:DeleteNodegroup/);
    expect(d.fields?.[0]?.message).not.toMatch(/cloudformation:DeleteStack/);
  });

  it('role B may not read its own policies (an older provision policy) → the same field error, saying so', async () => {
    iam
      .on(ListRolePoliciesCommand)
      .rejects(awsError('iam', 'AccessDenied', 'not authorized to perform: iam:ListRolePolicies'));
    const d = await problemsOf(describeVpcResources(request({ onFailure: 'ROLLBACK' }), clients()));
    expect(d.fields?.[0]?.path).toBe('onFailure');
    expect(d.fields?.[0]?.message).toMatch(/could not read its own policies/);
  });
});
