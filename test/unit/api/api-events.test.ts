/**
 * events/api-*.json are real inputs: API Gateway REST proxy events (IAM-authorised caller) that
 * drive the API handler through its main routes, in order, with AWS mocked.
 */

import { readFileSync } from 'node:fs';
import { DescribeRegionsCommand, DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApiHandler } from '../../../functions/api/app.js';
import { forgetServiceIdentity } from '../../../functions/api/setup/setup.js';
import { clearCredentialCache } from '../../../functions/lib/aws/provision-role.js';
import { asCorrectRoleB, roleBReadsItsTrust } from '../aws/fixtures.js';
import { issuedExternalIds, MemoryStore, SERVICE_ACCOUNT, silentLog, testConfig } from './helpers.js';

const sts = mockClient(STSClient);
const ec2 = mockClient(EC2Client);
const sfn = mockClient(SFNClient);
const iam = mockClient(IAMClient);
const load = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../../events/${name}.json`, import.meta.url), 'utf8')) as APIGatewayProxyEvent;

const store = new MemoryStore();
const handler = createApiHandler(
  {
    config: testConfig({ local: false }),
    store,
    sfn: new SFNClient({ region: 'us-east-1' }),
    now: () => new Date('2026-11-29T12:00:00Z'),
    newId: () => 'unused',
  },
  silentLog,
);

beforeAll(() => {
  clearCredentialCache();
  forgetServiceIdentity();
  sts
    .on(GetCallerIdentityCommand)
    .resolves({ Account: SERVICE_ACCOUNT, Arn: `arn:aws:iam::${SERVICE_ACCOUNT}:user/eks-provisioner` });
  sts.on(AssumeRoleCommand).callsFake(
    asCorrectRoleB(() => issuedExternalIds, {
      Credentials: {
        AccessKeyId: 'ASIAEXAMPLE',
        SecretAccessKey: 's',
        SessionToken: 't',
        Expiration: new Date(Date.now() + 3_600_000),
      },
      AssumedRoleUser: {
        Arn: 'arn:aws:sts::222222222222:assumed-role/eks-provisioner-provision/api',
        AssumedRoleId: 'AROA:api',
      },
    }),
  );
  iam.on(GetRoleCommand).callsFake(roleBReadsItsTrust(SERVICE_ACCOUNT));
  ec2
    .on(DescribeRegionsCommand)
    .resolves({ Regions: [{ RegionName: 'us-east-1', OptInStatus: 'opt-in-not-required' }] });
  ec2.on(DescribeSubnetsCommand).resolves({
    Subnets: [
      {
        SubnetId: 'subnet-0a1b2c3d4e5f60711',
        VpcId: 'vpc-0a1b2c3d4e5f60718',
        AvailabilityZone: 'us-east-1a',
        AvailabilityZoneId: 'use1-az1',
        CidrBlock: '10.0.1.0/24',
      },
    ],
  });
  sfn.on(StartExecutionCommand).callsFake((i: { name: string; stateMachineArn: string }) => ({
    executionArn: `${i.stateMachineArn.replace(':stateMachine:', ':execution:')}:${i.name}`,
    startDate: new Date(),
  }));
});

describe('events/api-*.json', () => {
  const steps: Array<[string, number]> = [
    ['api-get-setup', 200],
    ['api-post-roles', 200],
    ['api-get-aws-subnets', 200],
    ['api-post-clusters', 202],
    ['api-post-clusters', 202], // the Idempotency-Key replays the first answer
    ['api-get-clusters', 200],
    ['api-get-cluster', 200],
  ];
  it.each(steps)('%s → %i', async (name, status) => {
    const r = await handler(load(name));
    expect(r.statusCode, r.body).toBe(status);
  });

  it('the walk made one tenant (the caller role) and started one execution', async () => {
    expect([...store.tenants.keys()]).toEqual(['arn:aws:sts::222222222222:assumed-role/platform-ci']);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
    const list = JSON.parse((await handler(load('api-get-clusters'))).body);
    expect(list.items).toHaveLength(1);
  });

  it('hold no credentials', () => {
    for (const name of [
      'api-get-setup',
      'api-post-roles',
      'api-get-aws-subnets',
      'api-post-clusters',
      'api-get-clusters',
      'api-get-cluster',
    ]) {
      const text = readFileSync(new URL(`../../../events/${name}.json`, import.meta.url), 'utf8');
      expect(text).not.toMatch(/\b(AKIA|ASIA)[A-Z0-9]{16}\b|SecretAccessKey|SessionToken|X-Amz-Security-Token/i);
    }
  });
});
