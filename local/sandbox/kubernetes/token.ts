/**
 * EKS bearer tokens, checked the way the EKS authenticator (aws-iam-authenticator) checks them:
 *
 *   k8s-aws-v1.<base64url of a presigned sts:GetCallerIdentity URL>
 *
 * The URL must be an STS GetCallerIdentity GET with only the SigV4 query parameters, signed over the
 * `x-k8s-aws-id` header, and not older than 15 minutes. The authenticator then replays it to STS adding
 * `x-k8s-aws-id: <its own cluster name>`: a token made for another cluster fails the signature there. The
 * sandbox does STS's part itself: the access key must be live (session token, expiry) and the signature must
 * verify with the world's secret for that key. The caller's ARN is canonicalised like the authenticator's
 * (an assumed-role session → the IAM role ARN without path).
 */
import { verifyPresignedUrl } from '../protocol/sigv4.js';
import type { Principal } from '../world/types.js';
import type { World } from '../world/world.js';

export const TOKEN_PREFIX = 'k8s-aws-v1.';
/** The authenticator's fixed lifetime of a presigned URL (X-Amz-Date + 15 minutes). */
export const TOKEN_MAX_AGE_MS = 15 * 60_000;
/** SigV4's clock-skew tolerance: STS refuses a request dated more than 5 minutes ahead of its clock. */
export const SIGV4_MAX_SKEW_MS = 5 * 60_000;

const ALLOWED_PARAMS = new Set([
  'action',
  'version',
  'x-amz-algorithm',
  'x-amz-credential',
  'x-amz-date',
  'x-amz-expires',
  'x-amz-security-token',
  'x-amz-signature',
  'x-amz-signedheaders',
]);

export interface Authenticated {
  principal: Principal;
  /** Canonical IAM ARN access entries are matched on (`arn:aws:iam::1:role/Name`, `arn:aws:iam::1:user/name`). */
  canonicalArn: string;
  /** The ARN STS reports (`arn:aws:sts::1:assumed-role/Name/session` for roles). */
  callerArn: string;
  sessionName?: string;
}

export type TokenCheck = { ok: true; who: Authenticated } | { ok: false; reason: string };

function stsHostAllowed(host: string, loopbackHosts: ReadonlySet<string>): boolean {
  if (loopbackHosts.has(host)) return true;
  const name = host.replace(/:\d+$/, '');
  return (
    name === 'sts.amazonaws.com' ||
    /^sts(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/.test(name) ||
    name === '127.0.0.1' ||
    name === 'localhost'
  );
}

function parseAmzDate(v: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(v);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : NaN;
}

function amzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** IAM role/user ARN an access entry would name for this caller. */
export function canonicalArnOf(p: Principal): string {
  if (p.kind === 'assumed-role') return `arn:aws:iam::${p.accountId}:role/${p.role.name}`;
  return p.arn;
}

export function authenticateToken(
  world: World,
  token: string,
  clusterName: string,
  opts: { verifySignatures: boolean; loopbackHosts?: ReadonlySet<string> },
): TokenCheck {
  if (!token.startsWith(TOKEN_PREFIX)) return { ok: false, reason: 'token is missing expected "k8s-aws-v1." prefix' };
  let url: URL;
  try {
    url = new URL(Buffer.from(token.slice(TOKEN_PREFIX.length), 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'input token was not properly formatted: malformed base64 or URL' };
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && /^(127\.0\.0\.1|localhost)(:\d+)?$/.test(url.host))) {
    return { ok: false, reason: `unexpected scheme ${url.protocol.replace(':', '')} in pre-signed URL` };
  }
  if (!stsHostAllowed(url.host, opts.loopbackHosts ?? new Set()))
    return { ok: false, reason: `unexpected hostname "${url.hostname}" in pre-signed URL` };
  if (url.pathname !== '/') return { ok: false, reason: 'unexpected path in pre-signed URL' };
  const params = new Map<string, string>();
  for (const [k, v] of url.searchParams) {
    if (!ALLOWED_PARAMS.has(k.toLowerCase())) return { ok: false, reason: `non-whitelisted query parameter "${k}"` };
    if (params.has(k.toLowerCase())) return { ok: false, reason: `query parameter "${k}" given more than once` };
    params.set(k.toLowerCase(), v);
  }
  if (params.get('action') !== 'GetCallerIdentity')
    return { ok: false, reason: 'unexpected action parameter in pre-signed URL' };
  const signedHeaders = (params.get('x-amz-signedheaders') ?? '').split(';');
  if (!signedHeaders.includes('x-k8s-aws-id'))
    return { ok: false, reason: 'client did not sign the x-k8s-aws-id header in the pre-signed URL' };
  const date = parseAmzDate(params.get('x-amz-date') ?? '');
  if (!Number.isFinite(date)) return { ok: false, reason: 'error parsing X-Amz-Date parameter' };
  const now = world.now();
  if (now > date + TOKEN_MAX_AGE_MS)
    return { ok: false, reason: 'X-Amz-Date parameter is expired (15 minute expiration)' };
  // The authenticator only checks age; STS itself refuses a signature from the future (beyond skew).
  if (date > now + SIGV4_MAX_SKEW_MS) {
    return {
      ok: false,
      reason: `sts getCallerIdentity failed: SignatureDoesNotMatch: Signature not yet current: ${amzDate(date)} is still later than ${amzDate(now + SIGV4_MAX_SKEW_MS)} (${amzDate(now)} + 5 min.)`,
    };
  }
  // X-Amz-Expires is not enforced: `aws eks get-token` signs for 60 s and kubectl reuses the token for
  // 14 minutes; EKS accepts it for the authenticator's fixed 15 minutes.

  // STS's part: who signed, is the key live, does the signature hold with x-k8s-aws-id = this cluster.
  const cred = /^([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request$/.exec(params.get('x-amz-credential') ?? '');
  if (cred?.[4] !== 'sts') return { ok: false, reason: 'sts getCallerIdentity failed: malformed X-Amz-Credential' };
  const owner = world.findAccessKey(cred[1]!);
  if (!owner || (owner.kind === 'user' && !owner.active)) {
    return {
      ok: false,
      reason:
        'sts getCallerIdentity failed: InvalidClientTokenId: The security token included in the request is invalid.',
    };
  }
  if (owner.kind === 'session') {
    if (owner.session.sessionToken !== params.get('x-amz-security-token')) {
      return {
        ok: false,
        reason:
          'sts getCallerIdentity failed: InvalidClientTokenId: The security token included in the request is invalid.',
      };
    }
    if (Date.parse(owner.session.expiration) <= now)
      return {
        ok: false,
        reason: 'sts getCallerIdentity failed: ExpiredToken: The security token included in the request is expired',
      };
  }
  if (opts.verifySignatures) {
    const secret = owner.kind === 'user' ? owner.secretAccessKey : owner.session.secretAccessKey;
    const ok = verifyPresignedUrl(url, { 'x-k8s-aws-id': clusterName }, secret, {
      date: cred[2]!,
      region: cred[3]!,
      service: 'sts',
    });
    if (!ok) {
      return {
        ok: false,
        reason:
          'sts getCallerIdentity failed: SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided (a token made for another cluster, or with the wrong secret key)',
      };
    }
  }
  const principal = world.principalFor(owner);
  if (!principal || principal.kind === 'service')
    return { ok: false, reason: 'sts getCallerIdentity failed: unknown principal' };
  return {
    ok: true,
    who: {
      principal,
      canonicalArn: canonicalArnOf(principal),
      callerArn: principal.arn,
      ...(principal.kind === 'assumed-role' ? { sessionName: principal.session.sessionName } : {}),
    },
  };
}
