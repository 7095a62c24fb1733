/**
 * An EKS bearer token, made the way `aws eks get-token` makes it: a presigned sts:GetCallerIdentity GET
 * URL, signed (SigV4, query string) over the `x-k8s-aws-id` header naming the cluster, base64url-encoded
 * without padding behind `k8s-aws-v1.`. The API server replays the URL to STS to learn who signed it;
 * the header binds the token to one cluster. Valid for 15 minutes from its X-Amz-Date.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { SignatureV4 } from '@smithy/signature-v4';

export const TOKEN_PREFIX = 'k8s-aws-v1.';
/** `aws eks get-token` presigns for 60 s (EKS accepts the token for 15 minutes from its date regardless). */
export const PRESIGN_EXPIRES_SECONDS = 60;
/** kubectl/client-go refresh a token after 14 minutes. */
export const TOKEN_LIFETIME_MS = 14 * 60_000;

type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (d: SourceData): string | Uint8Array =>
  typeof d === 'string'
    ? d
    : d instanceof ArrayBuffer
      ? new Uint8Array(d)
      : new Uint8Array(d.buffer, d.byteOffset, d.byteLength);

/** SHA-256 / HMAC-SHA-256 in the shape SignatureV4 wants, on node:crypto. */
class NodeSha256 {
  private readonly h: Hash | Hmac;
  constructor(secret?: SourceData) {
    this.h = secret ? createHmac('sha256', bytes(secret)) : createHash('sha256');
  }
  update(data: SourceData): void {
    this.h.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest());
  }
}

/** The STS endpoint the token names: the regional one in AWS, the local stack's when AWS_ENDPOINT_URL is set. */
export function stsEndpoint(region: string, env: Record<string, string | undefined> = process.env): URL {
  const override = env.AWS_ENDPOINT_URL_STS ?? env.AWS_ENDPOINT_URL;
  if (override) return new URL(override);
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return new URL(`https://sts.${region}.${suffix}/`);
}

export interface EksToken {
  token: string;
  expiresAt: Date;
}

export async function eksToken(opts: {
  clusterName: string;
  region: string;
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  now?: Date;
  endpoint?: URL;
}): Promise<EksToken> {
  const endpoint = opts.endpoint ?? stsEndpoint(opts.region);
  const now = opts.now ?? new Date();
  const signer = new SignatureV4({
    service: 'sts',
    region: opts.region,
    credentials: opts.credentials,
    sha256: NodeSha256,
    uriEscapePath: true,
  });
  const host = endpoint.host;
  const signed = await signer.presign(
    {
      method: 'GET',
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      ...(endpoint.port ? { port: Number(endpoint.port) } : {}),
      path: '/',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      headers: { host, 'x-k8s-aws-id': opts.clusterName },
    },
    { expiresIn: PRESIGN_EXPIRES_SECONDS, signingDate: now },
  );
  const query = Object.entries(signed.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
  const url = `${endpoint.protocol}//${host}/?${query}`;
  return {
    token: TOKEN_PREFIX + Buffer.from(url, 'utf8').toString('base64url'),
    expiresAt: new Date(now.getTime() + TOKEN_LIFETIME_MS),
  };
}
