/**
 * The one in-memory Store of the tests. It keeps the DynamoDB store's rules — the same contract
 * tests run against both (test/unit/store/store-contract.test.ts): one External ID per tenant, a
 * cluster name claimed per account+region by one live cluster (and released only by its holder),
 * records copied in and out, updates that stamp `updatedAt` and never move `createdAt`, newest-first
 * pages with a token bound to the tenant, version-checked updates, idempotency keys that keep their
 * first answer.
 *
 * Test-side extras: the maps are public to inspect, `calls` lists every store call in order, and
 * `issuedExternalIds` holds every External ID any MemoryStore handed out (what a correct role B's
 * trust policy names).
 */
import { randomBytes } from 'node:crypto';
import { makeDiagnosis } from '../../functions/lib/diagnosis/catalog.js';
import { DiagnosedError } from '../../functions/lib/errors.js';
import { ClusterNotFoundError, newExternalId } from '../../functions/lib/store/dynamo-store.js';
import {
  type ClusterRecord,
  type IdempotencyRecord,
  type Page,
  type RoleRecord,
  recordVersion,
  type Store,
  type TenantRecord,
} from '../../functions/lib/store/types.js';
import * as idempotency from './memory-idempotency.js';

export const issuedExternalIds = new Set<string>();

/** Statuses that hold a name (as in the DynamoDB store): a FAILED or DELETED cluster's claim may be taken over. */
const LIVE = new Set(['CREATING', 'CREATED', 'DELETING']);

type Claim = { tenantId: string; id: string };

export class MemoryStore implements Store {
  tenants = new Map<string, TenantRecord>();
  roles = new Map<string, RoleRecord>();
  clusters = new Map<string, ClusterRecord>();
  claims = new Map<string, Claim>();
  idempotency = new Map<string, IdempotencyRecord>();
  secrets = new Map<string, string>();
  calls: string[] = [];

  constructor(private readonly now: () => Date = () => new Date()) {}

  /** Seeds a tenant with a known External ID (as if it had called setup). */
  withTenant(tenantId: string, externalId: string): this {
    this.tenants.set(tenantId, { tenantId, externalId, createdAt: '2026-01-01T00:00:00.000Z' });
    return this;
  }

  async getOrCreateTenant(tenantId: string): Promise<TenantRecord> {
    this.calls.push('getOrCreateTenant');
    let t = this.tenants.get(tenantId);
    if (!t) {
      t = { tenantId, externalId: newExternalId(), createdAt: this.now().toISOString() };
      this.tenants.set(tenantId, t);
      issuedExternalIds.add(t.externalId);
    }
    return { ...t };
  }

  async getTenant(tenantId: string): Promise<TenantRecord | undefined> {
    this.calls.push('getTenant');
    const t = this.tenants.get(tenantId);
    return t ? { ...t } : undefined;
  }

  async putRole(role: RoleRecord): Promise<void> {
    this.calls.push('putRole');
    this.roles.set(`${role.tenantId}|${role.roleArn}`, { ...role });
  }

  async getRole(tenantId: string, roleArn: string): Promise<RoleRecord | undefined> {
    this.calls.push('getRole');
    const r = this.roles.get(`${tenantId}|${roleArn}`);
    return r ? { ...r } : undefined;
  }

  async createCluster(record: ClusterRecord): Promise<void> {
    this.calls.push('createCluster');
    const key = clusterKey(record.tenantId, record.id);
    if (this.clusters.has(key)) return; // same id again: idempotent
    const claimKey = nameKey(record);
    const claim = this.claims.get(claimKey);
    if (claim && !(claim.id === record.id && claim.tenantId === record.tenantId)) {
      const holder = this.clusters.get(clusterKey(claim.tenantId, claim.id));
      if (holder && LIVE.has(holder.status)) throw nameInUse(record, holder);
    }
    this.claims.set(claimKey, { tenantId: record.tenantId, id: record.id });
    this.clusters.set(key, structuredClone(record));
  }

  async getCluster(tenantId: string, clusterId: string): Promise<ClusterRecord | undefined> {
    this.calls.push('getCluster');
    const r = this.clusters.get(clusterKey(tenantId, clusterId));
    return r ? structuredClone(r) : undefined;
  }

  async listClusters(
    tenantId: string,
    opts: { limit?: number; nextToken?: string } = {},
  ): Promise<Page<ClusterRecord>> {
    this.calls.push('listClusters');
    // The DynamoDB store's bounds and order: GSI1 sorts by `<createdAt>#<id>`, read backwards.
    const limit = Math.min(Math.max(Math.trunc(opts.limit ?? 50), 1), 100);
    const after = opts.nextToken ? decodeToken(opts.nextToken, tenantId) : undefined;
    const all = [...this.clusters.values()]
      .filter((c) => c.tenantId === tenantId)
      .map((c) => ({ c, sortKey: `${c.createdAt}#${c.id}` }))
      .sort((a, b) => (a.sortKey < b.sortKey ? 1 : a.sortKey > b.sortKey ? -1 : 0))
      .filter((x) => after === undefined || x.sortKey < after);
    const page = all.slice(0, limit);
    const items = page.map((x) => structuredClone(x.c));
    return all.length > limit ? { items, nextToken: encodeToken(tenantId, page[page.length - 1]!.sortKey) } : { items };
  }

  async updateCluster(
    tenantId: string,
    clusterId: string,
    patch: Partial<Omit<ClusterRecord, 'id' | 'tenantId'>>,
  ): Promise<void> {
    this.calls.push('updateCluster');
    const r = this.clusters.get(clusterKey(tenantId, clusterId));
    if (!r) throw new ClusterNotFoundError(tenantId, clusterId);
    this.patch(r, patch);
  }

  /** The DynamoDB store's SET: stamps updatedAt unless given, never moves createdAt, skips undefined fields. */
  private patch(r: ClusterRecord, patch: Partial<Omit<ClusterRecord, 'id' | 'tenantId'>>): void {
    const fields: Record<string, unknown> = {
      ...structuredClone(patch),
      updatedAt: patch.updatedAt ?? this.now().toISOString(),
    };
    // createdAt orders the listing; it never changes after creation. An undefined field is left as it was (as a SET without it).
    delete fields['createdAt'];
    for (const [k, v] of Object.entries(fields)) if (v !== undefined) (r as unknown as Record<string, unknown>)[k] = v;
  }

  async updateClusterIfVersion(
    tenantId: string,
    clusterId: string,
    expectedVersion: number,
    patch: Partial<Omit<ClusterRecord, 'id' | 'tenantId' | 'version'>>,
  ): Promise<boolean> {
    this.calls.push('updateClusterIfVersion');
    const r = this.clusters.get(clusterKey(tenantId, clusterId));
    // A missing record fails the condition like a moved-on one; records from before versions count as version 1.
    if (!r || recordVersion(r) !== expectedVersion) return false;
    this.patch(r, { ...patch, version: expectedVersion + 1 });
    return true;
  }

  async releaseName(record: Pick<ClusterRecord, 'id' | 'tenantId' | 'accountId' | 'region' | 'name'>): Promise<void> {
    this.calls.push('releaseName');
    const claimKey = nameKey(record);
    const claim = this.claims.get(claimKey);
    // Only this cluster's own claim: another cluster may have taken the name over since.
    if (claim && claim.id === record.id && claim.tenantId === record.tenantId) this.claims.delete(claimKey);
  }

  async getOrCreateSecret(name: string): Promise<string> {
    this.calls.push('getOrCreateSecret');
    if (!this.secrets.has(name)) this.secrets.set(name, randomBytes(32).toString('hex'));
    return this.secrets.get(name)!;
  }

  async putIdempotency(record: IdempotencyRecord): Promise<IdempotencyRecord> {
    this.calls.push('putIdempotency');
    return structuredClone(idempotency.putIdempotency(this.idempotency, structuredClone(record)));
  }

  async getIdempotency(tenantId: string, key: string): Promise<IdempotencyRecord | undefined> {
    this.calls.push('getIdempotency');
    const r = idempotency.getIdempotency(this.idempotency, tenantId, key);
    return r ? structuredClone(r) : undefined;
  }

  async updateIdempotency(
    record: IdempotencyRecord,
    expected: { id: string; attempt: number },
  ): Promise<IdempotencyRecord | undefined> {
    this.calls.push('updateIdempotency');
    const r = idempotency.updateIdempotency(this.idempotency, structuredClone(record), expected);
    return r ? structuredClone(r) : undefined;
  }
}

const clusterKey = (tenantId: string, clusterId: string) => `${tenantId}|${clusterId}`;
const nameKey = (r: Pick<ClusterRecord, 'accountId' | 'region' | 'name'>) => `${r.accountId}#${r.region}#${r.name}`;

function nameInUse(record: ClusterRecord, holder: ClusterRecord): DiagnosedError {
  return new DiagnosedError(
    makeDiagnosis('NAME_ALREADY_IN_USE', {
      clusterName: record.name,
      region: record.region,
      accountId: record.accountId,
      // Another tenant's cluster id is not theirs to see.
      detail:
        holder.tenantId === record.tenantId
          ? `your cluster ${holder.id} (status ${holder.status})`
          : 'another cluster being created or running',
    }),
  );
}

/** Page tokens: base64url JSON of the tenant and the last item's sort key (as the DynamoDB store's LastEvaluatedKey). */
function encodeToken(tenantId: string, after: string): string {
  return Buffer.from(JSON.stringify({ tenantId, after }), 'utf8').toString('base64url');
}

function decodeToken(token: string, tenantId: string): string {
  let k: { tenantId?: unknown; after?: unknown } | undefined;
  try {
    k = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as typeof k;
  } catch {
    k = undefined;
  }
  if (!k || typeof k !== 'object' || k.tenantId !== tenantId || typeof k.after !== 'string') {
    throw new DiagnosedError(
      makeDiagnosis(
        'VALIDATION_FAILED',
        {},
        { fields: [{ path: 'nextToken', message: 'is not a token this list returned: start again without it' }] },
      ),
    );
  }
  return k.after;
}
