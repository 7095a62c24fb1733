/**
 * The local server's console files (local/console/static.ts): content types, SPA fallback for routes
 * only, caching of hashed assets, security headers on the shell, and no way out of the build folder.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveInside, serveConsole } from '../../../local/console/static.js';

let base: string;
let root: string;
let server: Server;
let port: number;

/** Raw request: the path goes out exactly as written (fetch would normalise ../). */
function raw(
  method: string,
  path: string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'console-static-'));
  root = join(base, 'dist');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>shell</title>');
  writeFileSync(join(root, 'assets', 'index-AbCdEf12.js'), 'console.log(1)');
  writeFileSync(join(root, 'assets', 'index-AbCdEf12.css'), 'body{}');
  writeFileSync(join(base, 'secret.txt'), 'outside the build');
  server = createServer((req, res) => void serveConsole(root, req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(base, { recursive: true, force: true });
});

describe('console static files', () => {
  it('serves the shell with a CSP, assets with their types and long caching', async () => {
    const shell = await raw('GET', '/');
    expect(shell.status).toBe(200);
    expect(shell.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(shell.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(shell.headers['cache-control']).toBe('no-cache');
    expect(shell.headers['x-content-type-options']).toBe('nosniff');
    const js = await raw('GET', '/assets/index-AbCdEf12.js');
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toMatch(/immutable/);
    expect((await raw('GET', '/assets/index-AbCdEf12.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    const head = await raw('HEAD', '/assets/index-AbCdEf12.js');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('falls back to the shell for console routes, not for missing files', async () => {
    for (const route of ['/clusters', '/clusters/0b7c1d2e-aaaa-bbbb-cccc-123456789012', '/clusters/?x=1']) {
      const r = await raw('GET', route);
      expect(r.status, route).toBe(200);
      expect(r.body).toContain('<title>shell</title>');
    }
    // config.json absent from the build = the local stack's own: local mode, said with a 200 (no red 404 in the browser), never the shell.
    const config = await raw('GET', '/config.json');
    expect(config.status).toBe(200);
    expect(config.headers['content-type']).toBe('application/json');
    expect(config.headers['cache-control']).toBe('no-cache');
    expect(JSON.parse(config.body)).toEqual({ mode: 'local' });
    expect((await raw('GET', '/assets/missing-12345678.js')).status).toBe(404);
  });

  it('never leaves the build folder', async () => {
    for (const path of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/%2e%2e%5csecret.txt',
      '/..\\secret.txt',
      '/%00',
      '/%E0%A4%A',
    ]) {
      const r = await raw('GET', path);
      expect(r.body, path).not.toContain('outside the build');
      expect([200, 400, 404], path).toContain(r.status);
    }
    expect(resolveInside(root, '/../secret.txt')).toBeUndefined();
    expect(resolveInside(root, '/assets/../index.html')).toBe(join(root, 'index.html'));
  });

  it('refuses writes', async () => {
    const r = await raw('POST', '/');
    expect(r.status).toBe(405);
    expect(r.headers['allow']).toBe('GET, HEAD');
  });
});
