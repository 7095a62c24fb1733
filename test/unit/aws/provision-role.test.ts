import { inspect } from 'node:util';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ec2Client } from '../../../functions/lib/aws/clients.js';
import { clearCredentialCache, provisionSession, sessionNameFor } from '../../../functions/lib/aws/provision-role.js';
import { AwsThrottledError, DiagnosedError } from '../../../functions/lib/errors.js';
import { FAKE_STS_CREDENTIALS, FIXTURES } from './fixtures.js';

const sts = mockClient(STSClient);
const ROLE = 'arn:aws:iam::222222222222:role/eks-provisioner-provision';
const opts = {
  roleArn: ROLE,
  externalId: '0123456789abcdef0123456789abcdef01234567',
  region: 'us-east-1',
  sessionName: 'c-abcdefghijkl',
};
const assumed = (expiration = FAKE_STS_CREDENTIALS.Expiration) => ({
  Credentials: { ...FAKE_STS_CREDENTIALS, Expiration: expiration },
  AssumedRoleUser: {
    Arn: 'arn:aws:sts::222222222222:assumed-role/eks-provisioner-provision/eks-provisioner-c-abcdefghijkl',
    AssumedRoleId: 'AROAEXAMPLEID:eks-provisioner-c-abcdefghijkl',
  },
});

beforeEach(() => {
  sts.reset();
  clearCredentialCache();
});
afterEach(() => clearCredentialCache());

describe('provisionSession', () => {
  it('assumes role B with the External ID and a valid session name, returning identity', async () => {
    sts.on(AssumeRoleCommand).resolves(assumed());
    const { identity, session } = await provisionSession(opts);
    expect(identity).toMatchObject({ accountId: '222222222222', assumedRoleArn: assumed().AssumedRoleUser.Arn });
    const input = sts.commandCalls(AssumeRoleCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      RoleArn: ROLE,
      ExternalId: opts.externalId,
      RoleSessionName: 'eks-provisioner-c-abcdefghijkl',
    });
    const creds = await ec2Client(session).config.credentials();
    expect(creds.accessKeyId).toBe(FAKE_STS_CREDENTIALS.AccessKeyId);
    expect(creds.sessionToken).toBe(FAKE_STS_CREDENTIALS.SessionToken);
    // The session is handed around inside the process; if it ever reaches an output or a log line,
    // it shows the region only.
    const shown = `${JSON.stringify({ session })} ${inspect(session)}`;
    expect(shown).toContain('us-east-1');
    for (const secret of [
      FAKE_STS_CREDENTIALS.AccessKeyId,
      FAKE_STS_CREDENTIALS.SecretAccessKey,
      FAKE_STS_CREDENTIALS.SessionToken,
    ])
      expect(shown).not.toContain(secret);
  });

  it('caches credentials per role until shortly before expiry', async () => {
    let t = Date.parse('2030-01-01T00:00:00Z');
    const now = () => t;
    sts.on(AssumeRoleCommand).resolves(assumed(new Date(t + 60 * 60 * 1000)));
    await provisionSession(opts, now);
    await provisionSession(opts, now);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
    t += 56 * 60 * 1000; // inside the 5-minute refresh margin
    await provisionSession(opts, now);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
    await provisionSession({ ...opts, externalId: 'another-external-id-000000000000000' }, now);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(3);
  });

  it('never hands one cluster the session of another: the session name is part of the cache key', async () => {
    sts.on(AssumeRoleCommand).callsFake((input: { RoleSessionName: string }) => ({
      ...assumed(),
      AssumedRoleUser: {
        Arn: `arn:aws:sts::222222222222:assumed-role/eks-provisioner-provision/${input.RoleSessionName}`,
        AssumedRoleId: `AROAEXAMPLEID:${input.RoleSessionName}`,
      },
    }));
    const first = await provisionSession({ ...opts, sessionName: 'c-first' });
    const second = await provisionSession({ ...opts, sessionName: 'c-second' });
    expect(first.identity.assumedRoleArn).toMatch(/\/eks-provisioner-c-first$/);
    expect(second.identity.assumedRoleArn).toMatch(/\/eks-provisioner-c-second$/);
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input.RoleSessionName)).toEqual([
      'eks-provisioner-c-first',
      'eks-provisioner-c-second',
    ]);
    // The same cluster again: its own cached session.
    expect((await provisionSession({ ...opts, sessionName: 'c-first' })).identity.assumedRoleArn).toBe(
      first.identity.assumedRoleArn,
    );
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
  });

  it('keeps session names within STS rules', () => {
    expect(sessionNameFor('x'.repeat(100))).toHaveLength(64);
    expect(sessionNameFor('a b/c#d')).toBe('eks-provisioner-a-b-c-d');
    expect(sessionNameFor('c-abc')).toMatch(/^[\w+=,.@-]{2,64}$/);
  });
});

describe('provisionSession errors', () => {
  it("AccessDenied → ASSUME_ROLE_DENIED with the seed's checks, account and External ID", async () => {
    sts.on(AssumeRoleCommand).rejects(FIXTURES.assumeDenied());
    const err = (await provisionSession(opts).catch((e: unknown) => e)) as DiagnosedError;
    expect(err).toBeInstanceOf(DiagnosedError);
    expect(err.name).toBe('Diagnosed');
    expect(err.diagnosis.code).toBe('ASSUME_ROLE_DENIED');
    expect(err.diagnosis.remediation).toHaveLength(5);
    const trust = err.diagnosis.remediation[0] ?? '';
    expect(trust).toContain('111111111111');
    expect(trust).toContain(opts.externalId);
    expect(err.diagnosis.message).toContain(ROLE);
  });

  it('no service credentials → CREDENTIALS_NOT_CONFIGURED', async () => {
    sts.on(AssumeRoleCommand).rejects(FIXTURES.credentialsMissing());
    const err = (await provisionSession(opts).catch((e: unknown) => e)) as DiagnosedError;
    expect(err.diagnosis.code).toBe('CREDENTIALS_NOT_CONFIGURED');
  });

  it('STS not active in the region → REGION_NOT_ENABLED', async () => {
    sts.on(AssumeRoleCommand).rejects(FIXTURES.regionDisabled());
    const err = (await provisionSession(opts).catch((e: unknown) => e)) as DiagnosedError;
    expect(err.diagnosis.code).toBe('REGION_NOT_ENABLED');
  });

  it('STS refusing valid keys in an opt-in region → REGION_NOT_ENABLED; keys refused everywhere → CREDENTIALS_NOT_CONFIGURED', async () => {
    sts.on(AssumeRoleCommand).rejects(FIXTURES.invalidClientToken());
    sts.on(GetCallerIdentityCommand).resolves({
      Account: '111111111111',
      Arn: 'arn:aws:iam::111111111111:user/eks-provisioner',
      UserId: 'AIDAEXAMPLE',
    });
    const err = (await provisionSession({ ...opts, region: 'ap-east-1' }).catch((e: unknown) => e)) as DiagnosedError;
    expect(err.diagnosis.code).toBe('REGION_NOT_ENABLED');
    expect(err.diagnosis.message).toContain('ap-east-1');
    sts.on(GetCallerIdentityCommand).rejects(FIXTURES.invalidClientToken());
    const again = (await provisionSession({ ...opts, region: 'ap-east-1' }).catch((e: unknown) => e)) as DiagnosedError;
    expect(again.diagnosis.code).toBe('CREDENTIALS_NOT_CONFIGURED');
    // In the home region itself there is nothing to compare with.
    const home = (await provisionSession(opts).catch((e: unknown) => e)) as DiagnosedError;
    expect(home.diagnosis.code).toBe('CREDENTIALS_NOT_CONFIGURED');
  });

  it('Throttling → AwsThrottled (retried by the state machine)', async () => {
    sts.on(AssumeRoleCommand).rejects(FIXTURES.stsThrottling());
    const err = await provisionSession(opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AwsThrottledError);
    expect((err as Error).name).toBe('AwsThrottled');
  });

  it('an answer without credentials is retryable, not a crash', async () => {
    sts.on(AssumeRoleCommand).resolves({ AssumedRoleUser: assumed().AssumedRoleUser });
    const err = await provisionSession(opts).catch((e: unknown) => e);
    expect((err as Error).name).toBe('AwsTransient');
  });
});
