/** Kubeconfig merge (as `aws eks update-kubeconfig` does) and `eks-provisioner kubeconfig` against the API app. */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse, stringify } from 'yaml';
import { assumeRoleProfile, provisionRoleProfileName } from '../../../cli/kubeconfig/assume-role-profile.js';
import { kubeconfig } from '../../../cli/kubeconfig/command.js';
import { defaultKubeconfigPath, mergeKubeconfig } from '../../../cli/kubeconfig/merge.js';
import { forgetServiceIdentity } from '../../../functions/api/setup/setup.js';
import { kubeconfigYaml } from '../../../functions/lib/kubernetes/kubeconfig.js';
import type { ClusterRecord } from '../../../functions/lib/store/types.js';
import { requireTool } from '../../support/tools.js';
import { makeTestApi } from '../api/helpers.js';

// What the command prints, captured (the terminal module writes through its own bound stdout).
const said = vi.hoisted(() => [] as string[]);
vi.mock('../../../cli/terminal.js', async (real) => ({
  ...(await real<typeof import('../../../cli/terminal.js')>()),
  say: (text = '') => void said.push(text),
}));

const ARN = 'arn:aws:eks:eu-west-1:222222222222:cluster/demo';
const ROLE_B = 'arn:aws:iam::222222222222:role/eks-provisioner-provision';
const incoming = (endpoint = 'https://NEW.eks') =>
  kubeconfigYaml({
    clusterName: 'demo',
    clusterArn: ARN,
    endpoint,
    certificateAuthorityData: 'Q0E=',
    region: 'eu-west-1',
  });

const existing = stringify({
  apiVersion: 'v1',
  kind: 'Config',
  clusters: [
    { name: 'kind-dev', cluster: { server: 'https://127.0.0.1:6443' } },
    { name: ARN, cluster: { server: 'https://OLD.eks', 'certificate-authority-data': 'T0xE' } },
  ],
  users: [{ name: 'kind-dev', user: { token: 'keep-me' } }],
  contexts: [{ name: 'kind-dev', context: { cluster: 'kind-dev', user: 'kind-dev', namespace: 'apps' } }],
  'current-context': 'kind-dev',
  preferences: { colors: true },
});

describe('mergeKubeconfig', () => {
  it('keeps other clusters, users, contexts and keys; replaces same-name entries in place; sets current-context', () => {
    const r = mergeKubeconfig(existing, incoming());
    const doc = parse(r.text);
    expect(r.context).toBe(ARN);
    expect(r.replaced).toEqual({ clusters: true, users: false, contexts: false });
    expect(doc.clusters.map((c: { name: string }) => c.name)).toEqual(['kind-dev', ARN]);
    expect(doc.clusters[1].cluster.server).toBe('https://NEW.eks');
    expect(doc.users).toEqual([
      { name: 'kind-dev', user: { token: 'keep-me' } },
      expect.objectContaining({ name: ARN }),
    ]);
    expect(doc.contexts[0]).toEqual({
      name: 'kind-dev',
      context: { cluster: 'kind-dev', user: 'kind-dev', namespace: 'apps' },
    });
    expect(doc.contexts[1]).toEqual({ name: ARN, context: { cluster: ARN, user: ARN } });
    expect(doc['current-context']).toBe(ARN);
    expect(doc.preferences).toEqual({ colors: true });
  });

  it('merging twice is the same as once (no duplicates)', () => {
    const once = mergeKubeconfig(existing, incoming()).text;
    const twice = mergeKubeconfig(once, incoming());
    expect(twice.text).toBe(once);
    expect(twice.replaced).toEqual({ clusters: true, users: true, contexts: true });
  });

  it('starts a fresh kubeconfig from nothing or an empty file', () => {
    for (const start of [undefined, '', '\n']) {
      const doc = parse(mergeKubeconfig(start, incoming()).text);
      expect(doc).toMatchObject({ apiVersion: 'v1', kind: 'Config', 'current-context': ARN });
      expect(doc.clusters).toHaveLength(1);
    }
  });

  it.each([
    ['not YAML', 'clusters: [a\n  - b: ]]', /not valid YAML/],
    ['a list', '- a\n- b\n', /not a kubeconfig/],
    ['clusters a string', 'clusters: nope\n', /"clusters" must be a list/],
  ])('refuses an existing file that is %s, naming it', (_what, text, message) => {
    expect(() => mergeKubeconfig(text, incoming(), '/home/u/.kube/config')).toThrow(message);
    expect(() => mergeKubeconfig(text, incoming(), '/home/u/.kube/config')).toThrow('/home/u/.kube/config');
  });

  it('defaults to the first non-empty $KUBECONFIG path, else ~/.kube/config', () => {
    expect(defaultKubeconfigPath({ KUBECONFIG: ':/a/one:/b/two' }, '/home/u', ':')).toBe('/a/one');
    expect(defaultKubeconfigPath({}, '/home/u', ':')).toBe('/home/u/.kube/config');
    expect(defaultKubeconfigPath({ KUBECONFIG: '' }, '/home/u', ':')).toBe('/home/u/.kube/config');
  });
});

describe('eks-provisioner kubeconfig <id>', () => {
  let server: Server;
  let url: string;
  const api = makeTestApi();

  beforeAll(async () => {
    // GET /v1/setup names the service's account (STS, answered here without AWS).
    forgetServiceIdentity();
    mockClient(STSClient)
      .on(GetCallerIdentityCommand)
      .resolves({ Account: '111111111111', Arn: 'arn:aws:iam::111111111111:role/service' });
    const record = {
      id: 'c-1',
      tenantId: 'team-a',
      name: 'demo',
      environmentScope: '*',
      accountId: '222222222222',
      region: 'eu-west-1',
      status: 'CREATED',
      phase: 'Ready',
      progress: { done: 1, total: 1 },
      settings: { provisionRoleArn: ROLE_B },
      outputs: {
        clusterName: 'demo',
        clusterArn: ARN,
        endpoint: 'https://NEW.eks',
        certificateAuthorityData: 'Q0E=',
        kubernetesVersion: '1.34',
        oidcIssuer: '',
        nodeRoleArn: '',
        nodegroupName: '',
        nodegroupStatus: '',
        kubeconfig: '',
      },
      createdAt: '2026-11-29T10:00:00.000Z',
      updatedAt: '2026-11-29T10:00:00.000Z',
    } as unknown as ClusterRecord;
    await api.store.createCluster(record);
    await api.store.createCluster({ ...record, id: 'c-2', name: 'other', status: 'CREATING' });
    // The real app behind a loopback HTTP server, as the local stack serves it.
    server = createServer(async (req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      const r = await api.call({
        method: req.method ?? 'GET',
        path: u.pathname,
        query: Object.fromEntries(u.searchParams),
        tenant: String(req.headers['x-tenant-id'] ?? ''),
      });
      res.writeHead(r.statusCode, r.headers);
      res.end(r.raw.body);
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.close();
  });

  it('creates the file (0600) and its directory, then merges into it keeping other contexts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kc-'));
    const file = join(dir, 'nested', 'config');
    expect(await kubeconfig('c-1', { api: url, tenant: 'team-a', file, profile: 'admin' }, {})).toBe(0);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const first = parse(await readFile(file, 'utf8'));
    expect(first['current-context']).toBe(ARN);
    expect(first.users[0].user.exec.env).toEqual([{ name: 'AWS_PROFILE', value: 'admin' }]);

    await writeFile(file, existing);
    expect(await kubeconfig('c-1', { api: url, tenant: 'team-a', file }, {})).toBe(0);
    const merged = parse(await readFile(file, 'utf8'));
    expect(merged.contexts.map((c: { name: string }) => c.name)).toEqual(['kind-dev', ARN]);
    expect(merged.users[0].user.token).toBe('keep-me');
    expect(merged['current-context']).toBe(ARN);
  });

  // kubectl as an independent reader of the merged file (skipped where it is not installed).
  const kubectl = !!requireTool('kubectl', 'the kubectl check of the merged kubeconfig (test/unit/cli/kubeconfig)');
  it.skipIf(!kubectl)(
    'kubectl reads the merged file: both contexts, the new one current, AWS_PROFILE in the exec env',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'kc-'));
      const file = join(dir, 'config');
      await writeFile(file, existing);
      expect(await kubeconfig('c-1', { api: url, tenant: 'team-a', file, profile: 'ops' }, {})).toBe(0);
      const run = (...args: string[]) =>
        execFileSync('kubectl', [...args, '--kubeconfig', file], {
          encoding: 'utf8',
          env: { PATH: process.env.PATH ?? '' },
        }).trim();
      expect(run('config', 'get-contexts', '-o', 'name').split('\n').sort()).toEqual([ARN, 'kind-dev'].sort());
      expect(run('config', 'current-context')).toBe(ARN);
      expect(run('config', 'view', '-o', `jsonpath={.users[?(@.name=="${ARN}")].user.exec.env[0].value}`)).toBe('ops');
    },
  );

  it('writes to the first $KUBECONFIG path when no --file is given', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kc-'));
    const file = join(dir, 'from-env');
    expect(
      await kubeconfig('c-1', { api: url, tenant: 'team-a' }, { KUBECONFIG: `${file}:${join(dir, 'second')}` }),
    ).toBe(0);
    expect(parse(await readFile(file, 'utf8'))['current-context']).toBe(ARN);
  });

  it('a cluster that is not CREATED: the API error, and the file untouched', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kc-'));
    const file = join(dir, 'config');
    await writeFile(file, existing);
    const err = await kubeconfig('c-2', { api: url, tenant: 'team-a', file }, {}).catch(
      (e: unknown) => e as Error & { status?: number },
    );
    expect(err).toMatchObject({ status: 409, message: expect.stringContaining('still being created') });
    expect(await readFile(file, 'utf8')).toBe(existing);
  });

  it('an unreadable existing file: exit 2, nothing written', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kc-'));
    const file = join(dir, 'config');
    await writeFile(file, '- not\n- a kubeconfig\n');
    expect(await kubeconfig('c-1', { api: url, tenant: 'team-a', file }, {})).toBe(2);
    expect(await readFile(file, 'utf8')).toBe('- not\n- a kubeconfig\n');
  });
  it('--assume-provision-role: prints the AWS CLI profile for role B with the External ID and makes kubectl use it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kc-'));
    const file = join(dir, 'config');
    said.length = 0;
    expect(
      await kubeconfig(
        'c-1',
        { api: url, tenant: 'team-a', file, assumeProvisionRole: true, sourceProfile: 'work' },
        {},
      ),
    ).toBe(0);
    const out = [...said];
    const setup = (await api.call({ method: 'GET', path: '/v1/setup', tenant: 'team-a' })).body as {
      externalId: string;
    };
    expect(setup.externalId).toMatch(/\S{8,}/);
    const printed = out.join('\n');
    expect(printed).toContain(
      `[profile eks-provisioner-demo]\nrole_arn = ${ROLE_B}\nexternal_id = ${setup.externalId}\nsource_profile = work\n`,
    );
    const doc = parse(await readFile(file, 'utf8'));
    expect(doc.users[0].user.exec.env).toEqual([{ name: 'AWS_PROFILE', value: 'eks-provisioner-demo' }]);
  });

  it('--assume-provision-role defaults source_profile to default; --source-profile alone is refused', async () => {
    expect(assumeRoleProfile({ clusterName: 'demo', roleArn: ROLE_B, externalId: 'ext-123' }).text).toBe(
      `[profile eks-provisioner-demo]\nrole_arn = ${ROLE_B}\nexternal_id = ext-123\nsource_profile = default\n`,
    );
    expect(() =>
      assumeRoleProfile({ clusterName: 'demo', roleArn: ROLE_B, externalId: 'x', sourceProfile: 'has space' }),
    ).toThrow(/--source-profile "has space"/);
    expect(provisionRoleProfileName('a'.repeat(100))).toHaveLength(64);
    const dir = await mkdtemp(join(tmpdir(), 'kc-'));
    const file = join(dir, 'config');
    expect(await kubeconfig('c-1', { api: url, tenant: 'team-a', file, sourceProfile: 'work' }, {})).toBe(2);
    await expect(stat(file)).rejects.toThrow();
    expect(
      await kubeconfig(
        'c-1',
        { api: url, tenant: 'team-a', file, assumeProvisionRole: true, sourceProfile: 'a b' },
        {},
      ),
    ).toBe(2);
    await expect(stat(file)).rejects.toThrow();
  });
});
