/**
 * Cognito's Secure Remote Password sign-in (USER_SRP_AUTH → PASSWORD_VERIFIER), so the password never
 * leaves the browser: the math of RFC 5054's 3072-bit group with Cognito's conventions (hex padding,
 * HKDF "Caldera Derived Key", the signed message layout, the timestamp format). Web Crypto and BigInt
 * only; no DOM, so Node tests run it against a server side computed independently.
 */

// RFC 5054 3072-bit group, g = 2 (the group Cognito uses).
const N_HEX =
  'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD' +
  'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED' +
  'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F' +
  '83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B' +
  'E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510' +
  '15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7' +
  'ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C' +
  'BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF';
export const N = BigInt(`0x${N_HEX}`);
export const g = 2n;

const subtle = () => globalThis.crypto.subtle;
/** A standalone ArrayBuffer copy: what every Web Crypto typing accepts. */
const ab = (u: Uint8Array): ArrayBuffer => u.slice().buffer as ArrayBuffer;

/** Hex of a non-negative number as Cognito pads it: even length, and a leading 00 when the top bit is set. */
export function padHex(n: bigint): string {
  let h = n.toString(16);
  if (h.length % 2 === 1) h = `0${h}`;
  else if ('89abcdef'.includes(h[0]!)) h = `00${h}`;
  return h;
}

export function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

const toHex = (b: ArrayBuffer | Uint8Array) =>
  [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, '0')).join('');
const utf8 = (s: string) => new TextEncoder().encode(s);

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export async function sha256Hex(data: Uint8Array): Promise<string> {
  return toHex(await subtle().digest('SHA-256', ab(data)));
}

export async function hmac(key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const k = await subtle().importKey('raw', ab(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await subtle().sign('HMAC', k, ab(data)));
}

export function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = ((base % mod) + mod) % mod;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
    e >>= 1n;
  }
  return result;
}

const hashHexToBigInt = async (hex: string) => BigInt(`0x${await sha256Hex(hexToBytes(hex))}`);

/** k = H(N | g) */
export const multiplier = () => hashHexToBigInt(padHex(N) + padHex(g));

export interface SrpClient {
  a: bigint;
  A: bigint;
}

/** A fresh ephemeral pair; `a` may be given for tests. */
export function srpStart(a?: bigint): SrpClient {
  let small = a;
  if (small === undefined) {
    const bytes = globalThis.crypto.getRandomValues(new Uint8Array(128));
    small = BigInt(`0x${toHex(bytes)}`) % N;
  }
  const A = modPow(g, small, N);
  if (A % N === 0n) throw new Error('SRP: A mod N is 0; try again.');
  return { a: small, A };
}

/** "Tue Nov 3 06:07:08 UTC 2026": day not padded, time padded (Cognito's format). */
export function srpTimestamp(d: Date): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${d.getUTCDate()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}

function base64ToBytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function bytesToBase64(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += String.fromCharCode(x);
  return btoa(s);
}

export interface PasswordVerifierInput {
  userPoolId: string;
  /** ChallengeParameters of PASSWORD_VERIFIER. */
  userIdForSrp: string;
  saltHex: string;
  srpBHex: string;
  secretBlock: string;
  password: string;
  client: SrpClient;
  now?: Date;
}

/** ChallengeResponses for PASSWORD_VERIFIER (USERNAME, PASSWORD_CLAIM_SECRET_BLOCK, PASSWORD_CLAIM_SIGNATURE, TIMESTAMP). */
export async function passwordVerifierResponses(i: PasswordVerifierInput): Promise<Record<string, string>> {
  const B = BigInt(`0x${i.srpBHex}`);
  if (B % N === 0n) throw new Error('SRP: the server sent an invalid B.');
  const { a, A } = i.client;
  const u = await hashHexToBigInt(padHex(A) + padHex(B));
  if (u === 0n) throw new Error('SRP: u is 0; try again.');
  const poolName = i.userPoolId.split('_')[1] ?? '';
  const userPassHash = await sha256Hex(utf8(`${poolName}${i.userIdForSrp}:${i.password}`));
  const x = await hashHexToBigInt(padHex(BigInt(`0x${i.saltHex}`)) + userPassHash);
  const k = await multiplier();
  const S = modPow(B - k * modPow(g, x, N), a + u * x, N);
  // HKDF-SHA256(ikm = S, salt = u, info = "Caldera Derived Key"), 16 bytes.
  const prk = await hmac(hexToBytes(padHex(u)), hexToBytes(padHex(S)));
  const key = (await hmac(prk, concat(utf8('Caldera Derived Key'), new Uint8Array([1])))).slice(0, 16);
  const timestamp = srpTimestamp(i.now ?? new Date());
  const signature = await hmac(
    key,
    concat(utf8(poolName), utf8(i.userIdForSrp), base64ToBytes(i.secretBlock), utf8(timestamp)),
  );
  return {
    USERNAME: i.userIdForSrp,
    PASSWORD_CLAIM_SECRET_BLOCK: i.secretBlock,
    PASSWORD_CLAIM_SIGNATURE: bytesToBase64(signature),
    TIMESTAMP: timestamp,
  };
}
