/**
 * GET /v1/clusters page tokens. The store's token is wrapped with a digest of the tenant it was
 * issued to, so a token copied from another tenant (or made up) is refused before the store sees it.
 */
import { createHash } from 'node:crypto';
import { httpError } from '../http/errors.js';

const tenantTag = (tenantId: string) => createHash('sha256').update(`page-token:${tenantId}`).digest('base64url').slice(0, 22);

export function wrapPageToken(tenantId: string, storeToken: string | undefined): string | undefined {
  if (!storeToken) return undefined;
  return Buffer.from(JSON.stringify({ t: tenantTag(tenantId), s: storeToken }), 'utf8').toString('base64url');
}

export function unwrapPageToken(tenantId: string, token: string | undefined): string | undefined {
  if (token === undefined) return undefined;
  const invalid = () => httpError(400, 'INVALID_NEXT_TOKEN', 'nextToken is not one GET /v1/clusters handed out to you; start again without it.', { fields: [{ path: 'nextToken', message: 'Not a token from a previous page.' }] });
  if (!/^[A-Za-z0-9_-]{1,2048}$/.test(token)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const p = parsed as { t?: unknown; s?: unknown } | null;
  if (!p || typeof p.s !== 'string' || p.t !== tenantTag(tenantId)) throw invalid();
  return p.s;
}
