import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { assumeProvisionRole } from '../../../functions/assume-provision-role/assume-provision-role.js';
import { handler } from '../../../functions/assume-provision-role/handler.js';
import { clearCredentialCache } from '../../../functions/lib/aws/provision-role.js';
import { forgetServiceIdentity } from '../../../functions/lib/aws/service-identity.js';
import { DiagnosedError } from '../../../functions/lib/errors.js';
import type { ValidatedRequest } from '../../../functions/lib/state.js';
import { DynamoStore } from '../../../functions/lib/store/dynamo-store.js';
import { demoSettings } from '../../support/demo-settings.js';
import { MemoryStore } from '../../support/memory-store.js';
import {
  asCorrectRoleB,
  awsError,
  credentialLeaks,
  FAKE_STS_CREDENTIALS,
  FIXTURES,
  roleBGetRoleOutput,
  roleBReadsItsTrust,
  UNCONDITIONED_TRUST,
} from '../aws/fixtures.js';

const sts = mockClient(STSClient);
const ec2 = mockClient(EC2Client);
const iam = mockClient(IAMClient);
const EXTERNAL_ID = '0123456789abcdef0123456789abcdef01234567';
const ASSUMED = 'arn:aws:sts::222222222222:assumed-role/eks-provisioner-provision/eks-provisioner-c-aaaaaaaaaaaa';

const request = (over: Partial<ValidatedRequest> = {}): ValidatedRequest => ({
  tenantId: 'local',
  clusterId: 'c-aaaaaaaaaaaa',
  cluster: demoSettings({ subnetIds: ['subnet-0a1b2c3d4e5f60011', 'subnet-0a1b2c3d4e5f60012'], tags: {} }),
  accountId: '222222222222',
  region: 'us-east-1',
  stackName: 'eks-provisioner-demo',
  executionArn: 'arn:aws:states:us-east-1:111111111111:execution:sm:c-aaaaaaaaaaaa',
  startedAt: '2026-03-01T10:00:00.000Z',
  ...over,
});

let store: MemoryStore;
const deps = () => ({ store, config: { roleNamePrefix: 'eks-provisioner-' } });
async function diagnosisOf(p: Promise<unknown>) {
  const err = await p.catch((e: unknown) => e);
  expect(err).toBeInstanceOf(DiagnosedError);
  return (err as DiagnosedError).diagnosis;
}

const serviceIdentity = () =>
  sts.on(GetCallerIdentityCommand).resolves({
    Account: '111111111111',
    Arn: 'arn:aws:iam::111111111111:user/eks-provisioner',
    UserId: 'AIDAEXAMPLE',
  });

beforeEach(() => {
  sts.reset();
  ec2.reset();
  iam.reset();
  clearCredentialCache();
  serviceIdentity();
  iam.on(GetRoleCommand).callsFake(roleBReadsItsTrust());
  store = new MemoryStore().withTenant('local', EXTERNAL_ID);
  sts.on(AssumeRoleCommand).callsFake(
    asCorrectRoleB(() => [EXTERNAL_ID], {
      Credentials: FAKE_STS_CREDENTIALS,
      AssumedRoleUser: { Arn: ASSUMED, AssumedRoleId: 'AROAEXAMPLE:x' },
    }),
  );
  ec2.on(DescribeRegionsCommand).resolves({
    Regions: [{ RegionName: 'us-east-1', OptInStatus: 'opt-in-not-required', Endpoint: 'ec2.us-east-1.amazonaws.com' }],
  });
});

describe('AssumeProvisionRole', () => {
  it('assumes role B with the stored External ID and returns identity only', async () => {
    const out = await assumeProvisionRole(request(), deps());
    expect(out).toEqual({ accountId: '222222222222', assumedRoleArn: ASSUMED });
    expect(sts.commandCalls(AssumeRoleCommand)[0]?.args[0].input).toMatchObject({
      RoleArn: 'arn:aws:iam::222222222222:role/eks-provisioner-provision',
      ExternalId: EXTERNAL_ID,
      RoleSessionName: 'eks-provisioner-c-aaaaaaaaaaaa',
    });
    expect(ec2.commandCalls(DescribeRegionsCommand)[0]?.args[0].input).toEqual({
      AllRegions: true,
      RegionNames: ['us-east-1'],
    });
    expect(credentialLeaks(out)).toEqual([]);
  });

  it('the Lambda handler output carries no credential', async () => {
    const spy = vi
      .spyOn(DynamoStore.prototype, 'getTenant')
      .mockResolvedValue({ tenantId: 'local', externalId: EXTERNAL_ID, createdAt: 'x' });
    try {
      const out = await handler(request());
      expect(out).toEqual({ accountId: '222222222222', assumedRoleArn: ASSUMED });
      expect(credentialLeaks(out)).toEqual([]);
      expect(spy).toHaveBeenCalledWith('local');
    } finally {
      spy.mockRestore();
    }
  });

  it.each([
    ['not-opted-in', [{ RegionName: 'ap-east-1', OptInStatus: 'not-opted-in' }], 'ap-east-1'],
    ['absent', [], 'us-east-1'],
  ])('region %s → REGION_NOT_ENABLED', async (_label, regions, region) => {
    ec2.on(DescribeRegionsCommand).resolves({ Regions: regions });
    const d = await diagnosisOf(assumeProvisionRole(request({ region }), deps()));
    expect(d.code).toBe('REGION_NOT_ENABLED');
    expect(d.message).toContain(region);
  });

  it('an unknown region (InvalidParameterValue) → REGION_NOT_ENABLED', async () => {
    ec2.on(DescribeRegionsCommand).rejects(awsError('ec2', 'InvalidParameterValue', 'Invalid region: xx-fake-1'));
    expect((await diagnosisOf(assumeProvisionRole(request({ region: 'xx-fake-1' }), deps()))).code).toBe(
      'REGION_NOT_ENABLED',
    );
  });

  it("AccessDenied → ASSUME_ROLE_DENIED with the seed's three checks", async () => {
    sts.on(AssumeRoleCommand).rejects(FIXTURES.assumeDenied());
    const d = await diagnosisOf(assumeProvisionRole(request(), deps()));
    expect(d.code).toBe('ASSUME_ROLE_DENIED');
    // The tenant's causes first (trust: External ID and account; role name; region), the operator's credentials last.
    expect(d.remediation.join('\n')).toMatch(
      /Trust relationships[\s\S]*exactly this name[\s\S]*region us-east-1[\s\S]*Self-managed installs only[\s\S]*AssumeRole policy/,
    );
    expect(d.remediation[0]).toContain(EXTERNAL_ID);
    expect(d.remediation[0]).toContain('111111111111');
  });

  it('role B assumable without the External ID (trust loosened after registration) → EXTERNAL_ID_NOT_REQUIRED before anything is done', async () => {
    sts.reset();
    serviceIdentity();
    sts
      .on(AssumeRoleCommand)
      .resolves({ Credentials: FAKE_STS_CREDENTIALS, AssumedRoleUser: { Arn: ASSUMED, AssumedRoleId: 'x' } });
    iam.on(GetRoleCommand).resolves(roleBGetRoleOutput('eks-provisioner-provision', UNCONDITIONED_TRUST));
    const d = await diagnosisOf(assumeProvisionRole(request(), deps()));
    expect(d.code).toBe('EXTERNAL_ID_NOT_REQUIRED');
    expect(d.remediation[0]).toContain(EXTERNAL_ID);
    expect(ec2.commandCalls(DescribeRegionsCommand)).toHaveLength(0);
    // Each run proves it anew from the trust policy, even with credentials cached in this process.
    iam.reset();
    iam.on(GetRoleCommand).callsFake(roleBReadsItsTrust());
    sts.reset();
    serviceIdentity();
    sts.on(AssumeRoleCommand).callsFake(
      asCorrectRoleB(() => [EXTERNAL_ID], {
        Credentials: FAKE_STS_CREDENTIALS,
        AssumedRoleUser: { Arn: ASSUMED, AssumedRoleId: 'x' },
      }),
    );
    await assumeProvisionRole(request(), deps());
    expect(iam.commandCalls(GetRoleCommand)).toHaveLength(1);
    expect(sts.commandCalls(AssumeRoleCommand).every((c) => c.args[0].input.ExternalId === EXTERNAL_ID)).toBe(true);
  });

  it("the service's own account is asked once per container, not on each run's proof", async () => {
    forgetServiceIdentity();
    await assumeProvisionRole(request(), deps());
    await assumeProvisionRole(request({ clusterId: 'c-bbbbbbbbbbbb' }), deps());
    expect(iam.commandCalls(GetRoleCommand)).toHaveLength(2);
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(1);
  });

  it('no credentials of its own → CREDENTIALS_NOT_CONFIGURED', async () => {
    sts.on(AssumeRoleCommand).rejects(FIXTURES.credentialsMissing());
    expect((await diagnosisOf(assumeProvisionRole(request(), deps()))).code).toBe('CREDENTIALS_NOT_CONFIGURED');
  });

  it('throttling → AwsThrottled; a 5xx → AwsTransient', async () => {
    sts.on(AssumeRoleCommand).rejects(FIXTURES.stsThrottling());
    expect(((await assumeProvisionRole(request(), deps()).catch((e: unknown) => e)) as Error).name).toBe(
      'AwsThrottled',
    );
    sts.reset();
    serviceIdentity();
    sts.on(AssumeRoleCommand).callsFake(
      asCorrectRoleB(() => [EXTERNAL_ID], {
        Credentials: FAKE_STS_CREDENTIALS,
        AssumedRoleUser: { Arn: ASSUMED, AssumedRoleId: 'x' },
      }),
    );
    ec2.on(DescribeRegionsCommand).rejects(awsError('ec2', 'InternalError', 'An internal error has occurred', 500));
    expect(((await assumeProvisionRole(request(), deps()).catch((e: unknown) => e)) as Error).name).toBe(
      'AwsTransient',
    );
  });

  it('role B may not DescribeRegions → PERMISSION_DENIED naming ec2:DescribeRegions', async () => {
    ec2
      .on(DescribeRegionsCommand)
      .rejects(awsError('ec2', 'UnauthorizedOperation', 'You are not authorized to perform this operation.', 403));
    const d = await diagnosisOf(assumeProvisionRole(request(), deps()));
    expect(d.code).toBe('PERMISSION_DENIED');
    expect(d.message).toContain('ec2:DescribeRegions');
  });

  it('a tenant without an External ID is told to call GET /v1/setup', async () => {
    const d = await diagnosisOf(assumeProvisionRole(request({ tenantId: 'nobody' }), deps()));
    expect(d.fields?.[0]?.message).toContain('GET /v1/setup');
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });
});
