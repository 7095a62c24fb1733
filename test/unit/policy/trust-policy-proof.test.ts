/**
 * The External ID proof over the trust policy text: every corpus entry is accepted or refused as the
 * corpus says, naming the offending statement; GetRole's URL-encoded form reads the same.
 */
import { describe, expect, it } from 'vitest';
import { provisionRoleTrustPolicy } from '../../../functions/lib/policy/trust-policy.js';
import { duplicateKey, proveTrustPolicy } from '../../../functions/lib/policy/trust-policy-proof.js';
import { SERVICE_ACCOUNT, TRUST_CORPUS, XID } from '../../support/trust-policy-corpus.js';

const text = (p: unknown) => (typeof p === 'string' ? p : JSON.stringify(p));

describe('proveTrustPolicy over the trust-policy corpus', () => {
  it.each(TRUST_CORPUS.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const proof = proveTrustPolicy({ document: text(c.policy), externalId: XID, serviceAccountId: SERVICE_ACCOUNT });
    if (c.proof === 'accept') {
      expect(proof).toEqual({ ok: true });
      return;
    }
    expect(proof.ok).toBe(false);
    if (proof.ok) return;
    expect(proof.problem.kind).toBe(c.proof);
    expect(proof.problem.why.length).toBeGreaterThan(10);
    if (c.offending !== undefined) {
      expect(proof.problem.statementIndex).toBe(c.offending);
      const statements = (JSON.parse(text(c.policy)) as { Statement: unknown[] }).Statement;
      expect(proof.problem.statement).toEqual(statements[c.offending]);
    }
  });

  it('the corpus has both verdicts and every refusal kind the proof names', () => {
    expect(TRUST_CORPUS.length).toBeGreaterThanOrEqual(60);
    const kinds = new Set(TRUST_CORPUS.map((c) => c.proof));
    for (const k of [
      'accept',
      'external-id-not-pinned',
      'wildcard-principal',
      'not-principal',
      'service-not-trusted',
      'duplicate-key',
    ])
      expect(kinds).toContain(k);
  });

  it('accepts the trust policy GET /v1/setup hands out, URL-encoded as GetRole returns it', () => {
    const doc = encodeURIComponent(JSON.stringify(provisionRoleTrustPolicy(SERVICE_ACCOUNT, XID)));
    expect(proveTrustPolicy({ document: doc, externalId: XID, serviceAccountId: SERVICE_ACCOUNT })).toEqual({
      ok: true,
    });
    // The same policy for another tenant is not proof for this one.
    expect(proveTrustPolicy({ document: doc, externalId: 'f'.repeat(40), serviceAccountId: SERVICE_ACCOUNT }).ok).toBe(
      false,
    );
    // Nor for another service account.
    expect(proveTrustPolicy({ document: doc, externalId: XID, serviceAccountId: '999999999999' })).toMatchObject({
      ok: false,
      problem: { kind: 'service-not-trusted' },
    });
  });

  it('says why, in words a customer can act on', () => {
    const why = (condition: object) =>
      (
        proveTrustPolicy({
          document: JSON.stringify({
            Statement: [
              { Effect: 'Allow', Principal: { AWS: SERVICE_ACCOUNT }, Action: 'sts:AssumeRole', Condition: condition },
            ],
          }),
          externalId: XID,
          serviceAccountId: SERVICE_ACCOUNT,
        }) as { problem: { why: string } }
      ).problem.why;
    expect(why({ StringLike: { 'sts:ExternalId': '3*' } })).toMatch(/"StringLike" "3\*" is a pattern/);
    expect(why({ StringEqualsIfExists: { 'sts:ExternalId': XID } })).toMatch(/without any External ID/);
    expect(why({ StringEquals: { 'sts:ExternalId': [XID, 'abc'] } })).toMatch(/also admits other External IDs \(abc\)/);
    expect(why({ Null: { 'sts:ExternalId': 'false' } })).toMatch(/not which one/);
    expect(why({ StringNotEquals: { 'sts:ExternalId': 'abc' } })).toMatch(/admits every External ID it does not list/);
    expect(why({ 'ForAnyValue:StringEquals': { 'sts:ExternalId': XID } })).toMatch(/set operator/);
  });

  it('unreadable or empty documents are refused, not accepted', () => {
    for (const document of ['not json', '%7B', '{}', '{"Statement":[]}']) {
      expect(proveTrustPolicy({ document, externalId: XID, serviceAccountId: SERVICE_ACCOUNT }).ok).toBe(false);
    }
  });
});

describe('duplicateKey', () => {
  it('finds keys repeated in one object, in any case, and only there', () => {
    expect(duplicateKey('{"a":1,"b":{"a":2}}')).toBeUndefined();
    expect(duplicateKey('{"a":1,"A":2}')).toBe('a');
    expect(duplicateKey('{"x":[{"k":"v"},{"k":"v"}]}')).toBeUndefined();
    expect(duplicateKey('{"x":{"k":"a,\\"k\\"","k":1}}')).toBe('k');
    expect(duplicateKey('{"s":["a","a"]}')).toBeUndefined();
  });
});
