/**
 * Role B's session expiring before its stated expiry (AWS answers ExpiredToken / ExpiredTokenException /
 * RequestExpired): the call assumes role B again and is sent again within the same invocation, up to
 * MAX_RENEWALS_PER_CALL times (a fresh session may expire too); past that the expiry comes out as
 * AwsTransient (retried by the state machine) whose exhausted-retries diagnosis says the credentials kept expiring. Real SDK clients and signing; the wire is replaced by a
 * middleware placed right after signing, which sees the session token each attempt was signed with.
 */

import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeRegionsCommand } from '@aws-sdk/client-ec2';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { FinalizeRequestMiddleware, HttpRequest } from '@aws-sdk/types';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cloudFormationClient, ec2Client, MAX_RENEWALS_PER_CALL } from '../../../functions/lib/aws/clients.js';
import { clearCredentialCache, provisionSession } from '../../../functions/lib/aws/provision-role.js';
import { awsCall } from '../../../functions/lib/diagnosis/from-aws-error.js';
import { diagnoseStepError } from '../../../functions/lib/diagnosis/from-step-error.js';
import { AwsTransientError } from '../../../functions/lib/errors.js';
import { FAKE_STS_CREDENTIALS } from './fixtures.js';

const sts = mockClient(STSClient);
const ROLE = 'arn:aws:iam::222222222222:role/eks-provisioner-provision';
const opts = {
  roleArn: ROLE,
  externalId: '0123456789abcdef0123456789abcdef01234567',
  region: 'us-east-1',
  sessionName: 'c-expiry000001',
};
const token = (n: number) => `${FAKE_STS_CREDENTIALS.SessionToken.slice(0, -4)}${String(n).padStart(4, '0')}`;
const assumed = (n: number) => ({
  Credentials: { ...FAKE_STS_CREDENTIALS, SessionToken: token(n) },
  AssumedRoleUser: {
    Arn: `arn:aws:sts::222222222222:assumed-role/eks-provisioner-provision/eks-provisioner-${opts.sessionName}`,
    AssumedRoleId: 'AROAEXAMPLEID:x',
  },
});

/** Each AssumeRole hands out a new session token (1, 2, 3, …). */
function stsIssuesFreshTokens(): void {
  let n = 0;
  sts.on(AssumeRoleCommand).callsFake(() => assumed(++n));
}

const expired = (code: string, message: string) =>
  Object.assign(new Error(message), {
    name: code,
    $fault: 'client',
    $metadata: { httpStatusCode: 400, requestId: 'req-1' },
  });

/** The wire: records each attempt's session token; tokens in `dead` are answered as expired. */
function wire(
  client: { middlewareStack: { addRelativeTo: (mw: never, o: never) => void } },
  dead: Set<string>,
  err: () => Error,
  output: object,
) {
  const seen: string[] = [];
  const mw: FinalizeRequestMiddleware<object, object> = () => async (args) => {
    const t = (args.request as HttpRequest).headers['x-amz-security-token'] ?? '';
    seen.push(t);
    if (dead.has(t)) throw err();
    return { response: { statusCode: 200, headers: {} }, output: { $metadata: {}, ...output } };
  };
  client.middlewareStack.addRelativeTo(
    mw as never,
    { relation: 'after', toMiddleware: 'httpSigningMiddleware', name: 'testWire' } as never,
  );
  return seen;
}

/** Role B's session through a fresh provisionSession, and an EC2 client whose wire refuses `dead` tokens with `err`. */
async function ec2WithDeadTokens(dead: string[], err: () => Error) {
  stsIssuesFreshTokens();
  const { session } = await provisionSession(opts);
  const ec2 = ec2Client(session);
  return { ec2, seen: wire(ec2, new Set(dead), err, {}) };
}
const describeRegions = (ec2: ReturnType<typeof ec2Client>) =>
  awsCall({ service: 'ec2', operation: 'DescribeRegions', principal: 'provision-role' }, () =>
    ec2.send(new DescribeRegionsCommand({})),
  ).catch((e: unknown) => e);

beforeEach(() => {
  sts.reset();
  clearCredentialCache();
});
afterEach(() => clearCredentialCache());

describe('expired role-B session', () => {
  for (const [code, message] of [
    ['ExpiredToken', 'The security token included in the request is expired'],
    ['ExpiredTokenException', 'The security token included in the request is expired'],
    ['RequestExpired', 'Request has expired.'],
  ] as const) {
    it(`${code}: drops the session, assumes role B again and sends the call once more`, async () => {
      stsIssuesFreshTokens();
      const { session } = await provisionSession(opts);
      const ec2 = ec2Client(session);
      const seen = wire(ec2, new Set([token(1)]), () => expired(code, message), {
        Regions: [{ RegionName: 'us-east-1' }],
      });
      const out = await awsCall({ service: 'ec2', operation: 'DescribeRegions', principal: 'provision-role' }, () =>
        ec2.send(new DescribeRegionsCommand({})),
      );
      expect(out.Regions?.[0]?.RegionName).toBe('us-east-1');
      expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
      expect(seen.at(-1)).toBe(token(2));
      expect(seen.filter((t) => t === token(2))).toHaveLength(1);
      // The next step of the run (a new provisionSession) gets the renewed session from the cache.
      const again = await provisionSession(opts);
      const cfn = cloudFormationClient(again.session);
      const seenCfn = wire(cfn, new Set(), () => new Error('unused'), { Stacks: [] });
      await cfn.send(new DescribeStacksCommand({}));
      expect(seenCfn).toEqual([token(2)]);
      expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
    });
  }

  it('clients built before the renewal sign with the new session too, and parallel failures renew once', async () => {
    stsIssuesFreshTokens();
    const { session } = await provisionSession(opts);
    const dead = new Set([token(1)]);
    const clients = [ec2Client(session), ec2Client(session), ec2Client(session)];
    const seen = clients.map((c) =>
      wire(c, dead, () => expired('RequestExpired', 'Request has expired.'), { Regions: [] }),
    );
    await Promise.all(clients.map((c) => c.send(new DescribeRegionsCommand({}))));
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
    for (const s of seen) expect(s.at(-1)).toBe(token(2));
  });

  it('the re-assumed session expiring too (two and three expiries in a row): assumes again until a session works', async () => {
    for (const expiries of [2, 3]) {
      sts.reset();
      clearCredentialCache();
      stsIssuesFreshTokens();
      const { session } = await provisionSession(opts);
      const ec2 = ec2Client(session);
      const dead = new Set(Array.from({ length: expiries }, (_, i) => token(i + 1)));
      const seen = wire(
        ec2,
        dead,
        () => expired('ExpiredToken', 'The security token included in the request is expired'),
        { Regions: [{ RegionName: 'us-east-1' }] },
      );
      const out = await awsCall({ service: 'ec2', operation: 'DescribeRegions', principal: 'provision-role' }, () =>
        ec2.send(new DescribeRegionsCommand({})),
      );
      expect(out.Regions?.[0]?.RegionName).toBe('us-east-1');
      expect(seen).toEqual(Array.from({ length: expiries + 1 }, (_, i) => token(i + 1)));
      expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(expiries + 1);
    }
  });

  it('expiring after every re-assume: bounded, AwsTransient with no secrets, diagnosis says credentials kept expiring', async () => {
    stsIssuesFreshTokens();
    const { session } = await provisionSession(opts);
    const ec2 = ec2Client(session);
    const dead = new Set(Array.from({ length: MAX_RENEWALS_PER_CALL + 2 }, (_, i) => token(i + 1)));
    const seen = wire(
      ec2,
      dead,
      () => expired('ExpiredToken', 'The security token included in the request is expired'),
      {},
    );
    const err = await awsCall({ service: 'ec2', operation: 'DescribeRegions', principal: 'provision-role' }, () =>
      ec2.send(new DescribeRegionsCommand({})),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AwsTransientError);
    expect((err as Error).name).toBe('AwsTransient');
    // MAX_RENEWALS_PER_CALL re-assumes per call, not an endless loop.
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1 + MAX_RENEWALS_PER_CALL);
    expect(seen).toHaveLength(1 + MAX_RENEWALS_PER_CALL);
    expect(seen).not.toContain(token(MAX_RENEWALS_PER_CALL + 2));
    const text = `${(err as Error).message} ${JSON.stringify(err)}`;
    for (const secret of [FAKE_STS_CREDENTIALS.AccessKeyId, FAKE_STS_CREDENTIALS.SecretAccessKey, ...dead])
      expect(text).not.toContain(secret);
    // What the record says once the state machine's retries are exhausted.
    const d = diagnoseStepError({
      Error: 'AwsTransient',
      Cause: JSON.stringify({ errorType: 'AwsTransient', errorMessage: (err as Error).message }),
    });
    expect(d.retryable).toBe(true);
    expect(JSON.stringify(d)).toMatch(/credentials kept expiring/);
    expect(JSON.stringify(d)).not.toMatch(/5xx|delete stack/i);
    // The refused session left the cache: the state machine's retry assumes role B afresh.
    await provisionSession(opts);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2 + MAX_RENEWALS_PER_CALL);
  });

  it('credentials AWS calls invalid are not renewed here but dropped, so the retry assumes role B again', async () => {
    const invalid = () =>
      Object.assign(new Error('AWS was not able to validate the provided access credentials'), {
        name: 'AuthFailure',
        $fault: 'client',
        $metadata: { httpStatusCode: 401 },
      });
    const { ec2, seen } = await ec2WithDeadTokens([token(1)], invalid);
    expect(await describeRegions(ec2)).toBeInstanceOf(AwsTransientError);
    expect(seen).toHaveLength(1);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
    await provisionSession(opts);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
  });

  it('errors other than an expired token are not retried here', async () => {
    const denied = () =>
      Object.assign(new Error('You are not authorized to perform this operation.'), {
        name: 'UnauthorizedOperation',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
      });
    const { ec2, seen } = await ec2WithDeadTokens([token(1)], denied);
    await expect(ec2.send(new DescribeRegionsCommand({}))).rejects.toMatchObject({ name: 'UnauthorizedOperation' });
    expect(seen).toHaveLength(1);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
  });

  it('renew() (for the EKS token, whose expiry shows only as a 401): parallel callers assume once; later calls sign with the new token', async () => {
    stsIssuesFreshTokens();
    const { session } = await provisionSession(opts);
    const credentials = session.clientConfig().credentials as () => Promise<{ sessionToken?: string }>;
    expect((await credentials()).sessionToken).toBe(token(1));
    await Promise.all([session.renew(), session.renew(), session.renew()]);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
    expect((await credentials()).sessionToken).toBe(token(2));
  });
});
