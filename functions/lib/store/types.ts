/**
 * What the service remembers, per tenant. Implemented over DynamoDB (store/dynamo-store.ts) with
 * the layout in store/keys.ts. Tenants are isolated by key: every call takes the tenant id.
 */
import type { Diagnosis } from '../diagnosis/types.js';
import type { ClusterSettings } from '../schema/cluster-settings.js';
import type { ClusterOutputs } from '../state.js';
import type { SupportDates } from '../support/support-window.js';
import type { ClusterStatus, RunKind } from './keys.js';

export interface TenantRecord {
  tenantId: string;
  externalId: string;
  createdAt: string;
}

export interface RoleRecord {
  tenantId: string;
  roleArn: string;
  region: string;
  accountId: string;
  registeredAt: string;
}

export interface ClusterRecord {
  id: string;
  tenantId: string;
  name: string;
  environmentScope: string;
  accountId: string;
  region: string;
  status: ClusterStatus;
  /** What is happening now, in words ("Creating control plane"). */
  phase: string;
  progress: { done: number; total: number };
  settings: ClusterSettings;
  executionArn?: string;
  stackId?: string;
  outputs?: ClusterOutputs;
  diagnosis?: Diagnosis;
  /** When the last deletion was accepted (status DELETING): its progress and elapsed time count from here. */
  deletionStartedAt?: string;
  /** When the stack was found gone (status DELETED). */
  deletedAt?: string;
  /**
   * Set by record-ended-execution when it ended the record: false until its Failed event was
   * accepted by EventBridge, with the event kept in `pendingEndedEvent` so a retry can send it.
   */
  endedEventPublished?: boolean;
  pendingEndedEvent?: PendingEndedEvent;
  /**
   * Optimistic concurrency: bumped by every change of the settings (PATCH starting an update, the
   * update's end). Absent on records made before updates existed: read it through `recordVersion`.
   * The API shows it as the ETag; `If-Match` with another value is 412.
   */
  version?: number;
  /** The last (or running) update; `status` stays CREATED while it runs. */
  update?: ClusterUpdate;
  /** The version's support dates when the daily support check last looked (functions/support-check). */
  supportDates?: SupportDates;
  /** "Support Ending" reminders already sent, `<endsAt>#<days>` (a string set, added conditionally). */
  supportRemindersSent?: string[];
  createdAt: string;
  updatedAt: string;
}

/** A settings update of a CREATED cluster (PATCH /v1/clusters/{id}) as the record shows it. */
export interface ClusterUpdate {
  /** RUNNING until the update run ends; then SUCCEEDED or FAILED (the cluster is as `diagnosis` says). */
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  /** What is happening now, in words. */
  phase: string;
  /** The changed settings: before → after. */
  from: Record<string, unknown>;
  to: Record<string, unknown>;
  startedAt: string;
  finishedAt?: string;
  /** Stack resources done / to do in the change set. */
  resources: { done: number; total: number };
  /** The update run (the reconciler settles records whose run has ended). */
  executionArn: string;
  diagnosis?: Diagnosis;
  /** The update's stages and how each ended (a version upgrade: control plane, then nodes). */
  stages?: Array<{ name: string; title: string; status: 'SUCCEEDED' | 'FAILED' | 'NOT_STARTED' }>;
  /** What the cluster runs once a failed update has ended (a completed stage stays). */
  versions?: { controlPlane: string; nodegroup: string };
}

/** A record's version: 1 for records written before versions existed. */
export const recordVersion = (r: Pick<ClusterRecord, 'version'>): number => r.version ?? 1;

/** An event stored on the record until it is published (record-ended-execution). */
export interface PendingEndedEvent {
  detailType: string;
  /** The EventBridge detail as sent (RunEventDetail: clusterId, executionArn, status, diagnosis, …). */
  detail: { executionArn: string | null; diagnosis?: Diagnosis };
}

export interface IdempotencyRecord {
  tenantId: string;
  key: string;
  /** Hash of the request body: the same key with another body is a client error. */
  requestHash: string;
  statusCode: number;
  body: unknown;
  createdAt: string;
}

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

export interface Store {
  /** The tenant's External ID, created (cryptographically random, ≥32 hex chars) on first call, stable after. */
  getOrCreateTenant(tenantId: string): Promise<TenantRecord>;
  /** Undefined when the tenant never called setup (no External ID yet). */
  getTenant(tenantId: string): Promise<TenantRecord | undefined>;

  putRole(role: RoleRecord): Promise<void>;
  getRole(tenantId: string, roleArn: string): Promise<RoleRecord | undefined>;

  /**
   * Creates the cluster record (status CREATING) and claims its name in account+region.
   * Throws a NAME_ALREADY_IN_USE DiagnosedError when a live (CREATING/CREATED) record of any tenant
   * holds the name; reclaims a claim whose cluster FAILED. Idempotent for the same cluster id.
   */
  createCluster(record: ClusterRecord): Promise<void>;
  getCluster(tenantId: string, clusterId: string): Promise<ClusterRecord | undefined>;
  /** Newest first; `nextToken` is opaque to callers. */
  listClusters(tenantId: string, opts?: { limit?: number; nextToken?: string }): Promise<Page<ClusterRecord>>;
  updateCluster(
    tenantId: string,
    clusterId: string,
    patch: Partial<Omit<ClusterRecord, 'id' | 'tenantId'>>,
  ): Promise<void>;
  /**
   * Writes `patch` and `version = expectedVersion + 1` only while the record's version is still
   * `expectedVersion` (optimistic concurrency). False when another change got there first.
   */
  updateClusterIfVersion(
    tenantId: string,
    clusterId: string,
    expectedVersion: number,
    patch: Partial<Omit<ClusterRecord, 'id' | 'tenantId' | 'version'>>,
    /** Puts the record into RunningRuns for this run in the same write (an update run: `kind: 'update'`). */
    run?: { kind: RunKind; startedAt: string; executionArn?: string },
  ): Promise<boolean>;
  /** Drops the cluster's name claim (its stack is gone); a claim another cluster has taken over stays. */
  releaseName(record: Pick<ClusterRecord, 'id' | 'tenantId' | 'accountId' | 'region' | 'name'>): Promise<void>;

  /**
   * A service-wide secret (hex, 256 random bits) made on first use and stable after: the first
   * writer wins, every container reads the same one (e.g. the page-token MAC key).
   */
  getOrCreateSecret(name: string): Promise<string>;

  /** Stores the first response for a key; returns the existing one instead if the key was seen. */
  putIdempotency(record: IdempotencyRecord): Promise<IdempotencyRecord>;
  getIdempotency(tenantId: string, key: string): Promise<IdempotencyRecord | undefined>;
  /**
   * Replaces a key's record only while it is still pending with this cluster id and attempt
   * (pending → the answer, or → a new attempt); returns what the key holds afterwards.
   */
  updateIdempotency(
    record: IdempotencyRecord,
    expected: { id: string; attempt: number },
  ): Promise<IdempotencyRecord | undefined>;
}
