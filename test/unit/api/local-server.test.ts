/** The local API server: real HTTP on loopback into the same handler, local tenant header on. */

import { request } from 'node:http';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forgetServiceIdentity } from '../../../functions/api/setup/setup.js';
import { type RunningApiServer, startApiServer } from '../../../local/api/server.js';
import { MemoryStore, SERVICE_ACCOUNT, seedRole, silentLog, testConfig, validSettings } from './helpers.js';

const sts = mockClient(STSClient);
const sfn = mockClient(SFNClient);
const store = new MemoryStore();
let server: RunningApiServer;

beforeAll(async () => {
  forgetServiceIdentity();
  sts
    .on(GetCallerIdentityCommand)
    .resolves({ Account: SERVICE_ACCOUNT, Arn: `arn:aws:iam::${SERVICE_ACCOUNT}:user/eks-provisioner` });
  sfn.on(StartExecutionCommand).callsFake((i: { name: string }) => ({
    executionArn: `arn:aws:states:us-east-1:111111111111:execution:m:${i.name}`,
    startDate: new Date(),
  }));
  await seedRole(store, 'local');
  // config.local false on purpose: the server must switch it on.
  server = await startApiServer({
    port: 0,
    deps: { store, config: testConfig({ local: false }), sfn: new SFNClient({ region: 'us-east-1' }) },
    log: silentLog,
  });
});

afterAll(async () => {
  await server?.stop();
  sts.restore();
  sfn.restore();
});

/** Raw HTTP so the path is sent as written (no client-side dot normalisation). */
function http(method: string, path: string, body?: string | Buffer, headers: Record<string, string | string[]> = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; json: any }>((resolve, reject) => {
    const u = new URL(server.url);
    const req = request({ host: u.hostname, port: u.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode!, headers: res.headers, json: text ? JSON.parse(text) : undefined });
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

describe('local API server', () => {
  it('listens on loopback and serves the handler', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const r = await http('GET', '/v1/openapi.json');
    expect(r.status).toBe(200);
    expect(r.json.openapi).toBe('3.1.0');
  });

  it('tenant from X-Tenant-Id, default "local"', async () => {
    const a = await http('GET', '/v1/setup');
    const b = await http('GET', '/v1/setup', undefined, { 'X-Tenant-Id': 'team-b' });
    expect(a.status).toBe(200);
    expect(a.json.externalId).toBe(store.tenants.get('local')!.externalId);
    expect(b.json.externalId).toBe(store.tenants.get('team-b')!.externalId);
    const bad = await http('GET', '/v1/setup', undefined, { 'X-Tenant-Id': 'a#b' });
    expect(bad.status).toBe(400);
  });

  it('creates a cluster end to end over HTTP and reads it back', async () => {
    const body = JSON.stringify(validSettings({ name: 'over-http' }));
    const r = await http('POST', '/v1/clusters', body, { 'Content-Type': 'application/json' });
    expect(r.status).toBe(202);
    expect(r.headers.location).toBe(`/v1/clusters/${r.json.id}`);
    const g = await http('GET', r.headers.location as string);
    expect(g.json).toMatchObject({ id: r.json.id, name: 'over-http', status: 'CREATING' });
  });

  it('keeps hostile input 4xx over the wire too', async () => {
    expect((await http('POST', '/v1/clusters', '{"name":', { 'Content-Type': 'application/json' })).status).toBe(400);
    expect((await http('POST', '/v1/clusters', '{}', { 'Content-Type': 'text/plain' })).status).toBe(415);
    expect(
      (await http('POST', '/v1/clusters', Buffer.alloc(2 * 1024 * 1024, 0x20), { 'Content-Type': 'application/json' }))
        .status,
    ).toBe(413);
    expect(
      (await http('POST', '/v1/clusters', Buffer.from([0xff, 0xfe]), { 'Content-Type': 'application/json' })).status,
    ).toBe(400);
    expect((await http('GET', '/v1/clusters/../setup')).status).toBe(404);
    expect((await http('GET', '/v1/clusters/%E0%A4%A')).status).toBe(400);
    const m = await http('DELETE', '/v1/clusters');
    expect(m.status).toBe(405);
    expect(m.headers.allow).toBe('GET, POST');
    expect((await http('GET', '/v1/clusters?limit=1&limit=2')).status).toBe(400);
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'])(
    'a query parameter named %s is an unknown parameter (400) on every route, not a 500',
    async (name) => {
      for (const path of [
        '/v1/clusters',
        '/v1/setup',
        '/v1/aws/vpcs',
        '/v1/clusters/00000000-0000-4000-8000-000000000000',
      ]) {
        const r = await http('GET', `${path}?${name}=1`);
        expect(r.status, `${path}: ${JSON.stringify(r.json)}`).toBe(400);
        expect(r.json.error.fields).toContainEqual({ path: name, message: expect.any(String) });
      }
      // Twice, or next to a real parameter: still a 400 naming it.
      expect((await http('GET', `/v1/clusters?${name}=1&${name}=2&limit=5`)).status).toBe(400);
    },
  );
});
