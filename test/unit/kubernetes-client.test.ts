/**
 * The Kubernetes client's own edges, against a local HTTPS server with a cluster-style CA: how each kind
 * of answer (or silence) comes out as a KubeError ConfigureCluster can act on. The happy paths and the
 * auth failures run against the sandbox's API server (test/sandbox/kubernetes.test.ts).
 */
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeError, kubeApi } from '../../functions/lib/kubernetes/client.js';
import { makeClusterPki } from '../../local/sandbox/kubernetes/pki.js';

const pki = makeClusterPki(new Date());
const caData = Buffer.from(pki.caCertPem).toString('base64');
let answer: (path: string, method: string, body: string) => { status: number; body: string } | 'hang' = () => ({
  status: 200,
  body: '{}',
});
const seen: Array<{ method: string; path: string; auth?: string; body: string }> = [];
let server: Server;
let endpoint: string;

beforeAll(async () => {
  server = createServer({ key: pki.serverKeyPem, cert: pki.serverCertPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({
        method: req.method!,
        path: req.url!,
        ...(req.headers.authorization ? { auth: req.headers.authorization } : {}),
        body,
      });
      const a = answer(req.url!, req.method!, body);
      if (a === 'hang') return;
      res.writeHead(a.status, { 'content-type': 'application/json' }).end(a.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const api = (o: { timeoutMs?: number; ca?: string; endpoint?: string } = {}) =>
  kubeApi({
    endpoint: o.endpoint ?? endpoint,
    certificateAuthorityData: o.ca ?? caData,
    token: 'k8s-aws-v1.dG9rZW4',
    clusterName: 'c',
    ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
  });

async function kubeErrorOf(p: Promise<unknown>): Promise<KubeError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(KubeError);
  return err as KubeError;
}

describe('Kubernetes client', () => {
  it('sends the bearer token and JSON; a 409 on create means it was already there', async () => {
    seen.length = 0;
    answer = (_p, method) =>
      method === 'POST'
        ? {
            status: 409,
            body: JSON.stringify({
              kind: 'Status',
              reason: 'AlreadyExists',
              message: 'namespaces "dev" already exists',
              code: 409,
            }),
          }
        : { status: 200, body: '{}' };
    expect(await api().createNamespace('dev', { a: 'b' }, {})).toBe(false);
    expect(seen[0]).toMatchObject({ method: 'POST', path: '/api/v1/namespaces', auth: 'Bearer k8s-aws-v1.dG9rZW4' });
    expect(JSON.parse(seen[0]!.body)).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'dev', labels: { a: 'b' }, annotations: {} },
    });
    answer = () => ({ status: 201, body: '{}' });
    expect(await api().createServiceAccount('my ns', 'deployer', {})).toBe(true);
    expect(seen.at(-1)!.path).toBe('/api/v1/namespaces/my%20ns/serviceaccounts');
  });

  it('classifies 401, 403, 429, 5xx and other 4xx with the API server message', async () => {
    const cases: Array<[number, KubeError['kind']]> = [
      [401, 'unauthorized'],
      [403, 'forbidden'],
      [429, 'transient'],
      [503, 'transient'],
      [422, 'other'],
    ];
    for (const [status, kind] of cases) {
      answer = () => ({ status, body: JSON.stringify({ kind: 'Status', message: `said ${status}` }) });
      const err = await kubeErrorOf(api().listNodes());
      expect([err.kind, err.status, err.message, err.operation]).toEqual([
        kind,
        status,
        `said ${status}`,
        'list nodes',
      ]);
    }
  });

  it('a body that is not JSON is an error with what came back, not a crash', async () => {
    answer = () => ({ status: 200, body: '<html>proxy</html>' });
    const err = await kubeErrorOf(api().listStorageClasses());
    expect(err.kind).toBe('other');
    expect(err.message).toContain('<html>proxy</html>');
  });

  it('silence past the timeout, a refused port and a certificate from another CA', async () => {
    answer = () => 'hang';
    const slow = await kubeErrorOf(api({ timeoutMs: 200 }).listNodes());
    expect(slow.kind).toBe('unreachable');
    expect(slow.message).toMatch(/ETIMEDOUT: no answer from 127\.0\.0\.1:\d+ within 0\.2 s/);

    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    expect((await kubeErrorOf(api({ endpoint: `https://127.0.0.1:${port}` }).listNodes())).message).toMatch(
      /^ECONNREFUSED/,
    );

    answer = () => ({ status: 200, body: '{"items":[]}' });
    const other = Buffer.from(makeClusterPki(new Date()).caCertPem).toString('base64');
    expect((await kubeErrorOf(api({ ca: other }).listNodes())).kind).toBe('tls');
  });

  it('un-defaulting a class PUTs back what it read (resourceVersion included) with the annotation false', async () => {
    seen.length = 0;
    const sc = {
      metadata: {
        name: 'gp2',
        resourceVersion: '42',
        annotations: {
          'storageclass.kubernetes.io/is-default-class': 'true',
          'storageclass.beta.kubernetes.io/is-default-class': 'true',
        },
      },
      provisioner: 'kubernetes.io/aws-ebs',
    };
    answer = (_p, method, body) => ({ status: 200, body: method === 'GET' ? JSON.stringify(sc) : body });
    await api().unsetDefaultClass('gp2');
    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual([
      'GET /apis/storage.k8s.io/v1/storageclasses/gp2',
      'PUT /apis/storage.k8s.io/v1/storageclasses/gp2',
    ]);
    expect(JSON.parse(seen[1]!.body).metadata).toEqual({
      name: 'gp2',
      resourceVersion: '42',
      annotations: { 'storageclass.kubernetes.io/is-default-class': 'false' },
    });
  });
});
