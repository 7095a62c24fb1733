/**
 * An in-memory Store for handler tests (the DynamoDB implementation has its own tests against
 * dynalite). Same name-claim rule: live (CREATING/CREATED) clusters hold a name per account+region.
 */
import { randomBytes } from 'node:crypto';
import { makeDiagnosis } from '../../../functions/lib/diagnosis/catalog.js';
import { DiagnosedError } from '../../../functions/lib/errors.js';
import * as idempotency from '../../support/memory-idempotency.js';
import type { ClusterRecord, IdempotencyRecord, Page, RoleRecord, Store, TenantRecord } from '../../../functions/lib/store/types.js';

export class MemoryStore implements Store {
  tenants = new Map<string, TenantRecord>();
  roles = new Map<string, RoleRecord>();
  clusters = new Map<string, ClusterRecord>();
  idem = new Map<string, IdempotencyRecord>();

  withTenant(tenantId: string, externalId: string): this {
    this.tenants.set(tenantId, { tenantId, externalId, createdAt: '2026-01-01T00:00:00.000Z' });
    return this;
  }
  async getOrCreateTenant(tenantId: string): Promise<TenantRecord> {
    if (!this.tenants.has(tenantId)) this.withTenant(tenantId, 'f'.repeat(40));
    return this.tenants.get(tenantId) as TenantRecord;
  }
  async getTenant(tenantId: string) {
    return this.tenants.get(tenantId);
  }
  async putRole(role: RoleRecord) {
    this.roles.set(`${role.tenantId}|${role.roleArn}`, role);
  }
  async getRole(tenantId: string, roleArn: string) {
    return this.roles.get(`${tenantId}|${roleArn}`);
  }
  async createCluster(record: ClusterRecord) {
    const key = `${record.tenantId}|${record.id}`;
    if (this.clusters.has(key)) return;
    const holder = [...this.clusters.values()].find(
      (c) => c.name === record.name && c.accountId === record.accountId && c.region === record.region && c.status !== 'FAILED' && c.status !== 'DELETED',
    );
    if (holder) throw new DiagnosedError(makeDiagnosis('NAME_ALREADY_IN_USE', { clusterName: record.name, region: record.region, accountId: record.accountId }));
    this.clusters.set(key, structuredClone(record));
  }
  async releaseName() {
    // Claims are derived from the records here: a DELETED record holds no name.
  }
  async getCluster(tenantId: string, clusterId: string) {
    return this.clusters.get(`${tenantId}|${clusterId}`);
  }
  async listClusters(tenantId: string): Promise<Page<ClusterRecord>> {
    return { items: [...this.clusters.values()].filter((c) => c.tenantId === tenantId).sort((a, b) => b.createdAt.localeCompare(a.createdAt)) };
  }
  async updateCluster(tenantId: string, clusterId: string, patch: Partial<ClusterRecord>) {
    const c = this.clusters.get(`${tenantId}|${clusterId}`);
    if (!c) throw new Error('not found');
    Object.assign(c, patch);
  }
  async updateClusterIfVersion(tenantId: string, clusterId: string, expectedVersion: number, patch: Partial<ClusterRecord>) {
    const r = this.clusters.get(`${tenantId}|${clusterId}`);
    if (!r) throw new Error('not found');
    if ((r.version ?? 1) !== expectedVersion) return false;
    Object.assign(r, patch, { version: expectedVersion + 1 });
    return true;
  }
  async putIdempotency(record: IdempotencyRecord) {
    return idempotency.putIdempotency(this.idem, record);
  }
  secrets = new Map<string, string>();
  async getOrCreateSecret(name: string) {
    if (!this.secrets.has(name)) this.secrets.set(name, randomBytes(32).toString('hex'));
    return this.secrets.get(name)!;
  }
  async updateIdempotency(record: IdempotencyRecord, expected: { id: string; attempt: number }) {
    return idempotency.updateIdempotency(this.idem, record, expected);
  }
  async getIdempotency(tenantId: string, key: string) {
    return idempotency.getIdempotency(this.idem, tenantId, key);
  }
}
