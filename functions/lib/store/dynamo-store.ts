/**
 * The Store over one DynamoDB table (layout in keys.ts). Conditional writes where two requests can
 * race: the tenant's External ID is created once; a cluster name is claimed per account+region by
 * one live cluster; an idempotency key keeps its first answer.
 */
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  type NativeAttributeValue,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { loadConfig } from '../config.js';
import { makeDiagnosis } from '../diagnosis/catalog.js';
import { DiagnosedError } from '../errors.js';
import { isConditionFailure } from './condition-failure.js';
import { keys, type RunKind, runMarker, TABLE_KEYS } from './keys.js';
import type { ClusterRecord, IdempotencyRecord, Page, RoleRecord, Store, TenantRecord } from './types.js';

type Item = Record<string, NativeAttributeValue>;

/** External IDs: 20 random bytes = 40 hex characters (AWS accepts 2–1224 of [\w+=,.@:/-]). */
export function newExternalId(): string {
  return randomBytes(20).toString('hex');
}

/** Idempotency answers are kept a day (the table's TTL attribute is `expiresAt`). */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;
export const TTL_ATTRIBUTE = 'expiresAt';

const KEY_ATTRS = [
  TABLE_KEYS.pk,
  TABLE_KEYS.sk,
  TABLE_KEYS.gsi1pk,
  TABLE_KEYS.gsi1sk,
  TABLE_KEYS.runpk,
  TABLE_KEYS.runsk,
  'runKind',
  'runExecutionArn',
  'entity',
  TTL_ATTRIBUTE,
];

/** An idempotency record as stored: its keys, and its expiry a day after it was first written. */
function idempotencyItem(record: IdempotencyRecord): Item {
  const expiresAt = Math.floor(Date.parse(record.createdAt) / 1000) + IDEMPOTENCY_TTL_SECONDS;
  return {
    ...keys.idempotency(record.tenantId, record.key),
    entity: 'IDEMPOTENCY',
    ...record,
    [TTL_ATTRIBUTE]: expiresAt,
  };
}

function strip<T>(item: Item | undefined): T | undefined {
  if (!item) return undefined;
  const out: Item = { ...item };
  for (const k of KEY_ATTRS) delete out[k];
  return out as T;
}

/** Raised when updateCluster targets a record that does not exist. */
export class ClusterNotFoundError extends Error {
  override readonly name = 'ClusterNotFound';
  constructor(
    readonly tenantId: string,
    readonly clusterId: string,
  ) {
    super(`No cluster ${clusterId} for tenant ${tenantId}`);
  }
}

/** Live statuses hold a name (a cluster being deleted still exists); a FAILED or DELETED cluster's claim may be taken over. */
const LIVE = new Set(['CREATING', 'CREATED', 'DELETING']);
/** How long a claim without its cluster record still counts as live. */
const CLAIM_GRACE_MS = 60_000;

export class DynamoStore implements Store {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async getOrCreateTenant(tenantId: string): Promise<TenantRecord> {
    const record: TenantRecord = { tenantId, externalId: newExternalId(), createdAt: this.now().toISOString() };
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.tenant(tenantId), entity: 'TENANT', ...record },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
      return record;
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      const existing = await this.getTenant(tenantId);
      if (!existing) throw err;
      return existing;
    }
  }

  async getTenant(tenantId: string): Promise<TenantRecord | undefined> {
    return strip<TenantRecord>(await this.get(keys.tenant(tenantId)));
  }

  async putRole(role: RoleRecord): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.role(role.tenantId, role.roleArn), entity: 'ROLE', ...role },
      }),
    );
  }

  async getRole(tenantId: string, roleArn: string): Promise<RoleRecord | undefined> {
    return strip<RoleRecord>(await this.get(keys.role(tenantId, roleArn)));
  }

  /**
   * Claim first, record second, each a conditional put (no transactions: the local emulator,
   * dynalite, has none). A claim whose owner record is missing is treated as live for a minute
   * (its owner may be between the two writes), then as abandoned.
   */
  async createCluster(record: ClusterRecord): Promise<void> {
    const claimKey = keys.nameClaim(record.accountId, record.region, record.name);
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await this.getClusterItem(record.tenantId, record.id)) return; // same id again: idempotent

      const claim = await this.get(claimKey);
      const values: Item = { ':me': record.id, ':tenant': record.tenantId };
      let condition = 'attribute_not_exists(PK) OR (clusterId = :me AND tenantId = :tenant)';
      if (claim && !(claim.clusterId === record.id && claim.tenantId === record.tenantId)) {
        const owner = await this.getClusterItem(String(claim.tenantId), String(claim.clusterId));
        const ownerLive = owner
          ? LIVE.has(String(owner.status))
          : this.now().getTime() - Date.parse(String(claim.claimedAt)) < CLAIM_GRACE_MS;
        if (ownerLive) throw this.nameInUse(record, owner);
        // Owner FAILED (or abandoned): take the claim over, unless someone else does it first.
        condition = 'clusterId = :prevCluster AND tenantId = :prevTenant';
        values[':prevCluster'] = claim.clusterId;
        values[':prevTenant'] = claim.tenantId;
        delete values[':me'];
        delete values[':tenant'];
      }
      try {
        await this.doc.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              ...claimKey,
              entity: 'NAME',
              tenantId: record.tenantId,
              clusterId: record.id,
              name: record.name,
              accountId: record.accountId,
              region: record.region,
              claimedAt: this.now().toISOString(),
            },
            ConditionExpression: condition,
            ExpressionAttributeValues: values,
          }),
        );
      } catch (err) {
        if (isConditionFailure(err)) continue; // the claim changed under us: look again
        throw err;
      }
      try {
        await this.doc.send(
          new PutCommand({
            TableName: this.tableName,
            Item: this.clusterItem(record),
            ConditionExpression: 'attribute_not_exists(PK)',
          }),
        );
      } catch (err) {
        if (!isConditionFailure(err)) throw err; // else: a concurrent call with the same id wrote it
      }
      return;
    }
    // Still contested after three looks: report who holds the name now.
    const claim = await this.get(claimKey);
    const owner = claim ? await this.getClusterItem(String(claim.tenantId), String(claim.clusterId)) : undefined;
    throw this.nameInUse(record, owner);
  }

  async getCluster(tenantId: string, clusterId: string): Promise<ClusterRecord | undefined> {
    return strip<ClusterRecord>(await this.getClusterItem(tenantId, clusterId));
  }

  async listClusters(
    tenantId: string,
    opts: { limit?: number; nextToken?: string } = {},
  ): Promise<Page<ClusterRecord>> {
    const gsiPk = keys.clusterIndex(tenantId, '', '').GSI1PK;
    const limit = Math.min(Math.max(Math.trunc(opts.limit ?? 50), 1), 100);
    const startKey = opts.nextToken ? decodeToken(opts.nextToken, gsiPk) : undefined;
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: TABLE_KEYS.gsi1,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': TABLE_KEYS.gsi1pk },
        ExpressionAttributeValues: { ':pk': gsiPk },
        ScanIndexForward: false,
        Limit: limit,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    const items = (out.Items ?? []).map((i) => strip<ClusterRecord>(i) as ClusterRecord);
    return { items, ...(out.LastEvaluatedKey ? { nextToken: encodeToken(out.LastEvaluatedKey) } : {}) };
  }

  async updateCluster(
    tenantId: string,
    clusterId: string,
    patch: Partial<Omit<ClusterRecord, 'id' | 'tenantId'>>,
  ): Promise<void> {
    const fields: Item = { ...patch, updatedAt: patch.updatedAt ?? this.now().toISOString() };
    // createdAt feeds the list index; it never changes after creation.
    delete fields.createdAt;
    const sets: string[] = [];
    const names: Record<string, string> = {};
    const values: Item = {};
    Object.entries(fields).forEach(([k, v], i) => {
      if (v === undefined) return;
      names[`#f${i}`] = k;
      values[`:v${i}`] = v;
      sets.push(`#f${i} = :v${i}`);
    });
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.cluster(tenantId, clusterId),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (err) {
      if (isConditionFailure(err)) throw new ClusterNotFoundError(tenantId, clusterId);
      throw err;
    }
  }

  async updateClusterIfVersion(
    tenantId: string,
    clusterId: string,
    expectedVersion: number,
    patch: Partial<Omit<ClusterRecord, 'id' | 'tenantId' | 'version'>>,
    run?: { kind: RunKind; startedAt: string; executionArn?: string },
  ): Promise<boolean> {
    const fields: Item = {
      ...patch,
      updatedAt: patch.updatedAt ?? this.now().toISOString(),
      version: expectedVersion + 1,
      ...(run ? runMarker({ ...run, tenantId, clusterId }) : {}),
    };
    delete fields.createdAt;
    const sets: string[] = [];
    const names: Record<string, string> = { '#ver': 'version' };
    const values: Item = { ':expected': expectedVersion };
    Object.entries(fields).forEach(([k, v], i) => {
      if (v === undefined) return;
      names[`#f${i}`] = k;
      values[`:v${i}`] = v;
      sets.push(`#f${i} = :v${i}`);
    });
    // Records from before versions existed count as version 1.
    const versionMatches =
      expectedVersion === 1 ? '(attribute_not_exists(#ver) OR #ver = :expected)' : '#ver = :expected';
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.cluster(tenantId, clusterId),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: `attribute_exists(PK) AND ${versionMatches}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  async releaseName(record: Pick<ClusterRecord, 'id' | 'tenantId' | 'accountId' | 'region' | 'name'>): Promise<void> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: keys.nameClaim(record.accountId, record.region, record.name),
          // Only this cluster's own claim: another cluster may have taken the name over since.
          ConditionExpression: 'clusterId = :me AND tenantId = :tenant',
          ExpressionAttributeValues: { ':me': record.id, ':tenant': record.tenantId },
        }),
      );
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
  }

  async putIdempotency(record: IdempotencyRecord): Promise<IdempotencyRecord> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: idempotencyItem(record),
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
      return record;
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      const existing = await this.getIdempotency(record.tenantId, record.key);
      if (!existing) throw err;
      return existing;
    }
  }

  async getOrCreateSecret(name: string): Promise<string> {
    const existing = await this.get(keys.secret(name));
    if (typeof existing?.value === 'string') return existing.value;
    const value = randomBytes(32).toString('hex');
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.secret(name), entity: 'SECRET', value, createdAt: this.now().toISOString() },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
      return value;
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      // Another container made it first: use theirs.
      const theirs = await this.get(keys.secret(name));
      if (typeof theirs?.value !== 'string') throw err;
      return theirs.value;
    }
  }

  async updateIdempotency(
    record: IdempotencyRecord,
    expected: { id: string; attempt: number },
  ): Promise<IdempotencyRecord | undefined> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: idempotencyItem(record),
          // Scalars only: DynamoDB compares maps in conditions no better than by their parts.
          ConditionExpression:
            '#body.#pending = :true AND #body.#id = :id AND #body.#attempt = :attempt AND requestHash = :hash',
          ExpressionAttributeNames: { '#body': 'body', '#pending': 'pending', '#id': 'id', '#attempt': 'attempt' },
          ExpressionAttributeValues: {
            ':true': true,
            ':id': expected.id,
            ':attempt': expected.attempt,
            ':hash': record.requestHash,
          },
        }),
      );
      return record;
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      return this.getIdempotency(record.tenantId, record.key);
    }
  }

  async getIdempotency(tenantId: string, key: string): Promise<IdempotencyRecord | undefined> {
    return strip<IdempotencyRecord>(await this.get(keys.idempotency(tenantId, key)));
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private async get(key: { PK: string; SK: string }): Promise<Item | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    return out.Item;
  }

  private getClusterItem(tenantId: string, clusterId: string): Promise<Item | undefined> {
    return this.get(keys.cluster(tenantId, clusterId));
  }

  private clusterItem(record: ClusterRecord): Item {
    return {
      ...keys.cluster(record.tenantId, record.id),
      ...keys.clusterIndex(record.tenantId, record.createdAt, record.id),
      entity: 'CLUSTER',
      ...record,
      // A CREATING record is a run's work from its first write: the reconciler must see it even if the run never records itself.
      ...(record.status === 'CREATING'
        ? runMarker({
            kind: 'create',
            startedAt: record.createdAt,
            tenantId: record.tenantId,
            clusterId: record.id,
            ...(record.executionArn ? { executionArn: record.executionArn } : {}),
          })
        : {}),
    };
  }

  private nameInUse(record: ClusterRecord, owner: Item | undefined): DiagnosedError {
    const sameTenant = owner && owner.tenantId === record.tenantId;
    return new DiagnosedError(
      makeDiagnosis('NAME_ALREADY_IN_USE', {
        clusterName: record.name,
        region: record.region,
        accountId: record.accountId,
        // Another tenant's cluster id is not theirs to see.
        detail: sameTenant
          ? `your cluster ${String(owner.id)} (status ${String(owner.status)})`
          : 'another cluster being created or running',
      }),
    );
  }
}

/** Page tokens: base64url JSON of DynamoDB's LastEvaluatedKey, checked to belong to this tenant. */
function encodeToken(key: Item): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

function decodeToken(token: string, gsiPk: string): Item {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  const k = key as Item | undefined;
  if (
    !k ||
    typeof k !== 'object' ||
    k[TABLE_KEYS.gsi1pk] !== gsiPk ||
    typeof k[TABLE_KEYS.pk] !== 'string' ||
    typeof k[TABLE_KEYS.sk] !== 'string'
  ) {
    throw new DiagnosedError(
      makeDiagnosis(
        'VALIDATION_FAILED',
        {},
        { fields: [{ path: 'nextToken', message: 'is not a token this list returned: start again without it' }] },
      ),
    );
  }
  return {
    [TABLE_KEYS.pk]: k[TABLE_KEYS.pk],
    [TABLE_KEYS.sk]: k[TABLE_KEYS.sk],
    [TABLE_KEYS.gsi1pk]: k[TABLE_KEYS.gsi1pk],
    [TABLE_KEYS.gsi1sk]: k[TABLE_KEYS.gsi1sk],
  };
}

/** A DocumentClient with the marshalling the records need (undefined fields dropped). */
export function documentClient(
  client: DynamoDBClient = new DynamoDBClient({ maxAttempts: 3 }),
): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true },
  });
}

let shared: DynamoStore | undefined;
/** The store the handlers use: table from config, endpoint/region from the environment. */
export function defaultStore(): DynamoStore {
  shared ??= new DynamoStore(documentClient(), loadConfig().tableName);
  return shared;
}
