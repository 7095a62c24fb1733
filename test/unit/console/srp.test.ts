/**
 * The console's Cognito SRP client (console/src/api/srp.ts) against a server side written here from
 * the other half of the protocol (verifier v = g^x, B = k·v + g^b, S = (A·v^u)^b): the signature the
 * client sends must be the one the server derives for the right password, and not for a wrong one.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  g,
  modPow,
  multiplier,
  N,
  padHex,
  passwordVerifierResponses,
  srpStart,
  srpTimestamp,
} from '../../../console/src/api/srp.js';

const H = (hex: string) => BigInt(`0x${createHash('sha256').update(Buffer.from(hex, 'hex')).digest('hex')}`);

/** What Cognito does with a user's salt and verifier (server side of RFC 5054 with Cognito's conventions). */
async function server(o: { poolId: string; userId: string; password: string }) {
  const pool = o.poolId.split('_')[1]!;
  const salt = BigInt(`0x${randomBytes(16).toString('hex')}`);
  const x = H(padHex(salt) + createHash('sha256').update(`${pool}${o.userId}:${o.password}`).digest('hex'));
  const v = modPow(g, x, N);
  const b = BigInt(`0x${randomBytes(64).toString('hex')}`);
  const k = await multiplier();
  const B = (k * v + modPow(g, b, N)) % N;
  const secretBlock = randomBytes(48).toString('base64');
  return {
    params: { saltHex: salt.toString(16), srpBHex: B.toString(16), secretBlock },
    expectedSignature(A: bigint, timestamp: string) {
      const u = H(padHex(A) + padHex(B));
      const S = modPow(A * modPow(v, u, N), b, N);
      const prk = createHmac('sha256', Buffer.from(padHex(u), 'hex'))
        .update(Buffer.from(padHex(S), 'hex'))
        .digest();
      const key = createHmac('sha256', prk)
        .update(Buffer.concat([Buffer.from('Caldera Derived Key'), Buffer.from([1])]))
        .digest()
        .subarray(0, 16);
      return createHmac('sha256', key)
        .update(
          Buffer.concat([
            Buffer.from(pool),
            Buffer.from(o.userId),
            Buffer.from(secretBlock, 'base64'),
            Buffer.from(timestamp),
          ]),
        )
        .digest('base64');
    },
  };
}

describe('console Cognito SRP', () => {
  it('padHex: even length, 00 before a set top bit', () => {
    expect(padHex(0xfn)).toBe('0f');
    expect(padHex(0x7fn)).toBe('7f');
    expect(padHex(0x80n)).toBe('0080');
    expect(padHex(0x1234n)).toBe('1234');
  });

  it("timestamp in Cognito's format (day unpadded, time padded)", () => {
    expect(srpTimestamp(new Date(Date.UTC(2026, 10, 3, 6, 7, 8)))).toBe('Tue Nov 3 06:07:08 UTC 2026');
    expect(srpTimestamp(new Date(Date.UTC(2026, 0, 31, 23, 59, 0)))).toBe('Sat Jan 31 23:59:00 UTC 2026');
  });

  it('the PASSWORD_VERIFIER signature is what the server derives for the right password only', async () => {
    const userId = 'c4d8e2f0-1111-2222-3333-444455556666';
    const poolId = 'eu-west-1_AbCdEf123';
    const srv = await server({ poolId, userId, password: 'Correct horse battery 1!' });
    const now = new Date(Date.UTC(2026, 10, 30, 12, 0, 0));
    const client = srpStart();
    const ok = await passwordVerifierResponses({
      userPoolId: poolId,
      userIdForSrp: userId,
      ...srv.params,
      password: 'Correct horse battery 1!',
      client,
      now,
    });
    expect(ok).toMatchObject({
      USERNAME: userId,
      PASSWORD_CLAIM_SECRET_BLOCK: srv.params.secretBlock,
      TIMESTAMP: 'Mon Nov 30 12:00:00 UTC 2026',
    });
    expect(ok['PASSWORD_CLAIM_SIGNATURE']).toBe(srv.expectedSignature(client.A, ok['TIMESTAMP']!));

    const wrong = await passwordVerifierResponses({
      userPoolId: poolId,
      userIdForSrp: userId,
      ...srv.params,
      password: 'correct horse battery 1!',
      client,
      now,
    });
    expect(wrong['PASSWORD_CLAIM_SIGNATURE']).not.toBe(srv.expectedSignature(client.A, wrong['TIMESTAMP']!));
  });

  it('refuses a B that is 0 mod N', async () => {
    await expect(
      passwordVerifierResponses({
        userPoolId: 'eu-west-1_X',
        userIdForSrp: 'u',
        saltHex: '01',
        srpBHex: N.toString(16),
        secretBlock: 'AA==',
        password: 'p',
        client: srpStart(),
      }),
    ).rejects.toThrow(/invalid B/);
  });
});
