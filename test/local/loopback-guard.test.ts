/**
 * The local stack is not a door into the developer's machine: raw HTTP requests carrying a foreign
 * Host (DNS rebinding) or a foreign Origin (a web page POSTing to loopback) are refused by the API
 * and the sandbox, and change nothing; SDK-style and same-origin requests keep working; the world
 * view carries no private key.
 */

import { request } from 'node:http';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApiServer, startApiServer } from '../../local/api/server.js';
import { checkRequest, hostNameOf, isLoopbackName } from '../../local/loopback/request-guard.js';
import { makeClusterPki } from '../../local/sandbox/kubernetes/pki.js';
import type { Sandbox } from '../../local/sandbox/server.js';
import { clients, customerCreds, start } from '../sandbox/helpers.js';
import { MemoryStore, silentLog, testConfig } from '../unit/api/helpers.js';

interface Reply {
  status: number;
  text: string;
}

/** Raw HTTP with exactly these headers (Node adds Host only when none is given). */
function raw(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const u = new URL(base);
    const req = request({ host: u.hostname, port: u.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

describe('request guard (pure)', () => {
  it('reads host names out of Host headers and origins', () => {
    expect(hostNameOf('127.0.0.1:4566')).toBe('127.0.0.1');
    expect(hostNameOf('[::1]:3000')).toBe('::1');
    expect(hostNameOf('LocalHost')).toBe('localhost');
    expect(hostNameOf('evil.example:4566')).toBe('evil.example');
  });

  it('loopback names only', () => {
    for (const n of ['127.0.0.1', '127.1.2.3', 'localhost', 'api.localhost', '::1'])
      expect(isLoopbackName(n)).toBe(true);
    for (const n of ['evil.example', '10.0.0.1', '0.0.0.0', 'localhost.evil.example', '128.0.0.1', '::'])
      expect(isLoopbackName(n)).toBe(false);
  });

  it('same origin means a loopback name on our own port', () => {
    const o = { port: 3000 };
    expect(checkRequest({ host: '127.0.0.1:3000', origin: 'http://127.0.0.1:3000' }, o).ok).toBe(true);
    expect(checkRequest({ host: 'localhost:3000', origin: 'http://localhost:3000' }, o).ok).toBe(true);
    expect(checkRequest({ host: '127.0.0.1:3000', origin: 'http://127.0.0.1:8080' }, o).ok).toBe(false);
    expect(checkRequest({ host: '127.0.0.1:3000', origin: 'https://127.0.0.1:3000' }, o).ok).toBe(false);
    expect(checkRequest({ host: '127.0.0.1:3000', origin: 'null' }, o).ok).toBe(false);
    expect(checkRequest({ host: '127.0.0.1:3000', 'sec-fetch-site': 'cross-site' }, o).ok).toBe(false);
    expect(checkRequest({ host: '127.0.0.1:3000', 'sec-fetch-site': 'same-origin' }, o).ok).toBe(true);
    // An API bound to a LAN address on purpose answers that address too, never 0.0.0.0.
    expect(checkRequest({ host: '192.168.1.5:3000' }, { port: 3000, boundHost: '192.168.1.5' }).ok).toBe(true);
    expect(checkRequest({ host: '0.0.0.0:3000' }, { port: 3000, boundHost: '0.0.0.0' }).ok).toBe(false);
  });
});

describe('sandbox: foreign Host and Origin', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await start({ kubernetes: false });
  });
  afterAll(async () => {
    await sb?.stop();
  });

  it('a cross-site text/plain POST to /_sandbox/reset is refused and resets nothing', async () => {
    sb.world.data.flags.nodesFailToJoin = true;
    const r = await raw(
      sb.url,
      'POST',
      '/_sandbox/reset',
      { Origin: 'http://evil.example', 'Content-Type': 'text/plain' },
      'x',
    );
    expect(r.status).toBe(403);
    expect(JSON.parse(r.text).message).toMatch(/evil\.example/);
    expect(sb.world.data.flags.nodesFailToJoin).toBe(true);
  });

  it('a DNS-rebinding Host cannot read the world or call AWS operations', async () => {
    const port = new URL(sb.url).port;
    const world = await raw(sb.url, 'GET', '/_sandbox/world', { Host: `rebind.evil.example:${port}` });
    expect(world.status).toBe(403);
    expect(world.text).not.toContain('222222222222');
    const sts = await raw(
      sb.url,
      'POST',
      '/',
      { Host: `rebind.evil.example:${port}`, 'Content-Type': 'application/x-www-form-urlencoded' },
      'Action=GetCallerIdentity&Version=2011-06-15',
    );
    expect(sts.status).toBe(403);
  });

  it('SDK clients (Host 127.0.0.1:<port>, no Origin) and localhost keep working', async () => {
    const id = await clients(sb, customerCreds).sts.send(new GetCallerIdentityCommand({}));
    expect(id.Account).toBe('222222222222');
    const port = new URL(sb.url).port;
    expect((await raw(sb.url, 'GET', '/_sandbox/health', { Host: `localhost:${port}` })).status).toBe(200);
  });

  it("the world view masks private keys (clusters' CA and server keys) and keeps certificates", async () => {
    const pki = makeClusterPki(new Date());
    sb.world.serviceState('kubernetes', () => ({}) as Record<string, unknown>)['test-cluster'] = { pki };
    const r = await raw(sb.url, 'GET', '/_sandbox/world', {});
    expect(r.status).toBe(200);
    expect(r.text).not.toMatch(/PRIVATE KEY/);
    const shown = JSON.parse(r.text).services.kubernetes['test-cluster'].pki;
    expect(shown.caKeyPem).toBe('***');
    expect(shown.serverKeyPem).toBe('***');
    expect(shown.caCertPem).toBe(pki.caCertPem);
  });
});

describe('local API: foreign Host and Origin', () => {
  let api: RunningApiServer;
  const store = new MemoryStore();
  beforeAll(async () => {
    api = await startApiServer({ port: 0, consoleDir: false, deps: { store, config: testConfig() }, log: silentLog });
  });
  afterAll(async () => {
    await api?.stop();
  });

  it('a cross-site POST is refused before the handler runs', async () => {
    const body = JSON.stringify({ roleArn: 'arn:aws:iam::222222222222:role/eks-provisioner-x', region: 'us-east-1' });
    const r = await raw(
      api.url,
      'POST',
      '/v1/roles',
      { Origin: 'https://evil.example', 'Content-Type': 'text/plain' },
      body,
    );
    expect(r.status).toBe(403);
    expect(JSON.parse(r.text).error.code).toBe('FORBIDDEN_ORIGIN');
  });

  it('a DNS-rebinding Host cannot read the API', async () => {
    const port = new URL(api.url).port;
    const r = await raw(api.url, 'GET', '/v1/openapi.json', { Host: `evil.example:${port}` });
    expect(r.status).toBe(403);
    expect(JSON.parse(r.text).error.code).toBe('FORBIDDEN_HOST');
  });

  it('same-origin browser requests (the console) and plain clients are served', async () => {
    const port = new URL(api.url).port;
    expect((await raw(api.url, 'GET', '/v1/openapi.json', {})).status).toBe(200);
    expect(
      (
        await raw(api.url, 'GET', '/v1/openapi.json', {
          Origin: `http://127.0.0.1:${port}`,
          'Sec-Fetch-Site': 'same-origin',
        })
      ).status,
    ).toBe(200);
    expect(
      (await raw(api.url, 'GET', '/v1/openapi.json', { Host: `localhost:${port}`, Origin: `http://localhost:${port}` }))
        .status,
    ).toBe(200);
  });
});
