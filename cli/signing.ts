/**
 * Requests to the deployed API are signed with AWS Signature Version 4 (service `execute-api`),
 * with credentials from the default chain (environment, shared config/credentials files and
 * `--profile`, SSO, process, web identity, container/instance roles). The local API on loopback
 * takes unsigned requests and an `X-Tenant-Id` header instead.
 */
import { createHash, createHmac } from 'node:crypto';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, Checksum, SourceData } from '@smithy/types';
import { type ExecuteApiSigner, executeApiSigner } from '../shared/execute-api-signer.js';

/** `https://{api-id}.execute-api.{region}.amazonaws.com[.cn]/{stage}/` → its parts. */
export function parseExecuteApiUrl(url: string): { apiId: string; region: string; stage?: string } | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  const m = /^([a-z0-9]{10})\.execute-api\.([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com(?:\.cn)?$/.exec(u.hostname);
  if (!m) return undefined;
  const stage = u.pathname.split('/').filter(Boolean)[0];
  return { apiId: m[1]!, region: m[2]!, ...(stage ? { stage } : {}) };
}

/** The local stack's API: loopback only (127.0.0.0/8, ::1, localhost). */
export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return false;
  }
  return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export class SigningSetupError extends Error {
  override readonly name = 'SigningSetupError';
}

/** Which region to sign for: `--api-region`, else the API URL's, else AWS_REGION / AWS_DEFAULT_REGION. */
export function signingRegion(apiUrl: string, override?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (override) {
    if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(override))
      throw new SigningSetupError(`--api-region "${override}" is not an AWS region name such as eu-west-1.`);
    return override;
  }
  const parsed = parseExecuteApiUrl(apiUrl)?.region ?? env['AWS_REGION'] ?? env['AWS_DEFAULT_REGION'];
  if (!parsed) {
    throw new SigningSetupError(
      `Cannot tell the API's region from ${apiUrl} (not https://{id}.execute-api.{region}.amazonaws.com/{stage}/): pass --api-region <region> or set AWS_REGION.`,
    );
  }
  return parsed;
}

/** SHA-256 for the signer from node:crypto (HMAC when given a key). */
class NodeSha256 implements Checksum {
  private hash: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;
  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }
  private fresh() {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(this.secret));
  }
  update(data: Uint8Array | string): void {
    this.hash.update(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

function toBuffer(data: SourceData): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data as ArrayBuffer);
}

/** Returns the headers to send (the request's own plus Authorization, X-Amz-Date, X-Amz-Security-Token). */
export type RequestSigner = ExecuteApiSigner;

export interface SignerOptions {
  region: string;
  /** Named profile of the shared config/credentials files (like the AWS CLI's --profile). */
  profile?: string;
  /** Tests and callers with their own credentials; default: the Node default chain. */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
}

export function createSigner(o: SignerOptions): RequestSigner {
  const chain = o.credentials ?? fromNodeProviderChain(o.profile ? { profile: o.profile } : {});
  const credentials: AwsCredentialIdentityProvider = async () => {
    try {
      return typeof chain === 'function' ? await chain() : chain;
    } catch (e) {
      const where = o.profile
        ? `profile "${o.profile}"`
        : 'the default credential chain (environment, ~/.aws/config and credentials, SSO, instance role)';
      throw new SigningSetupError(
        `No AWS credentials to sign API requests with, from ${where}: ${(e as Error).message.split('\n')[0]} ` +
          '— run `aws configure` or `aws sso login`, pass --profile <name>, or set AWS_PROFILE.',
      );
    }
  };
  return executeApiSigner({ region: o.region, credentials, sha256: NodeSha256 });
}
