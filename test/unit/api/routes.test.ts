/**
 * Every route of the API, through the real handler (middy + http-router) with AWS mocked by
 * aws-sdk-client-mock and the in-memory store.
 */
import {
  DescribeInstanceTypeOfferingsCommand,
  DescribeInstanceTypesCommand,
  DescribeKeyPairsCommand,
  DescribeRegionsCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { DescribeClusterVersionsCommand, EKSClient } from '@aws-sdk/client-eks';
import { GetRoleCommand, IAMClient, ListAttachedRolePoliciesCommand, ListRolesCommand } from '@aws-sdk/client-iam';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { READ_ONLY_SESSION_POLICY } from '../../../functions/api/aws-form/session-policy.js';
import { forgetServiceIdentity } from '../../../functions/api/setup/setup.js';
import { clearCredentialCache } from '../../../functions/lib/aws/provision-role.js';
import { asCorrectRoleB, roleBGetRoleOutput, roleBReadsItsTrust, UNCONDITIONED_TRUST } from '../aws/fixtures.js';
import {
  CUSTOMER_ACCOUNT,
  issuedExternalIds,
  makeTestApi,
  ROLE_A,
  ROLE_B,
  SERVICE_ACCOUNT,
  seedRole,
  validSettings,
} from './helpers.js';

const sts = mockClient(STSClient);
const ec2 = mockClient(EC2Client);
const iam = mockClient(IAMClient);
const eks = mockClient(EKSClient);
const sfn = mockClient(SFNClient);

const awsError = (name: string, message: string, httpStatusCode = 400) =>
  Object.assign(new Error(message), {
    name,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode, requestId: 'req-1' },
  });

function assumeOk() {
  sts.on(AssumeRoleCommand).callsFake(
    asCorrectRoleB(
      () => issuedExternalIds,
      (input: { RoleArn?: string; ExternalId?: string }) => ({
        Credentials: {
          AccessKeyId: 'ASIAEXAMPLEEXAMPLE12',
          SecretAccessKey: 'secret/EXAMPLE/key',
          SessionToken: 'token',
          Expiration: new Date(Date.now() + 3_600_000),
        },
        AssumedRoleUser: {
          Arn: `arn:aws:sts::${input.RoleArn!.split(':')[4]}:assumed-role/eks-provisioner-provision/api-x`,
          AssumedRoleId: 'AROAEXAMPLE:api-x',
        },
      }),
    ),
  );
  iam.on(GetRoleCommand).callsFake(roleBReadsItsTrust(SERVICE_ACCOUNT));
}

beforeEach(() => {
  sts.reset();
  ec2.reset();
  iam.reset();
  eks.reset();
  sfn.reset();
  clearCredentialCache();
  forgetServiceIdentity();
  sts.on(GetCallerIdentityCommand).resolves({
    Account: SERVICE_ACCOUNT,
    Arn: `arn:aws:iam::${SERVICE_ACCOUNT}:user/eks-provisioner`,
    UserId: 'AIDAEXAMPLE',
  });
  sfn.on(StartExecutionCommand).callsFake((input: { name: string; stateMachineArn: string }) => ({
    executionArn: `${input.stateMachineArn.replace(':stateMachine:', ':execution:')}:${input.name}`,
    startDate: new Date(),
  }));
});

describe('GET /v1/setup', () => {
  it('names an IAM caller as `requester` (the console proposes them as cluster administrator); not for other tenants', async () => {
    const api = makeTestApi();
    const user = await api.call({ method: 'GET', path: '/v1/setup', tenant: 'arn:aws:iam::222222222222:user/admin' });
    expect(user.body.requester).toBe('arn:aws:iam::222222222222:user/admin');
    const local = await api.call({ method: 'GET', path: '/v1/setup', tenant: 'team-a' });
    expect(local.body).not.toHaveProperty('requester');
  });

  it('gives the account id, a stable per-tenant External ID and paste-ready policies', async () => {
    const api = makeTestApi();
    const first = await api.call({ method: 'GET', path: '/v1/setup', tenant: 'team-a' });
    expect(first.statusCode).toBe(200);
    const b = first.body;
    expect(b.accountId).toBe(SERVICE_ACCOUNT);
    expect(b.externalId).toMatch(/^[0-9a-f]{32,}$/);
    expect(b.provisionRolePolicy.Version).toBe('2012-10-17');
    expect(Array.isArray(b.provisionRolePolicy.Statement)).toBe(true);
    expect(b.provisionRoleTrustPolicy.Statement[0].Principal.AWS).toBe(`arn:aws:iam::${SERVICE_ACCOUNT}:root`);
    expect(b.provisionRoleTrustPolicy.Statement[0].Condition.StringEquals['sts:ExternalId']).toBe(b.externalId);
    expect(b.clusterRoleManagedPolicies).toEqual(['arn:aws:iam::aws:policy/AmazonEKSClusterPolicy']);
    expect(b.roleNamePrefix).toBe('eks-provisioner-');
    expect(first.headers['Content-Type']).toMatch(/^application\/json/);

    const again = await api.call({ method: 'GET', path: '/v1/setup', tenant: 'team-a' });
    expect(again.body.externalId).toBe(b.externalId);
    const other = await api.call({ method: 'GET', path: '/v1/setup', tenant: 'team-b' });
    expect(other.body.externalId).not.toBe(b.externalId);
    // The service's own identity is asked once per container.
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(1);
  });

  it('says CREDENTIALS_NOT_CONFIGURED when the service has no AWS credentials', async () => {
    sts
      .on(GetCallerIdentityCommand)
      .rejects(
        Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }),
      );
    const api = makeTestApi();
    const r = await api.call({ method: 'GET', path: '/v1/setup' });
    expect(r.statusCode).toBe(503);
    expect(r.body.error.code).toBe('CREDENTIALS_NOT_CONFIGURED');
    expect(r.body.error.remediation.length).toBeGreaterThan(0);
  });

  it('uses the partition of the service account in every ARN', async () => {
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: SERVICE_ACCOUNT, Arn: `arn:aws-cn:iam::${SERVICE_ACCOUNT}:user/eks-provisioner` });
    const r = await makeTestApi().call({ method: 'GET', path: '/v1/setup' });
    expect(r.body.clusterRoleManagedPolicies).toEqual(['arn:aws-cn:iam::aws:policy/AmazonEKSClusterPolicy']);
    expect(r.body.provisionRoleTrustPolicy.Statement[0].Principal.AWS).toBe(`arn:aws-cn:iam::${SERVICE_ACCOUNT}:root`);
  });
});

describe('POST /v1/roles', () => {
  const register = (api: ReturnType<typeof makeTestApi>, body: unknown, tenant = 'team-a') =>
    api.call({ method: 'POST', path: '/v1/roles', body, tenant });

  it('assumes role B with the tenant External ID and a read-only session policy, checks the region, stores the role', async () => {
    assumeOk();
    ec2
      .on(DescribeRegionsCommand)
      .resolves({ Regions: [{ RegionName: 'us-east-1', OptInStatus: 'opt-in-not-required' }] });
    const api = makeTestApi();
    const { externalId } = await api.store.getOrCreateTenant('team-a');
    const r = await register(api, { roleArn: ROLE_B, region: 'us-east-1' });
    expect(r.statusCode, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toEqual({ roleArn: ROLE_B, region: 'us-east-1', accountId: CUSTOMER_ACCOUNT });
    const assume = sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input;
    expect(assume.RoleArn).toBe(ROLE_B);
    expect(assume.ExternalId).toBe(externalId);
    expect(JSON.parse(assume.Policy!)).toEqual(READ_ONLY_SESSION_POLICY);
    expect(assume.RoleSessionName).toMatch(/^[\w+=,.@-]{2,64}$/);
    expect(ec2.commandCalls(DescribeRegionsCommand)[0]!.args[0].input).toMatchObject({
      AllRegions: true,
      Filters: [{ Name: 'region-name', Values: ['us-east-1'] }],
    });
    expect(await api.store.getRole('team-a', ROLE_B)).toMatchObject({
      roleArn: ROLE_B,
      region: 'us-east-1',
      accountId: CUSTOMER_ACCOUNT,
    });
    // No credential in the answer.
    expect(JSON.stringify(r.body)).not.toMatch(/ASIA|secret|token/i);
  });

  it('422 ASSUME_ROLE_DENIED with the seed checks when STS refuses; nothing stored', async () => {
    sts
      .on(AssumeRoleCommand)
      .rejects(
        awsError(
          'AccessDenied',
          `User: arn:aws:iam::${SERVICE_ACCOUNT}:user/eks-provisioner is not authorized to perform: sts:AssumeRole on resource: ${ROLE_B}`,
          403,
        ),
      );
    const api = makeTestApi();
    await api.store.getOrCreateTenant('team-a');
    const r = await register(api, { roleArn: ROLE_B, region: 'us-east-1' });
    expect(r.statusCode).toBe(422);
    expect(r.body.error.code).toBe('ASSUME_ROLE_DENIED');
    expect(r.body.error.remediation.length).toBeGreaterThanOrEqual(3);
    expect(api.store.calls).not.toContain('putRole');
  });

  it('422 EXTERNAL_ID_NOT_REQUIRED when role B can be assumed without this tenant External ID; nothing stored, no region check', async () => {
    // Trust policy with no sts:ExternalId condition: STS grants every request.
    sts.on(AssumeRoleCommand).resolves({
      Credentials: {
        AccessKeyId: 'ASIAEXAMPLEEXAMPLE12',
        SecretAccessKey: 'secret/EXAMPLE/key',
        SessionToken: 'token',
        Expiration: new Date(Date.now() + 3_600_000),
      },
      AssumedRoleUser: {
        Arn: `arn:aws:sts::${CUSTOMER_ACCOUNT}:assumed-role/eks-provisioner-provision/x`,
        AssumedRoleId: 'AROAEXAMPLE:x',
      },
    });
    iam.on(GetRoleCommand).resolves(roleBGetRoleOutput('eks-provisioner-provision', UNCONDITIONED_TRUST));
    const api = makeTestApi();
    for (const tenant of ['team-a', 'team-b']) {
      const { externalId } = await api.store.getOrCreateTenant(tenant);
      const r = await register(api, { roleArn: ROLE_B, region: 'us-east-1' }, tenant);
      expect(r.statusCode, JSON.stringify(r.body)).toBe(422);
      expect(r.body.error.code).toBe('EXTERNAL_ID_NOT_REQUIRED');
      expect(r.body.error.message).toContain('statement 1 of its trust policy: it has no sts:ExternalId condition');
      expect(r.body.error.remediation.join('\n')).toContain(`"sts:ExternalId":"${externalId}"`);
      expect(r.body.error.remediation.join('\n')).toContain(`arn:aws:iam::${SERVICE_ACCOUNT}:root`);
      expect(r.body.error.remediation.join('\n')).toContain(
        `The statement at fault: ${JSON.stringify(UNCONDITIONED_TRUST.Statement[0])}`,
      );
      expect(await api.store.getRole(tenant, ROLE_B)).toBeUndefined();
    }
    expect(api.store.calls).not.toContain('putRole');
    expect(ec2.commandCalls(DescribeRegionsCommand)).toHaveLength(0);
  });

  it('422 TRUST_POLICY_UNREADABLE with the statement to add when role B may not read itself; nothing stored', async () => {
    assumeOk();
    iam
      .on(GetRoleCommand)
      .rejects(
        awsError(
          'AccessDenied',
          `User: arn:aws:sts::${CUSTOMER_ACCOUNT}:assumed-role/eks-provisioner-provision/x is not authorized to perform: iam:GetRole on resource: role eks-provisioner-provision because no identity-based policy allows the iam:GetRole action`,
          403,
        ),
      );
    const api = makeTestApi();
    await api.store.getOrCreateTenant('team-a');
    const r = await register(api, { roleArn: ROLE_B, region: 'us-east-1' });
    expect(r.statusCode, JSON.stringify(r.body)).toBe(422);
    expect(r.body.error.code).toBe('TRUST_POLICY_UNREADABLE');
    expect(r.body.error.remediation[0]).toContain(
      `{"Sid":"ReadOwnTrustPolicy","Effect":"Allow","Action":"iam:GetRole","Resource":"${ROLE_B}"}`,
    );
    expect(api.store.calls).not.toContain('putRole');
  });

  it('a correct role B costs one AssumeRole and one GetRole of itself per registration, no denied call, also when credentials are cached', async () => {
    assumeOk();
    ec2
      .on(DescribeRegionsCommand)
      .resolves({ Regions: [{ RegionName: 'us-east-1', OptInStatus: 'opt-in-not-required' }] });
    const api = makeTestApi();
    await api.store.getOrCreateTenant('team-a');
    for (let i = 0; i < 2; i++)
      expect((await register(api, { roleArn: ROLE_B, region: 'us-east-1' })).statusCode).toBe(200);
    const results = await Promise.all(
      sts.commandCalls(AssumeRoleCommand).map((c) =>
        c.returnValue.then(
          () => 'granted',
          () => 'denied',
        ),
      ),
    );
    // The second registration reuses the credentials and proves again from the trust policy.
    expect(results).toEqual(['granted']);
    expect(iam.commandCalls(GetRoleCommand).map((c) => c.args[0].input.RoleName)).toEqual([
      'eks-provisioner-provision',
      'eks-provisioner-provision',
    ]);
  });

  it('422 INVALID_ROLE_ARN naming the field, with an example ARN, before any AWS call', async () => {
    const api = makeTestApi();
    await api.store.getOrCreateTenant('team-a');
    for (const roleArn of [
      'not-an-arn',
      'arn:aws:iam::12345:role/eks-provisioner-x',
      'arn:aws:iam::123456789012:user/eks-provisioner-x',
      'arn:aws:iam::123456789012:role/other-name',
      'arn:aws-xx:iam::123456789012:role/eks-provisioner-x',
    ]) {
      const r = await register(api, { roleArn, region: 'us-east-1' });
      expect(r.statusCode, roleArn).toBe(422);
      expect(r.body.error.code).toBe('INVALID_ROLE_ARN');
      expect(r.body.error.fields[0].path).toBe('roleArn');
      expect(r.body.error.fields[0].message).toContain('arn:aws:iam::123456789012:role/eks-provisioner-provision');
    }
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });

  it("GitLab's example role name: one reason, the same in the message and on the field (the prefix, and why)", async () => {
    const api = makeTestApi();
    await api.store.getOrCreateTenant('team-a');
    const r = await register(api, {
      roleArn: 'arn:aws:iam::123456789012:role/gitlab-eks-provision',
      region: 'us-east-1',
    });
    expect(r.body.error.fields[0].message).toMatch(
      /^The role name must start with "eks-provisioner-" \(the service may assume only such roles\)/,
    );
    expect(r.body.error.message).toContain(
      'cannot be used: The role name must start with "eks-provisioner-" (the service may assume only such roles)',
    );
    expect(r.body.error.message).not.toMatch(/valid Amazon Resource Name/);
  });

  it('accepts role paths and other partitions', async () => {
    assumeOk();
    ec2
      .on(DescribeRegionsCommand)
      .resolves({ Regions: [{ RegionName: 'cn-north-1', OptInStatus: 'opt-in-not-required' }] });
    const api = makeTestApi();
    await api.store.getOrCreateTenant('t');
    const arn = `arn:aws-cn:iam::${CUSTOMER_ACCOUNT}:role/team/eks/eks-provisioner-provision`;
    const r = await register(api, { roleArn: arn, region: 'cn-north-1' }, 't');
    expect(r.statusCode).toBe(200);
  });

  it('422 SETUP_REQUIRED when the tenant never asked for its External ID', async () => {
    const r = await register(makeTestApi(), { roleArn: ROLE_B, region: 'us-east-1' });
    expect(r.statusCode).toBe(422);
    expect(r.body.error.code).toBe('SETUP_REQUIRED');
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });

  it.each([
    ['not opted in', { Regions: [{ RegionName: 'ap-east-1', OptInStatus: 'not-opted-in' }] }],
    ['unknown', { Regions: [] }],
  ])('422 REGION_NOT_ENABLED when the region is %s', async (_label, answer) => {
    assumeOk();
    ec2.on(DescribeRegionsCommand).resolves(answer);
    const api = makeTestApi();
    await api.store.getOrCreateTenant('team-a');
    const r = await register(api, { roleArn: ROLE_B, region: 'ap-east-1' });
    expect(r.statusCode).toBe(422);
    expect(r.body.error.code).toBe('REGION_NOT_ENABLED');
    expect(r.body.error.fields).toEqual([{ path: 'region', message: expect.stringContaining('ap-east-1') }]);
    expect(api.store.calls).not.toContain('putRole');
  });

  it('422 REGION_NOT_ENABLED when the regional endpoint refuses fresh credentials (AuthFailure)', async () => {
    assumeOk();
    ec2
      .on(DescribeRegionsCommand)
      .rejects(awsError('AuthFailure', 'AWS was not able to validate the provided access credentials', 401));
    const api = makeTestApi();
    await api.store.getOrCreateTenant('team-a');
    const r = await register(api, { roleArn: ROLE_B, region: 'ap-east-1' });
    expect(r.body.error.code).toBe('REGION_NOT_ENABLED');
  });

  it('429 with Retry-After when STS throttles; 503 when it fails', async () => {
    const api = makeTestApi();
    await api.store.getOrCreateTenant('team-a');
    sts.on(AssumeRoleCommand).rejects(awsError('Throttling', 'Rate exceeded', 400));
    const t = await register(api, { roleArn: ROLE_B, region: 'us-east-1' });
    expect(t.statusCode).toBe(429);
    expect(t.headers['Retry-After']).toBeDefined();
    sts.on(AssumeRoleCommand).rejects(awsError('InternalFailure', 'boom', 500));
    const u = await register(api, { roleArn: ROLE_B, region: 'us-east-1' });
    expect(u.statusCode).toBe(503);
    expect(u.body.error.code).toBe('AWS_UNAVAILABLE');
  });

  it('400 VALIDATION_FAILED for missing/unknown/mistyped fields, all reported', async () => {
    const r = await register(makeTestApi(), { roleArn: 5, extra: true });
    expect(r.statusCode).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
    expect(r.body.error.fields.map((f: { path: string }) => f.path).sort()).toEqual(['extra', 'region', 'roleArn']);
  });
});

describe('GET /v1/aws/*', () => {
  async function apiWithRole(tenant = 'team-a') {
    const api = makeTestApi();
    await seedRole(api.store, tenant);
    assumeOk();
    return api;
  }
  const get = (
    api: ReturnType<typeof makeTestApi>,
    resource: string,
    query: Record<string, string> = {},
    tenant = 'team-a',
  ) => api.call({ method: 'GET', path: `/v1/aws/${resource}`, query: { roleArn: ROLE_B, ...query }, tenant });

  it('regions: enabled regions only, through role B with the read-only session policy', async () => {
    const api = await apiWithRole();
    ec2.on(DescribeRegionsCommand).resolves({
      Regions: [
        { RegionName: 'us-west-2', OptInStatus: 'opt-in-not-required' },
        { RegionName: 'ap-east-1', OptInStatus: 'not-opted-in' },
        { RegionName: 'us-east-1', OptInStatus: 'opt-in-not-required' },
        { RegionName: 'me-south-1', OptInStatus: 'opted-in' },
      ],
    });
    const r = await get(api, 'regions');
    expect(r.statusCode).toBe(200);
    expect(r.body.items.map((i: { id: string }) => i.id)).toEqual(['me-south-1', 'us-east-1', 'us-west-2']);
    expect(JSON.parse(sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input.Policy!)).toEqual(READ_ONLY_SESSION_POLICY);
    expect(sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input.ExternalId).toBe(
      (await api.store.getTenant('team-a'))!.externalId,
    );
  });

  describe('a trust policy loosened after registration', () => {
    afterEach(() => vi.useRealTimers());
    it('stops form data within minutes: 422 EXTERNAL_ID_NOT_REQUIRED, no EC2 call', async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      const api = await apiWithRole();
      ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-11111111', CidrBlock: '10.0.0.0/16' }] });
      expect((await get(api, 'vpcs')).statusCode).toBe(200);
      // The customer now trusts the account without any condition.
      iam.on(GetRoleCommand).resolves(roleBGetRoleOutput('eks-provisioner-provision', UNCONDITIONED_TRUST));
      vi.setSystemTime(Date.now() + 5 * 60_000 + 1);
      const before = ec2.commandCalls(DescribeVpcsCommand).length;
      const r = await get(api, 'vpcs');
      expect(r.statusCode, JSON.stringify(r.body)).toBe(422);
      expect(r.body.error.code).toBe('EXTERNAL_ID_NOT_REQUIRED');
      expect(ec2.commandCalls(DescribeVpcsCommand)).toHaveLength(before);
      // And the credentials are forgotten: the next request asks STS again and is refused again.
      expect((await get(api, 'vpcs')).body.error.code).toBe('EXTERNAL_ID_NOT_REQUIRED');
    });
  });

  it('vpcs: names from Name tags, every page followed', async () => {
    const api = await apiWithRole();
    ec2.on(DescribeVpcsCommand, { NextToken: undefined }).resolves({
      Vpcs: [{ VpcId: 'vpc-11111111', CidrBlock: '10.0.0.0/16', Tags: [{ Key: 'Name', Value: 'demo' }] }],
      NextToken: 'p2',
    });
    ec2
      .on(DescribeVpcsCommand, { NextToken: 'p2' })
      .resolves({ Vpcs: [{ VpcId: 'vpc-22222222', CidrBlock: '10.1.0.0/16', IsDefault: true }] });
    const r = await get(api, 'vpcs');
    expect(r.body).toEqual({
      items: [
        { id: 'vpc-11111111', name: 'demo', cidrBlock: '10.0.0.0/16', isDefault: false },
        { id: 'vpc-22222222', name: 'vpc-22222222', cidrBlock: '10.1.0.0/16', isDefault: true },
      ],
    });
    expect(ec2.commandCalls(DescribeVpcsCommand)).toHaveLength(2);
    // Every page through one client (one connection pool), not a new EC2Client per page.
    expect(new Set(ec2.commandCalls(DescribeVpcsCommand).map((c) => c.thisValue)).size).toBe(1);
  });

  it('subnets: filtered by vpcId, with AZ name and id and CIDR, and whether EKS can place a control plane in the zone', async () => {
    const api = await apiWithRole();
    ec2.on(DescribeSubnetsCommand).resolves({
      Subnets: [
        {
          SubnetId: 'subnet-11111111',
          VpcId: 'vpc-11111111',
          AvailabilityZone: 'us-east-1a',
          AvailabilityZoneId: 'use1-az1',
          CidrBlock: '10.0.1.0/24',
          Tags: [{ Key: 'Name', Value: 'a' }],
        },
        {
          SubnetId: 'subnet-33333333',
          VpcId: 'vpc-11111111',
          AvailabilityZone: 'us-east-1d',
          AvailabilityZoneId: 'use1-az3',
          CidrBlock: '10.0.3.0/24',
        },
      ],
    });
    const r = await get(api, 'subnets', { vpcId: 'vpc-11111111' });
    expect(r.body.items).toEqual([
      {
        id: 'subnet-11111111',
        name: 'a',
        vpcId: 'vpc-11111111',
        availabilityZone: 'us-east-1a',
        availabilityZoneId: 'use1-az1',
        cidrBlock: '10.0.1.0/24',
        eksControlPlaneSupported: true,
      },
      {
        id: 'subnet-33333333',
        name: 'subnet-33333333',
        vpcId: 'vpc-11111111',
        availabilityZone: 'us-east-1d',
        availabilityZoneId: 'use1-az3',
        cidrBlock: '10.0.3.0/24',
        eksControlPlaneSupported: false,
      },
    ]);
    expect(ec2.commandCalls(DescribeSubnetsCommand)[0]!.args[0].input.Filters).toEqual([
      { Name: 'vpc-id', Values: ['vpc-11111111'] },
    ]);
  });

  it('security-groups: 422 SECURITY_GROUPS_NOT_LOADED when role B may not read them (the seed)', async () => {
    const api = await apiWithRole();
    ec2
      .on(DescribeSecurityGroupsCommand)
      .rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.', 403));
    const r = await get(api, 'security-groups', { vpcId: 'vpc-11111111' });
    expect(r.statusCode).toBe(422);
    expect(r.body.error.code).toBe('SECURITY_GROUPS_NOT_LOADED');
    expect(r.body.error.remediation.length).toBeGreaterThan(0);
  });

  it('security-groups: listed with the VPC filter', async () => {
    const api = await apiWithRole();
    ec2.on(DescribeSecurityGroupsCommand).resolves({
      SecurityGroups: [
        {
          GroupId: 'sg-11111111',
          GroupName: 'default',
          VpcId: 'vpc-11111111',
          Description: 'default VPC security group',
        },
      ],
    });
    const r = await get(api, 'security-groups', { vpcId: 'vpc-11111111' });
    expect(r.body.items).toEqual([
      {
        id: 'sg-11111111',
        name: 'default',
        groupName: 'default',
        vpcId: 'vpc-11111111',
        description: 'default VPC security group',
      },
    ]);
  });

  it('vpcs in a region that does not exist for role B: 422 VPC_NOT_FOUND for a bad vpcId', async () => {
    const api = await apiWithRole();
    ec2
      .on(DescribeSubnetsCommand)
      .rejects(awsError('InvalidVpcID.NotFound', "The vpc ID 'vpc-99999999' does not exist", 400));
    const r = await get(api, 'subnets', { vpcId: 'vpc-99999999' });
    expect(r.statusCode).toBe(422);
    expect(r.body.error.code).toBe('VPC_NOT_FOUND');
  });

  it('key-pairs: id = key name; an empty region says key pairs are regional', async () => {
    const api = await apiWithRole();
    ec2
      .on(DescribeKeyPairsCommand)
      .resolves({ KeyPairs: [{ KeyName: 'demo-key', KeyPairId: 'key-0123', KeyType: 'ed25519' }] });
    const r = await get(api, 'key-pairs');
    expect(r.body.items).toEqual([{ id: 'demo-key', name: 'demo-key', keyPairId: 'key-0123', keyType: 'ed25519' }]);
    ec2.on(DescribeKeyPairsCommand).resolves({ KeyPairs: [] });
    const empty = await get(api, 'key-pairs', { region: 'us-west-2' });
    expect(empty.body.items).toEqual([]);
    expect(empty.body.notice.code).toBe('KEY_PAIR_NOT_FOUND');
    expect(empty.body.notice.message).toContain('us-west-2');
  });

  it('instance-types: what the region offers, unique and in size order', async () => {
    const api = await apiWithRole();
    ec2.on(DescribeInstanceTypeOfferingsCommand).resolves({
      InstanceTypeOfferings: [
        { InstanceType: 'm5.2xlarge' },
        { InstanceType: 'm5.large' },
        { InstanceType: 't3.micro' },
        { InstanceType: 'm5.xlarge' },
        { InstanceType: 'm5.large' },
      ],
    });
    const r = await get(api, 'instance-types');
    expect(r.body.items.map((i: { id: string }) => i.id)).toEqual(['m5.large', 'm5.xlarge', 'm5.2xlarge', 't3.micro']);
    expect(ec2.commandCalls(DescribeInstanceTypeOfferingsCommand)[0]!.args[0].input.LocationType).toBe('region');
  });

  it('instance-types: vCPUs and memory from DescribeInstanceTypes (all pages), t3.medium recommended; names only when role B may not describe them', async () => {
    const api = await apiWithRole();
    ec2
      .on(DescribeInstanceTypeOfferingsCommand)
      .resolves({ InstanceTypeOfferings: [{ InstanceType: 't3.medium' }, { InstanceType: 'm5.large' }] });
    ec2.on(DescribeInstanceTypesCommand, { NextToken: undefined }).resolves({
      InstanceTypes: [{ InstanceType: 't3.medium', VCpuInfo: { DefaultVCpus: 2 }, MemoryInfo: { SizeInMiB: 4096 } }],
      NextToken: 'p2',
    });
    ec2.on(DescribeInstanceTypesCommand, { NextToken: 'p2' }).resolves({
      InstanceTypes: [{ InstanceType: 'm5.large', VCpuInfo: { DefaultVCpus: 2 }, MemoryInfo: { SizeInMiB: 8192 } }],
    });
    const r = await get(api, 'instance-types');
    expect(r.body.items).toEqual([
      { id: 'm5.large', name: 'm5.large', vCpus: 2, memoryMiB: 8192 },
      { id: 't3.medium', name: 't3.medium', vCpus: 2, memoryMiB: 4096, recommended: true },
    ]);
    ec2
      .on(DescribeInstanceTypesCommand)
      .rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.', 403));
    const names = await get(api, 'instance-types');
    expect(names.statusCode).toBe(200);
    expect(names.body.items).toEqual([
      { id: 'm5.large', name: 'm5.large' },
      { id: 't3.medium', name: 't3.medium', recommended: true },
    ]);
  });

  it('roles: only roles trusted by eks.amazonaws.com, flagged for AmazonEKSClusterPolicy', async () => {
    const api = await apiWithRole();
    const trust = (service: string) =>
      encodeURIComponent(
        JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
        }),
      );
    iam.on(ListRolesCommand, { Marker: undefined }).resolves({
      Roles: [
        {
          RoleName: 'eks-cluster-role',
          Arn: ROLE_A,
          AssumeRolePolicyDocument: trust('eks.amazonaws.com'),
          Path: '/',
          RoleId: 'a',
          CreateDate: new Date(),
        },
        {
          RoleName: 'AWSServiceRoleForAmazonEKS',
          Arn: `arn:aws:iam::${CUSTOMER_ACCOUNT}:role/aws-service-role/eks.amazonaws.com/AWSServiceRoleForAmazonEKS`,
          AssumeRolePolicyDocument: trust('eks.amazonaws.com'),
          Path: '/aws-service-role/eks.amazonaws.com/',
          RoleId: 's',
          CreateDate: new Date(),
        },
        {
          RoleName: 'lambda-role',
          Arn: `arn:aws:iam::${CUSTOMER_ACCOUNT}:role/lambda-role`,
          AssumeRolePolicyDocument: trust('lambda.amazonaws.com'),
          Path: '/',
          RoleId: 'b',
          CreateDate: new Date(),
        },
      ],
      IsTruncated: true,
      Marker: 'm2',
    });
    iam.on(ListRolesCommand, { Marker: 'm2' }).resolves({
      Roles: [
        {
          RoleName: 'eks-cluster-role-no-policy',
          Arn: `${ROLE_A}-no-policy`,
          AssumeRolePolicyDocument: trust('eks.amazonaws.com'),
          Path: '/',
          RoleId: 'c',
          CreateDate: new Date(),
        },
      ],
      IsTruncated: false,
    });
    iam.on(ListAttachedRolePoliciesCommand, { RoleName: 'eks-cluster-role' }).resolves({
      AttachedPolicies: [
        { PolicyArn: 'arn:aws:iam::aws:policy/AmazonEKSClusterPolicy', PolicyName: 'AmazonEKSClusterPolicy' },
      ],
    });
    iam
      .on(ListAttachedRolePoliciesCommand, { RoleName: 'eks-cluster-role-no-policy' })
      .resolves({ AttachedPolicies: [] });
    const r = await get(api, 'roles');
    expect(r.body.items).toEqual([
      { id: ROLE_A, name: 'eks-cluster-role', arn: ROLE_A, hasAmazonEKSClusterPolicy: true },
      {
        id: `${ROLE_A}-no-policy`,
        name: 'eks-cluster-role-no-policy',
        arn: `${ROLE_A}-no-policy`,
        hasAmazonEKSClusterPolicy: false,
      },
    ]);
  });

  it('roles: 422 PERMISSION_DENIED naming the action when role B may not list roles', async () => {
    const api = await apiWithRole();
    iam
      .on(ListRolesCommand)
      .rejects(
        awsError(
          'AccessDenied',
          `User: arn:aws:sts::${CUSTOMER_ACCOUNT}:assumed-role/x/y is not authorized to perform: iam:ListRoles on resource: *`,
          403,
        ),
      );
    const r = await get(api, 'roles');
    expect(r.statusCode).toBe(422);
    expect(r.body.error.code).toBe('PERMISSION_DENIED');
  });

  it('kubernetes-versions: newest first, the newest in standard support recommended', async () => {
    const api = await apiWithRole();
    eks.on(DescribeClusterVersionsCommand).resolves({
      clusterVersions: [
        { clusterVersion: '1.29', versionStatus: 'EXTENDED_SUPPORT' },
        { clusterVersion: '1.33', versionStatus: 'STANDARD_SUPPORT', defaultVersion: true },
        { clusterVersion: '1.34', versionStatus: 'STANDARD_SUPPORT' },
        { clusterVersion: '1.9', versionStatus: 'UNSUPPORTED' },
      ],
    });
    const r = await get(api, 'kubernetes-versions');
    expect(r.body.items.map((i: { id: string }) => i.id)).toEqual(['1.34', '1.33', '1.29', '1.9']);
    expect(
      r.body.items.filter((i: { recommended: boolean }) => i.recommended).map((i: { id: string }) => i.id),
    ).toEqual(['1.34']);
  });

  it('422 REGION_NOT_ENABLED when the region refuses role B (AuthFailure), not a retryable 503', async () => {
    const api = await apiWithRole();
    ec2
      .on(DescribeVpcsCommand)
      .rejects(awsError('AuthFailure', 'AWS was not able to validate the provided access credentials', 401));
    const r = await get(api, 'vpcs', { region: 'ap-east-1' });
    expect(r.statusCode).toBe(422);
    expect(r.body.error.code).toBe('REGION_NOT_ENABLED');
  });

  it('uses the region the role was registered with, or the region query parameter', async () => {
    const api = await apiWithRole();
    ec2.on(DescribeKeyPairsCommand).resolves({ KeyPairs: [{ KeyName: 'k' }] });
    await get(api, 'key-pairs');
    await get(api, 'key-pairs', { region: 'us-west-2' });
    const regions = await Promise.all(
      ec2.commandCalls(DescribeKeyPairsCommand).map((c) => (c.thisValue as EC2Client).config.region()),
    );
    expect(regions).toEqual(['us-east-1', 'us-west-2']);
  });

  it('422 ROLE_NOT_REGISTERED for a role this tenant did not register (even if another tenant did)', async () => {
    const api = await apiWithRole('team-b');
    const r = await get(api, 'vpcs', {}, 'team-a');
    expect(r.statusCode).toBe(422);
    expect(r.body.error.code).toBe('ROLE_NOT_REGISTERED');
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });

  it('400 when roleArn is missing or the query has unknown parameters', async () => {
    const api = await apiWithRole();
    const missing = await api.call({ method: 'GET', path: '/v1/aws/vpcs', tenant: 'team-a' });
    expect(missing.statusCode).toBe(400);
    expect(missing.body.error.fields).toEqual([{ path: 'roleArn', message: expect.any(String) }]);
    const unknown = await get(api, 'key-pairs', { vpcId: 'vpc-11111111' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body.error.fields[0].path).toBe('vpcId');
  });

  it('a nextToken AWS rejects is a 400, not a 5xx', async () => {
    const api = await apiWithRole();
    ec2.on(DescribeVpcsCommand).rejects(awsError('InvalidParameterValue', 'Invalid value for NextToken', 400));
    const r = await get(api, 'vpcs', { nextToken: 'bogus' });
    expect(r.statusCode).toBe(400);
    expect(r.body.error.code).toBe('INVALID_NEXT_TOKEN');
  });
});

describe('POST /v1/clusters', () => {
  async function ready(tenant = 'team-a') {
    const api = makeTestApi();
    await seedRole(api.store, tenant);
    return api;
  }
  const create = (
    api: ReturnType<typeof makeTestApi>,
    body: unknown,
    tenant = 'team-a',
    headers: Record<string, string> = {},
  ) => api.call({ method: 'POST', path: '/v1/clusters', body, tenant, headers });

  it('202: record CREATING/Queued, execution named after the cluster id with { tenantId, clusterId, cluster }', async () => {
    const api = await ready();
    const r = await create(api, validSettings());
    expect(r.statusCode).toBe(202);
    const { id, status, executionArn } = r.body;
    expect(status).toBe('CREATING');
    expect(r.headers.Location).toBe(`/v1/clusters/${id}`);
    const start = sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(start.name).toBe(id);
    expect(start.stateMachineArn).toBe(api.deps.config.stateMachineArn);
    const input = JSON.parse(start.input!);
    expect(input).toMatchObject({
      tenantId: 'team-a',
      clusterId: id,
      cluster: { name: 'demo', environmentScope: '*', managed: true },
    });
    expect(executionArn).toBe(
      `arn:aws:states:us-east-1:111111111111:execution:eks-provisioner-provision-cluster:${id}`,
    );
    const record = await api.store.getCluster('team-a', id);
    expect(record).toMatchObject({
      status: 'CREATING',
      phase: 'Queued',
      accountId: CUSTOMER_ACCOUNT,
      region: 'us-east-1',
      executionArn,
    });
  });

  it('400 with every field error at once', async () => {
    const api = await ready();
    const r = await create(
      api,
      validSettings({ name: '-bad name-', nodeCount: 'two', subnetIds: ['subnet-1'], colour: 'blue' }),
    );
    expect(r.statusCode).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
    const paths = r.body.error.fields.map((f: { path: string }) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['name', 'nodeCount', 'colour']));
    expect(paths.some((p: string) => p.startsWith('subnetIds'))).toBe(true);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('422 ROLE_NOT_REGISTERED tells the caller to POST /v1/roles first', async () => {
    const api = makeTestApi();
    const r = await create(api, validSettings());
    expect(r.statusCode).toBe(422);
    expect(r.body.error.code).toBe('ROLE_NOT_REGISTERED');
    expect(r.body.error.message).toContain('POST /v1/roles');
    expect(api.store.calls).not.toContain('createCluster');
  });

  it('409 NAME_ALREADY_IN_USE for a live cluster of that name in that account and region, any tenant', async () => {
    const api = await ready();
    await seedRole(api.store, 'team-b');
    expect((await create(api, validSettings())).statusCode).toBe(202);
    const again = await create(api, validSettings());
    expect(again.statusCode).toBe(409);
    expect(again.body.error.code).toBe('NAME_ALREADY_IN_USE');
    const otherTenant = await create(api, validSettings(), 'team-b');
    expect(otherTenant.statusCode).toBe(409);
    // Another region is another namespace.
    expect((await create(api, validSettings({ region: 'us-west-2' }))).statusCode).toBe(202);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(2);
  });

  it('Idempotency-Key: a repeat returns the first answer and starts nothing; another body is refused', async () => {
    const api = await ready();
    const key = '7d4c2f0e-5b1a-4c39-9a57-0f1e2d3c4b5a';
    const first = await create(api, validSettings(), 'team-a', { 'Idempotency-Key': key });
    expect(first.statusCode).toBe(202);
    // Same body with keys in another order is the same request.
    const reordered = Object.fromEntries(Object.entries(validSettings()).reverse());
    const repeat = await create(api, reordered, 'team-a', { 'idempotency-key': key });
    expect(repeat.statusCode).toBe(202);
    expect(repeat.body).toEqual(first.body);
    expect(repeat.headers['Idempotent-Replayed']).toBe('true');
    expect(repeat.headers.Location).toBe(first.headers.Location);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);

    const different = await create(api, validSettings({ nodeCount: 3 }), 'team-a', { 'Idempotency-Key': key });
    expect(different.statusCode).toBe(422);
    expect(different.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);

    // Keys are per tenant: another tenant's identical key is a new request.
    await seedRole(api.store, 'team-b', `arn:aws:iam::333333333333:role/eks-provisioner-provision`);
    const b = await create(
      api,
      validSettings({
        provisionRoleArn: 'arn:aws:iam::333333333333:role/eks-provisioner-provision',
        serviceRoleArn: 'arn:aws:iam::333333333333:role/eks-cluster-role',
      }),
      'team-b',
      { 'Idempotency-Key': key },
    );
    expect(b.statusCode).toBe(202);
    expect(b.body.id).not.toBe(first.body.id);
  });

  it('two racing requests with one Idempotency-Key make one record and one execution', async () => {
    const api = await ready();
    const names = new Set<string>();
    sfn.on(StartExecutionCommand).callsFake((input: { name: string; stateMachineArn: string }) => {
      // Step Functions: a second start of the same name is the same execution (or ExecutionAlreadyExists).
      if (names.has(input.name))
        throw Object.assign(new Error('Execution Already Exists'), {
          name: 'ExecutionAlreadyExists',
          $metadata: { httpStatusCode: 400 },
        });
      names.add(input.name);
      return {
        executionArn: `${input.stateMachineArn.replace(':stateMachine:', ':execution:')}:${input.name}`,
        startDate: new Date(),
      };
    });
    const headers = { 'Idempotency-Key': 'race-1' };
    const [a, b] = await Promise.all([
      create(api, validSettings(), 'team-a', headers),
      create(api, validSettings(), 'team-a', headers),
    ]);
    expect(a.statusCode).toBe(202);
    expect(b.statusCode).toBe(202);
    expect(b.body).toEqual(a.body);
    expect(names.size).toBe(1);
    expect((await api.store.listClusters('team-a')).items).toHaveLength(1);
  });

  it('a Step Functions failure frees the name and answers 503 (retryable), not a stack trace', async () => {
    const api = await ready();
    sfn.on(StartExecutionCommand).rejectsOnce(awsError('ServiceUnavailable', 'try later', 503));
    sfn.on(DescribeExecutionCommand).rejects(awsError('ExecutionDoesNotExist', 'Execution Does Not Exist', 400));
    const r = await create(api, validSettings());
    expect(r.statusCode).toBe(503);
    expect(r.body.error.code).toBe('AWS_UNAVAILABLE');
    const [record] = (await api.store.listClusters('team-a')).items;
    expect(record!.status).toBe('FAILED');
    sfn.on(StartExecutionCommand).callsFake((input: { name: string }) => ({
      executionArn: `arn:aws:states:us-east-1:111111111111:execution:x:${input.name}`,
      startDate: new Date(),
    }));
    expect((await create(api, validSettings())).statusCode).toBe(202);
  });
});

describe('GET /v1/clusters and /v1/clusters/{id}', () => {
  async function withClusters(n: number, tenant = 'team-a') {
    const api = makeTestApi();
    await seedRole(api.store, tenant);
    let t = Date.parse('2026-11-29T10:00:00.000Z');
    api.deps.now = () => new Date((t += 1000));
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const r = await api.call({
        method: 'POST',
        path: '/v1/clusters',
        body: validSettings({ name: `c${i}` }),
        tenant,
      });
      ids.push(r.body.id);
    }
    return { api, ids };
  }

  it('lists newest first with limit and nextToken', async () => {
    const { api, ids } = await withClusters(5);
    const p1 = await api.call({ method: 'GET', path: '/v1/clusters', query: { limit: '2' }, tenant: 'team-a' });
    expect(p1.statusCode).toBe(200);
    expect(p1.body.items.map((c: { id: string }) => c.id)).toEqual([ids[4], ids[3]]);
    expect(p1.body.nextToken).toEqual(expect.any(String));
    const p2 = await api.call({
      method: 'GET',
      path: '/v1/clusters',
      query: { limit: '2', nextToken: p1.body.nextToken },
      tenant: 'team-a',
    });
    expect(p2.body.items.map((c: { id: string }) => c.id)).toEqual([ids[2], ids[1]]);
    const p3 = await api.call({
      method: 'GET',
      path: '/v1/clusters',
      query: { limit: '2', nextToken: p2.body.nextToken },
      tenant: 'team-a',
    });
    expect(p3.body.items.map((c: { id: string }) => c.id)).toEqual([ids[0]]);
    expect(p3.body.nextToken).toBeUndefined();
  });

  it("another tenant's token, list and ids stay invisible", async () => {
    const { api, ids } = await withClusters(3);
    const p1 = await api.call({ method: 'GET', path: '/v1/clusters', query: { limit: '1' }, tenant: 'team-a' });
    const b = await api.call({ method: 'GET', path: '/v1/clusters', tenant: 'team-b' });
    expect(b.body.items).toEqual([]);
    const stolen = await api.call({
      method: 'GET',
      path: '/v1/clusters',
      query: { nextToken: p1.body.nextToken },
      tenant: 'team-b',
    });
    expect(stolen.statusCode).toBe(400);
    expect(stolen.body.error.code).toBe('INVALID_NEXT_TOKEN');
    const peek = await api.call({ method: 'GET', path: `/v1/clusters/${ids[0]}`, tenant: 'team-b' });
    expect(peek.statusCode).toBe(404);
  });

  it('one record: status, phase, progress, outputs once CREATED, diagnosis once FAILED; no tenant id', async () => {
    const { api, ids } = await withClusters(2);
    await api.store.updateCluster('team-a', ids[0]!, {
      status: 'CREATED',
      phase: 'Ready',
      progress: { done: 12, total: 12 },
      outputs: {
        clusterName: 'c0',
        clusterArn: 'arn:aws:eks:us-east-1:222222222222:cluster/c0',
        endpoint: 'https://ABC.gr7.us-east-1.eks.amazonaws.com',
        certificateAuthorityData: 'LS0t',
        kubernetesVersion: '1.34',
        oidcIssuer: 'https://oidc.eks',
        nodeRoleArn: 'arn:aws:iam::222222222222:role/n',
        nodegroupName: 'ng',
        nodegroupStatus: 'ACTIVE',
        kubeconfig: 'apiVersion: v1',
      },
    });
    const ok = await api.call({ method: 'GET', path: `/v1/clusters/${ids[0]}`, tenant: 'team-a' });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toMatchObject({
      id: ids[0],
      name: 'c0',
      status: 'CREATED',
      phase: 'Ready',
      progress: { done: 12, total: 12 },
      outputs: { endpoint: 'https://ABC.gr7.us-east-1.eks.amazonaws.com', kubernetesVersion: '1.34' },
    });
    expect(ok.body.tenantId).toBeUndefined();
    expect(ok.body.createdAt).toEqual(expect.any(String));

    await api.store.updateCluster('team-a', ids[1]!, {
      status: 'FAILED',
      phase: 'Failed',
      diagnosis: {
        code: 'CLUSTER_ROLE_MISSING_EKS_POLICY',
        title: 't',
        message: 'm',
        remediation: ['attach it'],
        retryable: false,
        evidence: { secretish: 'x' },
      },
    });
    const failed = await api.call({ method: 'GET', path: `/v1/clusters/${ids[1]}`, tenant: 'team-a' });
    expect(failed.body.diagnosis).toEqual({
      code: 'CLUSTER_ROLE_MISSING_EKS_POLICY',
      title: 't',
      message: 'm',
      remediation: ['attach it'],
      retryable: false,
    });
  });

  it('404 for unknown ids', async () => {
    const { api } = await withClusters(1);
    const r = await api.call({
      method: 'GET',
      path: '/v1/clusters/00000000-0000-4000-8000-999999999999',
      tenant: 'team-a',
    });
    expect(r.statusCode).toBe(404);
    expect(r.body.error.code).toBe('NOT_FOUND');
  });
});

describe('AWS mode (IAM authorization)', () => {
  it('the tenant is the calling principal; sessions of one role are one tenant; X-Tenant-Id is ignored', async () => {
    const api = makeTestApi({ config: { local: false } });
    const s1 = await api.call({
      method: 'GET',
      path: '/v1/setup',
      userArn: `arn:aws:sts::${CUSTOMER_ACCOUNT}:assumed-role/platform/session-1`,
    });
    const s2 = await api.call({
      method: 'GET',
      path: '/v1/setup',
      userArn: `arn:aws:sts::${CUSTOMER_ACCOUNT}:assumed-role/platform/session-2`,
      tenant: 'someone-else',
    });
    expect(s1.statusCode).toBe(200);
    expect(s2.body.externalId).toBe(s1.body.externalId);
    expect([...api.store.tenants.keys()]).toEqual([`arn:aws:sts::${CUSTOMER_ACCOUNT}:assumed-role/platform`]);
    const other = await api.call({
      method: 'GET',
      path: '/v1/setup',
      userArn: `arn:aws:iam::${CUSTOMER_ACCOUNT}:user/alice`,
    });
    expect(other.body.externalId).not.toBe(s1.body.externalId);
  });

  it('401 without an IAM principal (never falls back to the header)', async () => {
    const api = makeTestApi({ config: { local: false } });
    const r = await api.call({ method: 'GET', path: '/v1/setup', tenant: 'local' });
    expect(r.statusCode).toBe(401);
    expect(api.store.tenants.size).toBe(0);
  });
});

describe('GET /v1/openapi.json', () => {
  it('serves the document without a tenant', async () => {
    const r = await makeTestApi({ config: { local: false } }).call({ method: 'GET', path: '/v1/openapi.json' });
    expect(r.statusCode).toBe(200);
    expect(r.body.openapi).toBe('3.1.0');
  });
});
