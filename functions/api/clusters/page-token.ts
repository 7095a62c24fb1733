/**
 * GET /v1/clusters page tokens: the store's token plus a keyed MAC (HMAC-SHA256) over the tenant
 * it was issued to and the token itself. Without the key nobody can make or alter a token, and a
 * token copied from another tenant does not verify: both are refused before the store sees them.
 *
 * The key: PAGE_TOKEN_KEY from the environment when set (at least 32 characters), else a random
 * 256-bit secret kept in the service's table (made once, stable for the stack, the same in every
 * container; locally, per local stack).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Store } from '../../lib/store/types.js';
import { httpError } from '../http/errors.js';

export const PAGE_TOKEN_KEY_ENV = 'PAGE_TOKEN_KEY';
const SECRET_NAME = 'page-token-key';
/** 256-bit tag, base64url. */
const TAG_CHARS = 43;

const keys = new WeakMap<Store, Promise<Buffer>>();

/** The MAC key, read once per store (container). */
export function pageTokenKey(store: Store, env: NodeJS.ProcessEnv = process.env): Promise<Buffer> {
  const fromEnv = env[PAGE_TOKEN_KEY_ENV];
  if (fromEnv && fromEnv.length >= 32) return Promise.resolve(Buffer.from(fromEnv, 'utf8'));
  let key = keys.get(store);
  if (!key) {
    key = store.getOrCreateSecret(SECRET_NAME).then((hex) => Buffer.from(hex, 'hex'));
    // A failed read is not kept: the next request asks again.
    key.catch(() => keys.delete(store));
    keys.set(store, key);
  }
  return key;
}

function tag(key: Buffer, tenantId: string, payload: string): string {
  return createHmac('sha256', key).update(`page-token\n${tenantId}\n${payload}`).digest('base64url');
}

export function wrapPageToken(key: Buffer, tenantId: string, storeToken: string | undefined): string | undefined {
  if (!storeToken) return undefined;
  // Store tokens are URL-safe already (DynamoStore: base64url); anything else is encoded, marked "~".
  const payload = /^[A-Za-z0-9_-]+$/.test(storeToken)
    ? storeToken
    : `~${Buffer.from(storeToken, 'utf8').toString('base64url')}`;
  return `${payload}.${tag(key, tenantId, payload)}`;
}

export function unwrapPageToken(key: Buffer, tenantId: string, token: string | undefined): string | undefined {
  if (token === undefined) return undefined;
  const invalid = () =>
    httpError(
      400,
      'INVALID_NEXT_TOKEN',
      'nextToken is not one GET /v1/clusters handed out to you; start again without it.',
      {
        fields: [{ path: 'nextToken', message: 'Not a token from a previous page.' }],
      },
    );
  const m = /^(~?[A-Za-z0-9_-]{1,2000})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) throw invalid();
  const [, payload, given] = m as unknown as [string, string, string];
  const expected = tag(key, tenantId, payload);
  if (given.length !== TAG_CHARS || !timingSafeEqual(Buffer.from(given), Buffer.from(expected))) throw invalid();
  return payload.startsWith('~') ? Buffer.from(payload.slice(1), 'base64url').toString('utf8') : payload;
}
