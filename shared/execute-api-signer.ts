/**
 * SigV4 for the deployed API (service `execute-api`): a request → the headers to send. One piece of
 * code for the web console (browser, built by Vite) and the command line (Node, run by tsx), so
 * nothing here may import Node-only (`node:*`) or DOM-only modules; each side brings its own SHA-256
 * and credentials. Type-checked under both the root and the console tsconfig.
 */
import { SignatureV4 } from '@smithy/signature-v4';
import type {
  AwsCredentialIdentity,
  AwsCredentialIdentityProvider,
  ChecksumConstructor,
  HashConstructor,
} from '@smithy/types';

export const EXECUTE_API_SERVICE = 'execute-api';

export interface SignableRequest {
  method: string;
  /** Absolute URL; its query is signed as given (repeated keys kept). */
  url: URL;
  headers: Record<string, string>;
  body?: string;
}

export interface ExecuteApiSignerOptions {
  region: string;
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  sha256: ChecksumConstructor | HashConstructor;
  /** false: no `x-amz-content-sha256` header (API Gateway hashes the body itself; one CORS header fewer). */
  applyChecksum?: boolean;
}

/** Answers the request's headers plus Authorization, X-Amz-Date (and X-Amz-Security-Token); never Host. */
export type ExecuteApiSigner = (req: SignableRequest) => Promise<Record<string, string>>;

export function executeApiSigner(o: ExecuteApiSignerOptions): ExecuteApiSigner {
  const signer = new SignatureV4({
    service: EXECUTE_API_SERVICE,
    region: o.region,
    credentials: o.credentials,
    sha256: o.sha256,
    uriEscapePath: true,
    ...(o.applyChecksum === undefined ? {} : { applyChecksum: o.applyChecksum }),
  });
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
      // Host is signed; fetch and the browser send the same value from the URL (a browser may not set it).
      headers: { ...req.headers, host: req.url.host },
      ...(req.body !== undefined ? { body: req.body } : {}),
    });
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(signed.headers)) if (k.toLowerCase() !== 'host') headers[k] = String(v);
    return headers;
  };
}
