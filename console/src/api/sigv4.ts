/**
 * AWS mode: sign every API request with SigV4 (service execute-api) using temporary credentials,
 * as API Gateway's IAM authorisation requires. Credentials come from a provider (Cognito identity
 * pool, see cognito.ts) and are asked for on each request; the provider caches and refreshes them.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { executeApiSigner } from '../../../shared/execute-api-signer';
import type { Signer } from './signer';

export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

export function sigv4Signer(region: string, credentials: () => Promise<TemporaryCredentials>): Signer {
  // applyChecksum off: no x-amz-content-sha256 header (API Gateway hashes the body itself; one CORS header fewer).
  const sign = executeApiSigner({ region, credentials, sha256: Sha256, applyChecksum: false });
  // The browser sets Host itself (it is a forbidden header); the signature already covers it.
  return async (req) => ({ ...req, headers: await sign(req) });
}
