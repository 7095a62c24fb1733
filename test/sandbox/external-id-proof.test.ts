/**
 * The confused-deputy check against the sandbox's IAM and STS: role B reads its own trust policy
 * (iam:GetRole) right after the real AssumeRole, and the service refuses it unless every way in for
 * the service pins this tenant's External ID. Every corpus trust policy that the real AssumeRole gets
 * through is accepted or refused exactly as the corpus says; no extra AssumeRole is ever sent.
 */
import {
  CreateRoleCommand,
  DeleteRolePolicyCommand,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { proveExternalIdRequired } from '../../functions/lib/aws/external-id-proof.js';
import { clearCredentialCache, provisionSession } from '../../functions/lib/aws/provision-role.js';
import type { DiagnosedError } from '../../functions/lib/errors.js';
import type { Sandbox } from '../../local/sandbox/server.js';
import { TRUST_CORPUS, XID } from '../support/trust-policy-corpus.js';
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

const SERVICE = 'arn:aws:iam::111111111111:root';
const pinned = (externalId = XID) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: SERVICE },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': externalId } },
      },
    ],
  });

/** Role B with this trust policy, allowed to read itself (as the provision policy allows). */
async function roleWithTrust(name: string, doc: string, canReadItself = true): Promise<string> {
  const iam = clients(sb, customerCreds).iam;
  const arn = `arn:aws:iam::222222222222:role/${name}`;
  await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: doc }));
  if (canReadItself) {
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: name,
        PolicyName: 'read-itself',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'iam:GetRole', Resource: arn }],
        }),
      }),
    );
  }
  return arn;
}

/** Records the service's AssumeRole calls and how each ended. */
function countAssumeRole() {
  const calls: Array<{ externalId: string | undefined; sessionName: string | undefined; ok: boolean }> = [];
  const original = STSClient.prototype.send;
  vi.spyOn(STSClient.prototype, 'send').mockImplementation(async function (
    this: STSClient,
    command: unknown,
    ...rest: unknown[]
  ) {
    const isAssume = command instanceof AssumeRoleCommand;
    const entry = isAssume
      ? { externalId: command.input.ExternalId, sessionName: command.input.RoleSessionName }
      : undefined;
    try {
      const out = await (original as (...a: unknown[]) => Promise<unknown>).call(this, command, ...rest);
      if (entry) calls.push({ ...entry, ok: true });
      return out;
    } catch (err) {
      if (entry) calls.push({ ...entry, ok: false });
      throw err;
    }
  } as never);
  return calls;
}

const opts = (roleArn: string) => ({
  roleArn,
  externalId: XID,
  region: 'us-east-1',
  sessionName: 'cluster-1',
  proveExternalId: { when: 'always' as const, prove: proveExternalIdRequired },
});

async function refusal(p: Promise<unknown>): Promise<DiagnosedError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'expected a refusal').toBeDefined();
  return err as DiagnosedError;
}

describe('role B must demand the tenant External ID', () => {
  it('the trust policy GET /v1/setup hands out passes at the cost of one AssumeRole, none denied', async () => {
    const roleArn = await roleWithTrust('eks-provisioner-good', pinned());
    const calls = countAssumeRole();
    const { identity } = await provisionSession(opts(roleArn));
    expect(identity.accountId).toBe('222222222222');
    expect(calls).toEqual([{ externalId: XID, sessionName: 'eks-provisioner-cluster-1', ok: true }]);
  });

  // Documents the sandbox stores as given: the rest are refused at CreateRole (see the differential test).
  const reachable = TRUST_CORPUS.filter((c) => typeof c.policy !== 'string');
  it.each(reachable.map((c, i) => [c.name, c, i] as const))('%s', async (_name, c, i) => {
    const roleArn = await roleWithTrust(`eks-provisioner-corpus-${i}`, JSON.stringify(c.policy));
    const outcome = await provisionSession(opts(roleArn)).then(
      () => 'accepted' as const,
      (e: DiagnosedError) => e,
    );
    if (c.realAssume === 'denied') {
      expect(outcome).toMatchObject({ diagnosis: { code: 'ASSUME_ROLE_DENIED' } });
      return;
    }
    if (c.proof === 'accept') {
      expect(outcome).toBe('accepted');
      return;
    }
    // Either STS itself refuses our real call (nothing to prove), or the proof must.
    if (outcome === 'accepted') throw new Error(`${c.name}: accepted, the corpus says ${c.proof}`);
    const d = outcome.diagnosis;
    if (d.code === 'ASSUME_ROLE_DENIED') return;
    expect(d.code).toBe('EXTERNAL_ID_NOT_REQUIRED');
    expect(d.evidence?.['trustProblem']).toBe(c.proof);
    if (c.offending !== undefined) expect(d.evidence?.['statementIndex']).toBe(c.offending);
  });

  it('the refusal names the statement at fault and the trust policy to paste; nothing is cached', async () => {
    const open = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: SERVICE },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'sts:ExternalId': XID } },
        },
        {
          Effect: 'Allow',
          Principal: { AWS: SERVICE },
          Action: 'sts:AssumeRole',
          Condition: { StringLike: { 'sts:ExternalId': '3*' } },
        },
      ],
    });
    const roleArn = await roleWithTrust('eks-provisioner-open', open);
    const err = await refusal(provisionSession(opts(roleArn)));
    expect(err.name).toBe('Diagnosed');
    const d = err.diagnosis;
    expect(d.code).toBe('EXTERNAL_ID_NOT_REQUIRED');
    expect(d.retryable).toBe(false);
    expect(d.message).toContain(roleArn);
    expect(d.message).toContain('statement 2 of its trust policy: "StringLike" "3*" is a pattern');
    const pasted = d.remediation[0]!;
    const json = JSON.parse(pasted.slice(pasted.indexOf('{')));
    expect(json.Statement).toEqual([
      expect.objectContaining({
        Principal: { AWS: SERVICE },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': XID } },
      }),
    ]);
    expect(d.remediation[1]).toBe(`The statement at fault: ${JSON.stringify(JSON.parse(open).Statement[1])}`);
    expect((await refusal(provisionSession(opts(roleArn)))).diagnosis.code).toBe('EXTERNAL_ID_NOT_REQUIRED');
  });

  it('a role B that may not read itself is refused with TRUST_POLICY_UNREADABLE and the statement to add', async () => {
    const roleArn = await roleWithTrust('eks-provisioner-blind', pinned(), false);
    const d = (await refusal(provisionSession(opts(roleArn)))).diagnosis;
    expect(d.code).toBe('TRUST_POLICY_UNREADABLE');
    expect(d.evidence?.['awsErrorCode']).toBe('AccessDenied');
    expect(d.remediation[0]).toContain(
      `{"Sid":"ReadOwnTrustPolicy","Effect":"Allow","Action":"iam:GetRole","Resource":"${roleArn}"}`,
    );
    // Once it may, it passes.
    await clients(sb, customerCreds).iam.send(
      new PutRolePolicyCommand({
        RoleName: 'eks-provisioner-blind',
        PolicyName: 'read-itself',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'iam:GetRole', Resource: roleArn }],
        }),
      }),
    );
    await expect(provisionSession(opts(roleArn))).resolves.toBeDefined();
    await clients(sb, customerCreds).iam.send(
      new DeleteRolePolicyCommand({ RoleName: 'eks-provisioner-blind', PolicyName: 'read-itself' }),
    );
  });

  it('"always" proves again on cached credentials: a trust policy loosened after the first check is caught', async () => {
    const roleArn = await roleWithTrust('eks-provisioner-later', pinned());
    await provisionSession(opts(roleArn));
    await clients(sb, customerCreds).iam.send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: 'eks-provisioner-later',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: SERVICE },
              Action: 'sts:AssumeRole',
              Condition: { StringLike: { 'sts:ExternalId': '3*' } },
            },
          ],
        }),
      }),
    );
    // Steps after the start of a run reuse the proven session without asking again…
    const { proveExternalId: _, ...unproven } = opts(roleArn);
    await expect(provisionSession(unproven)).resolves.toBeDefined();
    // …the start of the next run (and registration) asks.
    expect((await refusal(provisionSession(opts(roleArn)))).diagnosis.code).toBe('EXTERNAL_ID_NOT_REQUIRED');
  });
});
