/**
 * The confused-deputy check against the sandbox's STS, which evaluates trust-policy conditions on
 * sts:ExternalId like AWS: role B must refuse a caller without the tenant's External ID, in every
 * spelling a customer might get wrong, and a correct role costs two denied probes per check.
 */
import { CreateRoleCommand, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { proveExternalIdRequired } from '../../functions/lib/aws/external-id-proof.js';
import { clearCredentialCache, provisionSession } from '../../functions/lib/aws/provision-role.js';
import type { DiagnosedError } from '../../functions/lib/errors.js';
import type { Sandbox } from '../../local/sandbox/server.js';
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
  clearCredentialCache();
});
afterEach(() => vi.restoreAllMocks());

const XID = '0123456789abcdef0123456789abcdef01234567';
const SERVICE = 'arn:aws:iam::111111111111:root';

type Condition = Record<string, Record<string, string | string[]>> | undefined;
const trust = (...conditions: Condition[]) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: conditions.map((c) => ({ Effect: 'Allow', Principal: { AWS: SERVICE }, Action: 'sts:AssumeRole', ...(c ? { Condition: c } : {}) })),
  });

async function roleWithTrust(name: string, doc: string): Promise<string> {
  await clients(sb, customerCreds).iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: doc }));
  return `arn:aws:iam::222222222222:role/${name}`;
}

/** Counts the service's AssumeRole calls and how each ended. */
function countAssumeRole() {
  const calls: Array<{ externalId: string | undefined; ok: boolean }> = [];
  const original = STSClient.prototype.send;
  vi.spyOn(STSClient.prototype, 'send').mockImplementation(async function (this: STSClient, command: unknown, ...rest: unknown[]) {
    const isAssume = command instanceof AssumeRoleCommand;
    try {
      const out = await (original as (...a: unknown[]) => Promise<unknown>).call(this, command, ...rest);
      if (isAssume) calls.push({ externalId: command.input.ExternalId, ok: true });
      return out;
    } catch (err) {
      if (isAssume) calls.push({ externalId: command.input.ExternalId, ok: false });
      throw err;
    }
  } as never);
  return calls;
}

const opts = (roleArn: string) => ({ roleArn, externalId: XID, region: 'us-east-1', sessionName: 'cluster-1', proveExternalId: 'always' as const });

async function refusal(p: Promise<unknown>): Promise<DiagnosedError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'expected a refusal').toBeDefined();
  return err as DiagnosedError;
}

describe('role B must demand the tenant External ID', () => {
  it('StringEquals with the tenant External ID passes, at the cost of exactly two denied probes', async () => {
    const roleArn = await roleWithTrust('eks-provisioner-good', trust({ StringEquals: { 'sts:ExternalId': XID } }));
    const calls = countAssumeRole();
    const { identity } = await provisionSession(opts(roleArn));
    expect(identity.accountId).toBe('222222222222');
    expect(calls.filter((c) => c.ok)).toEqual([{ externalId: XID, ok: true }]);
    const denied = calls.filter((c) => !c.ok);
    expect(denied).toHaveLength(2);
    expect(denied.map((c) => c.externalId === undefined).sort()).toEqual([false, true]);
    expect(denied.find((c) => c.externalId !== undefined)!.externalId).not.toBe(XID);
  });

  it.each([
    ['no condition at all', trust(undefined), ['absent', 'wrong']],
    ['StringLike sts:ExternalId "*"', trust({ StringLike: { 'sts:ExternalId': '*' } }), ['wrong']],
    ['Null sts:ExternalId false (any value)', trust({ Null: { 'sts:ExternalId': 'false' } }), ['wrong']],
    ['StringEqualsIfExists with the right id (absent passes)', trust({ StringEqualsIfExists: { 'sts:ExternalId': XID } }), ['absent']],
    ['a second statement without the condition', trust({ StringEquals: { 'sts:ExternalId': XID } }, undefined), ['absent', 'wrong']],
  ])('%s → EXTERNAL_ID_NOT_REQUIRED, credentials never handed out', async (_label, doc, accepted) => {
    const roleArn = await roleWithTrust('eks-provisioner-open', doc);
    const err = await refusal(provisionSession(opts(roleArn)));
    expect(err.name).toBe('Diagnosed');
    const d = err.diagnosis;
    expect(d.code).toBe('EXTERNAL_ID_NOT_REQUIRED');
    expect(d.retryable).toBe(false);
    expect(d.evidence?.['acceptedWithout']).toEqual(accepted);
    expect(d.message).toContain(roleArn);
    // The trust policy to use: the service's account and this tenant's External ID, ready to paste.
    const pasted = d.remediation[0]!;
    const json = JSON.parse(pasted.slice(pasted.indexOf('{')));
    expect(json.Statement[0]).toMatchObject({ Principal: { AWS: SERVICE }, Condition: { StringEquals: { 'sts:ExternalId': XID } } });
    // A second attempt is refused again: nothing was cached.
    expect((await refusal(provisionSession(opts(roleArn)))).diagnosis.code).toBe('EXTERNAL_ID_NOT_REQUIRED');
  });

  it('"always" proves again on cached credentials: a trust policy loosened after the first check is caught', async () => {
    const roleArn = await roleWithTrust('eks-provisioner-later', trust({ StringEquals: { 'sts:ExternalId': XID } }));
    await provisionSession(opts(roleArn));
    await clients(sb, customerCreds).iam.send(
      new UpdateAssumeRolePolicyCommand({ RoleName: 'eks-provisioner-later', PolicyDocument: trust({ StringLike: { 'sts:ExternalId': '*' } }) }),
    );
    // Steps after the start of a run reuse the proven session without asking again…
    const { proveExternalId: _, ...unproven } = opts(roleArn);
    await expect(provisionSession(unproven)).resolves.toBeDefined();
    // …the start of the next run (and registration) asks.
    expect((await refusal(provisionSession(opts(roleArn)))).diagnosis.code).toBe('EXTERNAL_ID_NOT_REQUIRED');
  });

  it('the probe alone: a denied role passes, an open one is refused', async () => {
    const good = await roleWithTrust('eks-provisioner-good2', trust({ StringEquals: { 'sts:ExternalId': XID } }));
    await expect(proveExternalIdRequired({ roleArn: good, externalId: XID, region: 'us-east-1', sessionName: 's' })).resolves.toBeUndefined();
    const open = await roleWithTrust('eks-provisioner-open2', trust(undefined));
    const err = await refusal(proveExternalIdRequired({ roleArn: open, externalId: XID, region: 'us-east-1', sessionName: 's' }));
    expect(err.diagnosis.code).toBe('EXTERNAL_ID_NOT_REQUIRED');
    expect(err.diagnosis.evidence?.['serviceAccountId']).toBe('111111111111');
  });
});
