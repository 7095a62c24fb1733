/**
 * Which API and how to talk to it. `--api` (or EKS_PROVISIONER_API) names it; the local stack on
 * loopback gets unsigned requests with X-Tenant-Id, any other address gets SigV4-signed requests
 * (the deployed API authorizes with IAM, and the signer's identity is the tenant).
 */
import { ApiClient, DEFAULT_API_URL } from './api-client.js';
import { createSigner, isLoopbackUrl, signingRegion } from './signing.js';
import { warn } from './terminal.js';

export interface ApiOptions {
  api?: string;
  tenant?: string;
  /** AWS named profile for signing. */
  profile?: string;
  /** Region to sign for, when the API URL does not say (custom domains). */
  apiRegion?: string;
  /** Sign even on loopback (an SSH tunnel or port-forward to the deployed API). */
  sign?: boolean;
}

export function apiUrlOf(o: ApiOptions, env: NodeJS.ProcessEnv = process.env): string {
  return o.api ?? (env['EKS_PROVISIONER_API'] || DEFAULT_API_URL);
}

/** Signs unless the API is the local one (loopback, and no --sign). */
export function shouldSign(url: string, o: ApiOptions): boolean {
  return Boolean(o.sign) || !isLoopbackUrl(url);
}

export function apiClient(o: ApiOptions): ApiClient {
  const url = apiUrlOf(o);
  if (!shouldSign(url, o)) return new ApiClient(url, o.tenant);
  if (o.tenant)
    warn(
      '--tenant applies to the local API only; the deployed API makes your AWS identity (or your console sign-in) the tenant.',
    );
  return new ApiClient(
    url,
    undefined,
    createSigner({ region: signingRegion(url, o.apiRegion), ...(o.profile ? { profile: o.profile } : {}) }),
  );
}
