/**
 * Role B sessions expiring early (the sandbox answers 20 % of calls signed with STS session credentials
 * with the service's own expired-token error: ExpiredToken, ExpiredTokenException, RequestExpired):
 * every run still ends CREATED, because an expired session is assumed again and the call resent,
 * rather than retried with the same dead token until the state machine's retries run out (before the
 * fix about 3 runs in 10 ended so; the chance of four in a row was under 1 %). A re-assumed session can
 * expire again (1 call in 25 at this rate): each call assumes role B again up to MAX_RENEWALS_PER_CALL
 * times, so a step no longer fails on two expiries in a row (test/sandbox/expired-session-renewal.test.ts
 * forces them).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2E } from './harness.js';

let e: E2E;

beforeAll(async () => {
  e = await E2E.start();
}, 120_000);

afterAll(async () => {
  await e?.stop();
});

describe('early STS session expiry', () => {
  it('four clusters with 20 % of role-B calls answered "token expired" all reach CREATED, with no secret in their records', async () => {
    const tenant = 'e2e-expiry';
    const roleArn = await e.createRoleB({ name: 'eks-provisioner-expiry', tenant });
    const reg = await e.api('POST', '/v1/roles', { roleArn, region: 'us-east-1' }, tenant);
    expect(reg.status, reg.text).toBe(200);
    const set = await e.http('PUT', `${e.sandboxUrl}/_sandbox/faults`, [{ expireTokensRate: 0.2 }]);
    expect(set.status, set.text).toBe(200);
    try {
      const records = await Promise.all(
        [1, 2, 3, 4].map(async (i) => {
          const r = await e.api(
            'POST',
            '/v1/clusters',
            e.settings({ name: `e2e-expiry-${i}`, provisionRoleArn: roleArn }),
            tenant,
          );
          expect(r.status, r.text).toBe(202);
          return e.follow(r.body.id, tenant);
        }),
      );
      for (const record of records) {
        expect(record.status, `${record.name}: ${JSON.stringify(record.diagnosis)}`).toBe('CREATED');
        expect(JSON.stringify(record)).not.toMatch(/ASIA[A-Z0-9]{16}|sessionToken|secretAccessKey/i);
      }
    } finally {
      await e.http('PUT', `${e.sandboxUrl}/_sandbox/faults`, []);
    }
  }, 240_000);
});
