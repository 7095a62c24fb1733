/**
 * SigV4 identification: who signed, for which service and region. The sandbox identifies callers by the
 * access key in the credential scope (`Credential=AKID/20250101/us-east-1/ec2/aws4_request`) and checks the
 * session token of STS credentials; it does not recompute signatures (the SDKs and CLI sign correctly, and
 * the secret never needs to leave the world).
 */

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
