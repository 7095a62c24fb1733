/**
 * The built web console (console/dist) on the local API's origin: every path outside /v1 is a file
 * of the build; a path without a file extension that names no file is a console route and gets
 * index.html (SPA fallback). Paths are resolved inside the build folder only.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** What the console needs and nothing more: its own scripts, styles, fonts and the API on this origin. */
const CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

const COMMON_HEADERS = { 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' };

/** What /config.json says on the local stack (console/src/api/config.ts reads it). */
export const LOCAL_CONFIG = { mode: 'local' } as const;

function plain(res: ServerResponse, status: number, text: string, extra: Record<string, string> = {}) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...COMMON_HEADERS, ...extra });
  res.end(text);
}

/** Resolves a URL path to a file inside `root`, or undefined when it would leave it. */
export function resolveInside(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const base = resolve(root);
  const full = resolve(join(base, decoded));
  return full === base || full.startsWith(base + sep) ? full : undefined;
}

async function fileAt(path: string): Promise<{ path: string; size: number; mtime: Date } | undefined> {
  try {
    const s = await stat(path);
    return s.isFile() ? { path, size: s.size, mtime: s.mtime } : undefined;
  } catch {
    return undefined;
  }
}

export async function serveConsole(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = req.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD')
    return plain(res, 405, `${method} is not allowed here; the console is read-only (the API is under /v1).`, {
      Allow: 'GET, HEAD',
    });
  const raw = req.url ?? '/';
  const urlPath = raw.split('?')[0]!.split('#')[0]!;
  const target = resolveInside(root, urlPath);
  if (!target) return plain(res, 400, 'Bad path.');

  let file = await fileAt(target);
  // The local stack's own config.json (a build folder's file wins): local mode, said with a 200 so the
  // console's start-up does not leave a red 404 in the browser's console on every load.
  if (!file && urlPath === '/config.json') {
    const body = JSON.stringify(LOCAL_CONFIG);
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Content-Length': String(Buffer.byteLength(body)),
      'Cache-Control': 'no-cache',
      ...COMMON_HEADERS,
    });
    return void res.end(method === 'HEAD' ? undefined : body);
  }
  if (!file && urlPath.endsWith('/')) file = await fileAt(join(target, 'index.html'));
  // A console route (/clusters/abc): no extension on the last segment → the app shell.
  if (!file && !extname(urlPath)) file = await fileAt(join(resolve(root), 'index.html'));
  if (!file) {
    if (!(await fileAt(join(resolve(root), 'index.html')))) {
      return plain(
        res,
        404,
        'The web console is not built. `npm start` builds it; or run: npx vite build --config console/vite.config.ts',
      );
    }
    return plain(res, 404, `Not found: ${urlPath.slice(0, 200)}`);
  }

  const type = TYPES[extname(file.path).toLowerCase()] ?? 'application/octet-stream';
  const isHtml = type.startsWith('text/html');
  // Hashed build assets never change; the shell must be re-read to pick up a new build.
  const hashed = /[/\\]assets[/\\][^/\\]+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/.test(file.path);
  res.writeHead(200, {
    'Content-Type': type,
    'Content-Length': String(file.size),
    'Cache-Control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
    'Last-Modified': file.mtime.toUTCString(),
    ...COMMON_HEADERS,
    ...(isHtml ? { 'Content-Security-Policy': CSP, 'X-Frame-Options': 'DENY' } : {}),
  });
  if (method === 'HEAD') return void res.end();
  await new Promise<void>((done) => {
    const stream = createReadStream(file.path);
    stream.on('error', () => {
      res.destroy();
      done();
    });
    stream.on('end', done);
    stream.pipe(res);
  });
}
