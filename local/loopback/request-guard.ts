/**
 * The local stack is not a door into the developer's machine. Any web page the developer visits can
 * send requests to 127.0.0.1 (a text/plain POST is a "simple" request: no preflight), and with DNS
 * rebinding (attacker.example resolving to 127.0.0.1) it can even read the answers. Two checks close
 * both, for the local API and the sandbox alike:
 *
 * - Host: only loopback names (`127.0.0.0/8`, `localhost`, `*.localhost`, `::1`) or the exact address
 *   the server was bound to. A rebinding page's requests carry the attacker's own host name.
 * - Origin: a browser request from another origin is refused whatever its method (a browser tells
 *   us with `Origin`, or `Sec-Fetch-Site` when it omits Origin on a GET). AWS SDKs, the AWS CLI,
 *   curl and kubectl send neither header; the console is served by the API on the API's own origin.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';

export type GuardVerdict = { ok: true } | { ok: false; reason: 'host' | 'origin'; message: string };

export interface GuardOptions {
  /** The port the server listens on: the only origin allowed is a loopback name on this port. */
  port: number;
  /** The address the server was bound to, allowed as a Host name too when it is not a loopback one. */
  boundHost?: string;
}

/** Host name of a Host header or URL authority, without port and brackets, lower case. */
export function hostNameOf(authority: string): string {
  const a = authority.trim().toLowerCase();
  if (a.startsWith('[')) return a.slice(1, a.indexOf(']') < 0 ? undefined : a.indexOf(']'));
  const colon = a.lastIndexOf(':');
  // A bare IPv6 address (no brackets) has several colons and no port.
  if (colon >= 0 && a.indexOf(':') === colon) return a.slice(0, colon);
  return a;
}

/** Names that always resolve to this machine (RFC 6761 reserves `localhost` and `*.localhost`). */
export function isLoopbackName(name: string): boolean {
  const n = name.replace(/\.$/, '');
  if (n === 'localhost' || n.endsWith('.localhost')) return true;
  if (isIP(n) === 4) return n.startsWith('127.');
  if (isIP(n) === 6) return n === '::1' || n === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(n);
  return false;
}

function allowedHostName(name: string, opts: GuardOptions): boolean {
  if (isLoopbackName(name)) return true;
  const bound = opts.boundHost?.toLowerCase().replace(/^\[|\]$/g, '');
  // 0.0.0.0 / :: listen everywhere but are never a name a client should use.
  return !!bound && bound !== '0.0.0.0' && bound !== '::' && name === bound;
}

export function checkRequest(headers: IncomingHttpHeaders, opts: GuardOptions): GuardVerdict {
  const host = headers.host;
  // HTTP/1.1 requires Host; an HTTP/1.0 client without one is not a browser page.
  if (host !== undefined && !allowedHostName(hostNameOf(host), opts)) {
    return {
      ok: false,
      reason: 'host',
      message: `Host "${host}" is not a loopback name: the local stack answers only http://127.0.0.1:${opts.port} or http://localhost:${opts.port} (a page of another site may not reach it through DNS rebinding).`,
    };
  }
  const origin = headers.origin;
  if (origin !== undefined) {
    if (!sameOrigin(origin, opts)) {
      return {
        ok: false,
        reason: 'origin',
        message: `Requests from the web origin "${origin}" are refused: only pages served by this server (http://127.0.0.1:${opts.port}) may call it from a browser.`,
      };
    }
    return { ok: true };
  }
  // Browsers always send Sec-Fetch-Site; a cross-site GET may come without Origin.
  const site = headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') {
    return {
      ok: false,
      reason: 'origin',
      message: `Browser requests from other sites are refused (Sec-Fetch-Site: ${site}).`,
    };
  }
  return { ok: true };
}

/** `http://<loopback name>:<our port>` exactly; `null` (sandboxed frames, file: pages) is foreign. */
function sameOrigin(origin: string, opts: GuardOptions): boolean {
  let u: URL;
  try {
    u = new URL(origin);
  } catch {
    return false;
  }
  if (u.protocol !== 'http:') return false;
  const port = u.port === '' ? 80 : Number(u.port);
  return port === opts.port && allowedHostName(hostNameOf(u.host), opts);
}
