/** GET /v1/clusters/{id}/kubeconfig: YAML from the record's outputs, optional AWS_PROFILE, 404/409/400. */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { ClusterRecord } from '../../../functions/lib/store/types.js';
import { CUSTOMER_ACCOUNT, makeTestApi } from './helpers.js';

const ARN = `arn:aws:eks:eu-west-1:${CUSTOMER_ACCOUNT}:cluster/demo`;

function record(overrides: Partial<ClusterRecord> = {}): ClusterRecord {
  return {
    id: 'c-1',
    tenantId: 'team-a',
    name: 'demo',
    environmentScope: '*',
    accountId: CUSTOMER_ACCOUNT,
    region: 'eu-west-1',
    status: 'CREATED',
    phase: 'Ready',
    progress: { done: 12, total: 12 },
    settings: {} as ClusterRecord['settings'],
    outputs: {
      clusterName: 'demo',
      clusterArn: ARN,
      endpoint: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com',
      certificateAuthorityData: 'LS0tQ0E=',
      kubernetesVersion: '1.34',
      oidcIssuer: 'https://oidc.eks',
      nodeRoleArn: `arn:aws:iam::${CUSTOMER_ACCOUNT}:role/n`,
      nodegroupName: 'ng',
      nodegroupStatus: 'ACTIVE',
      kubeconfig: 'stale',
    },
    createdAt: '2026-11-29T10:00:00.000Z',
    updatedAt: '2026-11-29T10:20:00.000Z',
    ...overrides,
  };
}

async function apiWith(...records: ClusterRecord[]) {
  const api = makeTestApi();
  for (const r of records) await api.store.createCluster(r);
  return api;
}

describe('GET /v1/clusters/{id}/kubeconfig', () => {
  it('answers the kubeconfig as YAML: exec `aws eks get-token` for this cluster, no credential, no profile', async () => {
    const api = await apiWith(record());
    const r = await api.call({ method: 'GET', path: '/v1/clusters/c-1/kubeconfig', tenant: 'team-a' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['Content-Type']).toBe('application/yaml; charset=utf-8');
    expect(r.headers['Cache-Control']).toBe('no-store');
    const doc = parse(r.raw.body);
    expect(doc.clusters).toEqual([
      {
        name: ARN,
        cluster: { server: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com', 'certificate-authority-data': 'LS0tQ0E=' },
      },
    ]);
    expect(doc.contexts).toEqual([{ name: ARN, context: { cluster: ARN, user: ARN } }]);
    expect(doc['current-context']).toBe(ARN);
    const exec = doc.users[0].user.exec;
    expect(exec.command).toBe('aws');
    expect(exec.args).toEqual([
      '--region',
      'eu-west-1',
      'eks',
      'get-token',
      '--cluster-name',
      'demo',
      '--output',
      'json',
    ]);
    expect(exec.env).toBeNull();
  });

  it('?profile=NAME puts AWS_PROFILE in the exec env', async () => {
    const api = await apiWith(record());
    const r = await api.call({
      method: 'GET',
      path: '/v1/clusters/c-1/kubeconfig',
      query: { profile: 'team.admin_1-x' },
      tenant: 'team-a',
    });
    expect(r.statusCode).toBe(200);
    expect(parse(r.raw.body).users[0].user.exec.env).toEqual([{ name: 'AWS_PROFILE', value: 'team.admin_1-x' }]);
  });

  it.each(['', 'a b', 'x'.repeat(65), 'evil\nname', 'a;rm', 'ümlaut'])(
    'refuses profile %j with a field error',
    async (profile) => {
      const api = await apiWith(record());
      const r = await api.call({
        method: 'GET',
        path: '/v1/clusters/c-1/kubeconfig',
        query: { profile },
        tenant: 'team-a',
      });
      expect(r.statusCode).toBe(400);
      expect(r.headers['Content-Type']).toMatch(/^application\/json/);
      expect(r.body.error.fields).toEqual([
        expect.objectContaining({ path: 'profile', message: expect.stringContaining('letters, digits') }),
      ]);
    },
  );

  it('refuses unknown query parameters', async () => {
    const api = await apiWith(record());
    const r = await api.call({
      method: 'GET',
      path: '/v1/clusters/c-1/kubeconfig',
      query: { user: 'x' },
      tenant: 'team-a',
    });
    expect(r.statusCode).toBe(400);
    expect(r.body.error.fields[0].path).toBe('user');
  });

  it("404 for an unknown id and for another tenant's cluster (same answer)", async () => {
    const api = await apiWith(record());
    const unknown = await api.call({ method: 'GET', path: '/v1/clusters/nope/kubeconfig', tenant: 'team-a' });
    const foreign = await api.call({ method: 'GET', path: '/v1/clusters/c-1/kubeconfig', tenant: 'team-b' });
    expect(unknown.statusCode).toBe(404);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.body.error.code).toBe('NOT_FOUND');
    expect(foreign.raw.body).not.toContain('ABC.gr7');
  });

  it.each([
    ['CREATING', 'still being created'],
    ['FAILED', 'diagnosis'],
    ['DELETING', 'DELETING'],
    ['DELETED', 'DELETED'],
  ] as const)('409 CLUSTER_NOT_READY when %s', async (status, words) => {
    const api = await apiWith(record({ status, ...(status === 'CREATING' ? { outputs: undefined } : {}) }));
    const r = await api.call({ method: 'GET', path: '/v1/clusters/c-1/kubeconfig', tenant: 'team-a' });
    expect(r.statusCode).toBe(409);
    expect(r.body.error.code).toBe('CLUSTER_NOT_READY');
    expect(r.body.error.message).toContain(words);
  });

  it('405 for other methods on the path', async () => {
    const api = await apiWith(record());
    const r = await api.call({ method: 'POST', path: '/v1/clusters/c-1/kubeconfig', body: {}, tenant: 'team-a' });
    expect(r.statusCode).toBe(405);
    expect(r.headers.Allow).toBe('GET');
  });
});
