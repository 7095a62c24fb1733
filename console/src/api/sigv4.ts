/**
 * AWS mode: sign every API request with SigV4 (service execute-api) using temporary credentials,
 * as API Gateway's IAM authorisation requires. Credentials come from a provider (Cognito identity
 * pool, see cognito.ts) and are asked for on each request; the provider caches and refreshes them.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Signer } from './signer';

export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

export function sigv4Signer(region: string, credentials: () => Promise<TemporaryCredentials>): Signer {
  // applyChecksum off: no x-amz-content-sha256 header (API Gateway hashes the body itself; one CORS header fewer).
  const signer = new SignatureV4({ service: 'execute-api', region, credentials, sha256: Sha256, uriEscapePath: true, applyChecksum: false });
  return async (req) => {
    const query: Record<string, string | string[]> = {};
    for (const [k, v] of req.url.searchParams) {
      const prev = query[k];
      query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    const signed = await signer.sign({
      method: req.method,
      protocol: req.url.protocol,
      hostname: req.url.hostname,
      ...(req.url.port ? { port: Number(req.url.port) } : {}),
      path: req.url.pathname,
      query,
      headers: { ...req.headers, host: req.url.host },
      ...(req.body !== undefined ? { body: req.body } : {}),
    });
    // The browser sets Host itself (it is a forbidden header); the signature already covers it.
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(signed.headers)) if (k.toLowerCase() !== 'host') headers[k] = String(v);
    return { ...req, headers };
  };
}
