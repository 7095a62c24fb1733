/**
 * The console's AWS-mode signer (console/src/api/sigv4.ts) against an independent SigV4 verifier
 * (the sandbox's, written on node:crypto): a request it signs must verify with the secret and fail
 * with another one or after tampering; the browser-forbidden Host header is not sent.
 */
import { describe, expect, it } from 'vitest';
import { sigv4Signer } from '../../../console/src/api/sigv4.js';
import { parseSigV4, verifySignature } from '../../../local/sandbox/protocol/sigv4.js';

const creds = {
  accessKeyId: 'ASIAEXAMPLECONSOLE01',
  secretAccessKey: 'c0nsole/SecretKeyForTestsOnly+EXAMPLE',
  sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLETOKEN',
};

async function signed(method: string, url: string, body?: string) {
  const sign = sigv4Signer('eu-west-1', async () => creds);
  const u = new URL(url);
  const out = await sign({
    method,
    url: u,
    headers: { accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body } : {}),
  });
  const headers: Record<string, string> = Object.fromEntries(
    Object.entries(out.headers).map(([k, v]) => [k.toLowerCase(), v]),
  );
  return { out, headers, u };
}

function verify(method: string, u: URL, headers: Record<string, string>, body: string | undefined, secret: string) {
  // What API Gateway sees: the browser adds Host itself.
  const seen = { ...headers, host: u.host };
  const scope = parseSigV4(seen, u);
  expect(scope).toMatchObject({
    accessKeyId: creds.accessKeyId,
    region: 'eu-west-1',
    service: 'execute-api',
    sessionToken: creds.sessionToken,
  });
  return verifySignature(
    { method, rawUrl: `${u.pathname}${u.search}`, headers: seen, body: Buffer.from(body ?? '') },
    scope!,
    secret,
  );
}

describe('console SigV4 signer (execute-api)', () => {
  it('GET with a query (role ARN with colons and slashes) verifies; another secret does not', async () => {
    const url =
      'https://abc123.execute-api.eu-west-1.amazonaws.com/prod/v1/aws/subnets?roleArn=arn%3Aaws%3Aiam%3A%3A222222222222%3Arole%2Feks-provisioner-b&vpcId=vpc-0a1b2c3d4e5f60001';
    const { headers, u } = await signed('GET', url);
    expect(headers['host']).toBeUndefined();
    expect(headers['authorization']).toMatch(
      /^AWS4-HMAC-SHA256 Credential=ASIAEXAMPLECONSOLE01\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=[^,]*host[^,]*, Signature=[0-9a-f]{64}$/,
    );
    expect(headers['x-amz-security-token']).toBe(creds.sessionToken);
    expect(verify('GET', u, headers, undefined, creds.secretAccessKey)).toBe(true);
    expect(verify('GET', u, headers, undefined, 'not-the-secret')).toBe(false);
  });

  it('POST with a JSON body verifies, and a changed body does not', async () => {
    const body = JSON.stringify({ roleArn: 'arn:aws:iam::222222222222:role/eks-provisioner-b', region: 'eu-west-1' });
    const { headers, u } = await signed(
      'POST',
      'https://abc123.execute-api.eu-west-1.amazonaws.com/prod/v1/roles',
      body,
    );
    expect(verify('POST', u, headers, body, creds.secretAccessKey)).toBe(true);
    expect(headers['x-amz-content-sha256']).toBeUndefined();
    expect(verify('POST', u, headers, body.replace('eu-west-1', 'us-east-1'), creds.secretAccessKey)).toBe(false);
    expect(
      verify(
        'POST',
        new URL('https://abc123.execute-api.eu-west-1.amazonaws.com/prod/v1/clusters'),
        headers,
        body,
        creds.secretAccessKey,
      ),
    ).toBe(false);
  });
});
