/**
 * Role B's session cut short several times in a row, on the sandbox's wire: the sandbox answers the next
 * N calls signed with session credentials "token expired" (`expireTokensRate: 1, times: N`), as AWS does
 * while a revocation propagates. One call must still succeed within the invocation, by assuming role B
 * again each time, up to MAX_RENEWALS_PER_CALL; the random 20 % rate of the e2e run is this, by chance.
 */
import { DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import { CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ec2Client, MAX_RENEWALS_PER_CALL } from '../../functions/lib/aws/clients.js';
import { proveExternalIdRequired } from '../../functions/lib/aws/external-id-proof.js';
import { clearCredentialCache, provisionSession } from '../../functions/lib/aws/provision-role.js';
import { awsCall } from '../../functions/lib/diagnosis/from-aws-error.js';
import { AwsTransientError } from '../../functions/lib/errors.js';
import type { Sandbox } from '../../local/sandbox/server.js';
import { XID } from '../support/trust-policy-corpus.js';
import { clients, customerCreds, start } from './helpers.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await start();
  vi.stubEnv('AWS_ENDPOINT_URL', sb.url);
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await sb.stop();
});
beforeEach(() => {
  sb.world.reset();
  sb.faults.set([]);
  sb.calls.length = 0;
  clearCredentialCache();
});

async function roleB(): Promise<string> {
  const name = 'eks-provisioner-renewal';
  const trust = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::111111111111:root' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': XID } },
      },
    ],
  };
  const iam = clients(sb, customerCreds).iam;
  await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: JSON.stringify(trust) }));
  const arn = `arn:aws:iam::222222222222:role/${name}`;
  const statements = [
    { Effect: 'Allow', Action: 'ec2:DescribeVpcs', Resource: '*' },
    { Effect: 'Allow', Action: 'iam:GetRole', Resource: arn },
  ];
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: name,
      PolicyName: 'read',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
    }),
  );
  return arn;
}

const describeVpcs = async (roleArn: string) => {
  const { session } = await provisionSession({
    roleArn,
    externalId: XID,
    region: 'us-east-1',
    sessionName: 'c-renewal',
  });
  return awsCall({ service: 'ec2', operation: 'DescribeVpcs', principal: 'provision-role' }, () =>
    ec2Client(session).send(new DescribeVpcsCommand({})),
  );
};

describe('role-B session expiring again after each re-assume (sandbox wire)', () => {
  it(`two, then ${MAX_RENEWALS_PER_CALL}, expiries in a row: the call still succeeds`, async () => {
    const roleArn = await roleB();
    for (const times of [2, MAX_RENEWALS_PER_CALL]) {
      clearCredentialCache();
      sb.faults.set([{ service: 'ec2', expireTokensRate: 1, times }]);
      const out = await describeVpcs(roleArn);
      expect(out.Vpcs, `${times} expiries`).toBeDefined();
    }
  });

  it('expiring on every session: gives up after MAX_RENEWALS_PER_CALL re-assumes, as AwsTransient', async () => {
    const roleArn = await roleB();
    sb.faults.set([{ service: 'ec2', expireTokensRate: 1 }]);
    const err = await describeVpcs(roleArn).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AwsTransientError);
    expect((err as Error).message).toMatch(/expired/i);
    const sent = sb.calls.filter((c) => c.operation === 'DescribeVpcs');
    expect(sent.map((c) => c.status)).toEqual(Array(1 + MAX_RENEWALS_PER_CALL).fill(400));
    expect(sb.calls.filter((c) => c.operation === 'AssumeRole')).toHaveLength(1 + MAX_RENEWALS_PER_CALL);
  });

  it('under the External ID proof (iam:GetRole right after AssumeRole): two expiries in a row, the proof still completes', async () => {
    const roleArn = await roleB();
    sb.faults.set([{ service: 'iam', expireTokensRate: 1, times: 2 }]);
    const prove = { when: 'always' as const, prove: proveExternalIdRequired };
    const { session } = await provisionSession({
      roleArn,
      externalId: XID,
      region: 'us-east-1',
      sessionName: 'c-renewal',
      proveExternalId: prove,
    });
    expect(sb.calls.filter((c) => c.operation === 'GetRole').map((c) => c.status)).toEqual([400, 400, 200]);
    // The session handed out is the one that passed the proof, and it works.
    sb.faults.set([]);
    await expect(ec2Client(session).send(new DescribeVpcsCommand({}))).resolves.toBeDefined();
    expect(sb.calls.filter((c) => c.operation === 'AssumeRole')).toHaveLength(3);
  });
});
