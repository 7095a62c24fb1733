/**
 * SigV4 identification: who signed, for which service and region. The sandbox identifies callers by the
 * access key in the credential scope (`Credential=AKID/20250101/us-east-1/ec2/aws4_request`) and checks the
 * session token of STS credentials, then verifies the signature with the secret the world holds.
 */
import { createHash, createHmac } from 'node:crypto';

export interface SigV4Scope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  sessionToken?: string;
}

const CREDENTIAL = /Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request/;

export function parseSigV4(headers: Record<string, string | string[] | undefined>, url: URL): SigV4Scope | undefined {
  const header = headers.authorization;
  const auth = Array.isArray(header) ? header[0] : header;
  const token = headers['x-amz-security-token'];
  let m = auth ? CREDENTIAL.exec(auth) : null;
  let sessionToken = Array.isArray(token) ? token[0] : token;
  if (!m) {
    // Presigned URL form.
    const cred = url.searchParams.get('X-Amz-Credential');
    if (cred) m = CREDENTIAL.exec(`Credential=${cred}`);
    sessionToken ??= url.searchParams.get('X-Amz-Security-Token') ?? undefined;
  }
  if (!m) return undefined;
  return { accessKeyId: m[1]!, date: m[2]!, region: m[3]!, service: m[4]!, sessionToken };
}

// ---------------------------------------------------------------------------------------------------------
// Signature verification (AWS Signature Version 4, header form). A request signed with the wrong secret
// fails as AWS fails it (SignatureDoesNotMatch & co.), so a mis-configured secret shows up locally too.
// ---------------------------------------------------------------------------------------------------------

/** RFC 3986 encoding as SigV4 wants it (encodeURIComponent plus !'()*). */
function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function canonicalQuery(rawQuery: string): string {
  if (!rawQuery) return '';
  const pairs = rawQuery
    .split('&')
    .filter((p) => p.length > 0)
    .map((p) => {
      const i = p.indexOf('=');
      const k = i < 0 ? p : p.slice(0, i);
      const v = i < 0 ? '' : p.slice(i + 1);
      const dec = (x: string) => {
        try {
          return decodeURIComponent(x.replace(/\+/g, '%20'));
        } catch {
          return x;
        }
      };
      return [uriEncode(dec(k)), uriEncode(dec(v))] as const;
    })
    .filter(([k]) => k !== 'X-Amz-Signature');
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

/** Canonical URI: the path as sent, normalised and encoded once more (all services but S3). */
function canonicalPath(rawPath: string): string {
  const segments: string[] = [];
  for (const seg of rawPath.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') segments.pop();
    else segments.push(seg);
  }
  const normalised = `/${segments.join('/')}${segments.length > 0 && rawPath.endsWith('/') ? '/' : ''}`;
  return uriEncode(normalised).replace(/%2F/g, '/');
}

const signingKeys = new Map<string, Buffer>();

function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const cacheKey = `${secret}\n${date}\n${region}\n${service}`;
  let key = signingKeys.get(cacheKey);
  if (!key) {
    const kDate = createHmac('sha256', `AWS4${secret}`).update(date).digest();
    const kRegion = createHmac('sha256', kDate).update(region).digest();
    const kService = createHmac('sha256', kRegion).update(service).digest();
    key = createHmac('sha256', kService).update('aws4_request').digest();
    if (signingKeys.size > 1000) signingKeys.clear();
    signingKeys.set(cacheKey, key);
  }
  return key;
}

export interface SignableRequest {
  method: string;
  /** Raw request target as sent (`/path?query`). */
  rawUrl: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** SigV4 signature of a request over the given signed headers (lower-case names). */
export function computeSignature(
  req: SignableRequest,
  signedHeaders: string[],
  secret: string,
  scope: { date: string; region: string; service: string },
  amzDate: string,
): string {
  const q = req.rawUrl.indexOf('?');
  const rawPath = q < 0 ? req.rawUrl : req.rawUrl.slice(0, q);
  const rawQuery = q < 0 ? '' : req.rawUrl.slice(q + 1);
  const headerLines = signedHeaders.map((name) => {
    const v = req.headers[name];
    const value = (Array.isArray(v) ? v.join(',') : (v ?? '')).replace(/\s+/g, ' ').trim();
    return `${name}:${value}`;
  });
  const contentSha = req.headers['x-amz-content-sha256'];
  const payloadHash =
    typeof contentSha === 'string' && contentSha ? contentSha : createHash('sha256').update(req.body).digest('hex');
  const canonicalRequest = [
    req.method,
    canonicalPath(rawPath),
    canonicalQuery(rawQuery),
    ...headerLines,
    '',
    signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
  const credentialScope = `${scope.date}/${scope.region}/${scope.service}/aws4_request`;
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    amzDate,
    credentialScope,
    createHash('sha256').update(canonicalRequest).digest('hex'),
  ].join('\n');
  return createHmac('sha256', signingKey(secret, scope.date, scope.region, scope.service))
    .update(stringToSign)
    .digest('hex');
}

/**
 * Verify the Authorization-header signature with the caller's secret. Presigned (query-string) requests
 * and requests without a signed date are accepted unverified.
 */
export function verifySignature(req: SignableRequest, scope: SigV4Scope, secret: string): boolean {
  const header = req.headers.authorization;
  const auth = Array.isArray(header) ? header[0] : header;
  if (!auth) return true;
  const signed = /SignedHeaders=([^,\s]+)/.exec(auth)?.[1];
  const signature = /Signature=([0-9a-f]+)/.exec(auth)?.[1];
  const amzDate = req.headers['x-amz-date'];
  if (!signed || !signature || typeof amzDate !== 'string') return false;
  const expected = computeSignature(req, signed.split(';'), secret, scope, amzDate);
  return expected === signature;
}

/**
 * Verify a presigned (query-string) SigV4 URL as the service would when it is fetched with `headers`
 * (lower-case names; `host` is taken from the URL when absent). Presigners differ on the payload hash of
 * a bodiless GET — botocore signs `UNSIGNED-PAYLOAD`, the JS and Go SDKs the hash of the empty body — and
 * STS accepts both, so both are tried.
 */
export function verifyPresignedUrl(
  url: URL,
  headers: Record<string, string>,
  secret: string,
  scope: { date: string; region: string; service: string },
): boolean {
  const signature = url.searchParams.get('X-Amz-Signature');
  const signed = url.searchParams.get('X-Amz-SignedHeaders');
  const amzDate = url.searchParams.get('X-Amz-Date');
  if (!signature || !signed || !amzDate) return false;
  const rawUrl = `${url.pathname}${url.search}`;
  const allHeaders: Record<string, string> = { host: url.host, ...headers };
  const emptyHash = createHash('sha256').update('').digest('hex');
  return ['UNSIGNED-PAYLOAD', emptyHash].some(
    (payloadHash) =>
      computeSignature(
        {
          method: 'GET',
          rawUrl,
          headers: { ...allHeaders, 'x-amz-content-sha256': payloadHash },
          body: Buffer.alloc(0),
        },
        signed.split(';'),
        secret,
        scope,
        amzDate,
      ) === signature,
  );
}
