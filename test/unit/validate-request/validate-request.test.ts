import { beforeEach, describe, expect, it } from 'vitest';
import demo from '../../../events/create-cluster.json' with { type: 'json' };
import { LOCAL_TENANT_PATTERN, tenantFromPrincipalArn } from '../../../functions/api/tenant/resolve-tenant.js';
import { DiagnosedError } from '../../../functions/lib/errors.js';
import {
  clusterIdForExecution,
  newClusterId,
  type ValidateRequestEvent,
  validateRequest,
} from '../../../functions/validate-request/validate-request.js';
import { MemoryStore } from '../../support/memory-store.js';
import { credentialLeaks } from '../aws/fixtures.js';

const EXTERNAL_ID = '0123456789abcdef0123456789abcdef01234567';
const EXECUTION = 'arn:aws:states:us-east-1:111111111111:execution:eks-provisioner-provision-cluster:c-abcdefghijkl';
let store: MemoryStore;
let ids: string[];
const deps = () => ({
  store,
  config: { roleNamePrefix: 'eks-provisioner-' },
  now: () => new Date('2026-03-01T10:00:00.000Z'),
  newId: () => ids.shift() ?? newClusterId(),
});
const event = (input: unknown = structuredClone(demo)): ValidateRequestEvent => ({
  input: input as ValidateRequestEvent['input'],
  executionArn: EXECUTION,
  startedAt: '2026-03-01T09:59:59.000Z',
});

async function failure(p: Promise<unknown>) {
  const err = await p.catch((e: unknown) => e);
  expect(err).toBeInstanceOf(DiagnosedError);
  return (err as DiagnosedError).diagnosis;
}

beforeEach(() => {
  store = new MemoryStore().withTenant('local', EXTERNAL_ID);
  ids = ['c-aaaaaaaaaaaa'];
});

describe('ValidateRequest', () => {
  it('normalises the demo input, assigns an id, names the stack and records the cluster', async () => {
    const out = await validateRequest(event(), deps());
    const id = clusterIdForExecution(EXECUTION);
    expect(id).toMatch(/^c-[a-z2-7]{12}$/);
    expect(out).toEqual({
      tenantId: 'local',
      clusterId: id,
      cluster: expect.objectContaining({
        name: 'demo',
        region: 'us-east-1',
        environmentScope: '*',
        adminPrincipalArns: [],
        nodeCount: 2,
      }),
      accountId: '222222222222',
      region: 'us-east-1',
      stackName: 'eks-provisioner-demo',
      executionArn: EXECUTION,
      startedAt: '2026-03-01T09:59:59.000Z',
    });
    const record = await store.getCluster('local', id);
    expect(record).toMatchObject({
      status: 'CREATING',
      name: 'demo',
      accountId: '222222222222',
      executionArn: EXECUTION,
      progress: { done: 0, total: 0 },
    });
    // The External ID stays in the store; credentials never appear.
    expect(JSON.stringify(out)).not.toContain(EXTERNAL_ID);
    expect(credentialLeaks(out)).toEqual([]);
  });

  it('keeps a given cluster id and is idempotent for it (API-started executions)', async () => {
    const input = { ...structuredClone(demo), clusterId: 'c-fromtheapi01' };
    const first = await validateRequest(event(input), deps());
    const again = await validateRequest(event(input), deps());
    expect(first.clusterId).toBe('c-fromtheapi01');
    expect(again).toEqual(first);
  });

  it('a retried step of the same console execution finds its own record (no self-inflicted name clash)', async () => {
    const first = await validateRequest(event(), deps());
    const retry = await validateRequest(event(), deps());
    expect(retry.clusterId).toBe(first.clusterId);
    expect(store.clusters.size).toBe(1);
    // Another execution with the same name is refused.
    const other = await failure(validateRequest({ ...event(), executionArn: `${EXECUTION}-2` }, deps()));
    expect(other.code).toBe('NAME_ALREADY_IN_USE');
  });

  it('makes short URL-safe ids', () => {
    const seen = new Set(Array.from({ length: 200 }, () => newClusterId()));
    expect(seen.size).toBe(200);
    for (const id of seen) expect(id).toMatch(/^c-[a-z2-7]{12}$/);
  });

  it('ignores an External ID in the input', async () => {
    const input = structuredClone(demo) as Record<string, unknown>;
    (input.cluster as Record<string, unknown>).externalId = 'attacker-chosen';
    input.externalId = 'attacker-chosen';
    const out = await validateRequest(event(input), deps());
    expect(JSON.stringify(out)).not.toContain('attacker-chosen');
    expect(JSON.stringify(await store.getCluster('local', out.clusterId))).not.toContain('attacker-chosen');
  });

  it('reports every field error at once, under cluster.', async () => {
    const input = structuredClone(demo) as { tenantId?: string; cluster: Record<string, unknown> };
    input.cluster.name = 'bad_name';
    input.cluster.subnetIds = ['subnet-0a1b2c3d4e5f60011'];
    input.cluster.provisionRoleArn = 'arn:aws:iam::222222222222:role/not-allowed';
    delete input.tenantId;
    const d = await failure(validateRequest(event(input), deps()));
    expect(d.code).toBe('VALIDATION_FAILED');
    expect(d.fields?.map((f) => f.path)).toEqual([
      'tenantId',
      'cluster.name',
      'cluster.provisionRoleArn',
      'cluster.subnetIds',
    ]);
    expect(d.problems?.[0]?.code).toBe('INVALID_ROLE_ARN');
    expect(store.clusters.size).toBe(0);
  });

  it('accepts every tenant id the API can hand out (IAM ARNs with long paths, 256-character local ids)', async () => {
    const userWithPath = `arn:aws:iam::123456789012:user/${'division/'.repeat(50)}alice`;
    expect(tenantFromPrincipalArn(userWithPath)).toBe(userWithPath);
    const local = `t${'x'.repeat(255)}`;
    expect(LOCAL_TENANT_PATTERN.test(local)).toBe(true);
    for (const [i, tenantId] of [userWithPath, local].entries()) {
      store.withTenant(tenantId, EXTERNAL_ID);
      const input = { ...structuredClone(demo), tenantId, clusterId: `c-${i}` };
      input.cluster.name = `demo-${i}`;
      const out = await validateRequest(event(input), deps());
      expect(out.tenantId).toBe(tenantId);
    }
  });

  it('refuses a malformed clusterId', async () => {
    const d = await failure(validateRequest(event({ ...structuredClone(demo), clusterId: 'has spaces' }), deps()));
    expect(d.fields?.map((f) => f.path)).toEqual(['clusterId']);
  });

  it('tells a tenant without an External ID to call GET /v1/setup', async () => {
    const d = await failure(validateRequest(event({ ...structuredClone(demo), tenantId: 'newcomer' }), deps()));
    expect(d.code).toBe('VALIDATION_FAILED');
    expect(d.fields?.[0]).toMatchObject({ path: 'tenantId', message: expect.stringContaining('GET /v1/setup') });
    expect(store.clusters.size).toBe(0);
  });

  it('refuses a name already held by a live cluster in that account and region', async () => {
    await validateRequest(event({ ...structuredClone(demo), clusterId: 'c-first0000000' }), deps());
    const d = await failure(validateRequest(event({ ...structuredClone(demo), clusterId: 'c-second000000' }), deps()));
    expect(d.code).toBe('NAME_ALREADY_IN_USE');
  });
});
