/**
 * The end of a run, in the shapes the state machine's last steps need: the DynamoDB UpdateItem for
 * the record (already marshalled, because JSONPath cannot turn JSON into DynamoDB's attribute
 * format) and the EventBridge detail (durations need date arithmetic ASL has not got).
 * FinalizeCluster and DiagnoseFailure return this at `$.completion`.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Diagnosis } from '../diagnosis/types.js';
import type { ClusterOutputs, PollResult } from '../state.js';
import { createdMarker, keys } from '../store/keys.js';

/** The EventBridge detail both machines send, by the status they end (or start) in. */
export interface RunEventDetail<S extends string> {
  clusterId: string | null;
  tenantId: string | null;
  name: string | null;
  environmentScope: string | null;
  accountId: string | null;
  region: string | null;
  status: S;
  stackId: string | null;
  executionArn: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  durationSeconds: number | null;
  diagnosis?: Diagnosis;
}

export interface ProvisioningEventDetail extends RunEventDetail<'CREATING' | 'CREATED' | 'FAILED'> {
  outputs?: ClusterOutputs;
}

/** A conditional UpdateItem of the cluster record, marshalled (the state machine's DynamoDB task takes it as is). */
export interface RecordUpdate {
  Key: Record<string, AttributeValue>;
  UpdateExpression: string;
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, AttributeValue>;
}

export interface CompletionResult {
  status: 'CREATED' | 'FAILED';
  outputs?: ClusterOutputs;
  diagnosis?: Diagnosis;
  /** False when the run never learnt which record it belongs to (bad console input). */
  recordable: boolean;
  record: RecordUpdate | null;
  event: { detail: ProvisioningEventDetail };
}

/** What a run knows about itself at the end (any of it may be missing after an early failure). */
export interface RunFacts extends EndedRunFacts {
  stackId?: string;
  poll?: Partial<PollResult>;
  /**
   * The run failed before any record was made (invalid console input): create the FAILED record so
   * the tenant finds the run in GET /v1/clusters. Never overwrites another run's record.
   */
  recordIfMissing?: boolean;
}

export const EVENT_SOURCE = 'eks-provisioner';
export const DETAIL_TYPES = {
  started: 'EKS Cluster Provisioning Started',
  succeeded: 'EKS Cluster Provisioning Succeeded',
  failed: 'EKS Cluster Provisioning Failed',
} as const;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

function lowerFirst(s: string): string {
  return s ? s[0]!.toLowerCase() + s.slice(1) : s;
}

/**
 * Only the run that owns a CREATING record may finish it: a second execution for the same
 * cluster id (console re-run) cannot overwrite a result.
 */
const CONDITION =
  'attribute_exists(PK) AND #status = :creating AND (attribute_not_exists(#executionArn) OR #executionArn = :executionArn)';

function recordUpdate(facts: RunFacts, fields: Record<string, unknown>): RecordUpdate | null {
  if (!facts.tenantId || !facts.clusterId) return null;
  const names: Record<string, string> = { '#status': 'status', '#executionArn': 'executionArn' };
  const values: Record<string, unknown> = { ':creating': 'CREATING', ':executionArn': facts.executionArn ?? '' };
  const sets: string[] = [];
  const initialised = new Set<string>();
  if (facts.recordIfMissing) {
    // Everything a record made by the store has (keys, GSI1 for the tenant's listing), kept if it exists.
    const createdAt = facts.startedAt ?? String(fields['updatedAt'] ?? '');
    const init: Record<string, unknown> = {
      id: facts.clusterId,
      tenantId: facts.tenantId,
      entity: 'CLUSTER',
      ...keys.clusterIndex(facts.tenantId, createdAt, facts.clusterId),
      createdAt,
      name: facts.name ?? '(no name given)',
      environmentScope: facts.environmentScope ?? null,
      accountId: facts.accountId ?? null,
      region: facts.region ?? null,
      progress: { done: 0, total: 0 },
      executionArn: facts.executionArn ?? null,
    };
    for (const [k, v] of Object.entries(init)) {
      names[`#${k}`] = k;
      values[`:${k}`] = v;
      sets.push(`#${k} = if_not_exists(#${k}, :${k})`);
      initialised.add(k);
    }
  }
  return setUpdate(
    facts.tenantId,
    facts.clusterId,
    { names, values, sets },
    fields,
    facts.recordIfMissing ? `attribute_not_exists(PK) OR (${CONDITION})` : CONDITION,
    initialised,
  );
}

/**
 * The cluster record's UpdateItem, shared by provisioning and deletion: `#k = :k` for every defined
 * field not already set in `parts` (`skip`), under `condition`, marshalled for DynamoDB.
 */
export function setUpdate(
  tenantId: string,
  clusterId: string,
  parts: { names: Record<string, string>; values: Record<string, unknown>; sets: string[] },
  fields: Record<string, unknown>,
  condition: string,
  skip: ReadonlySet<string> = new Set(),
): RecordUpdate {
  const { names, values, sets } = parts;
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined || skip.has(k)) continue;
    names[`#${k}`] = k;
    values[`:${k}`] = v;
    sets.push(`#${k} = :${k}`);
  }
  return {
    Key: marshall(keys.cluster(tenantId, clusterId)),
    UpdateExpression: `SET ${sets.join(', ')}`,
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: marshall(values, { removeUndefinedValues: true, convertClassInstanceToMap: true }),
  };
}

/** What an ended run (provisioning or deletion) says about itself in its EventBridge detail. */
export interface EndedRunFacts {
  tenantId?: string;
  clusterId?: string;
  name?: string;
  environmentScope?: string;
  accountId?: string;
  region?: string;
  executionArn?: string;
  startedAt?: string;
}

/** The EventBridge detail common to both machines' ends; the duration is measured from `startedAt`. */
export function endedDetail<S extends string>(
  facts: EndedRunFacts,
  stackId: string | undefined,
  status: S,
  now: Date,
): RunEventDetail<S> & { finishedAt: string } {
  const started = facts.startedAt ? Date.parse(facts.startedAt) : NaN;
  return {
    clusterId: facts.clusterId ?? null,
    tenantId: facts.tenantId ?? null,
    name: facts.name ?? null,
    environmentScope: facts.environmentScope ?? null,
    accountId: facts.accountId ?? null,
    region: facts.region ?? null,
    status,
    stackId: stackId ?? null,
    executionArn: facts.executionArn ?? null,
    startedAt: facts.startedAt ?? null,
    finishedAt: now.toISOString(),
    durationSeconds: Number.isFinite(started) ? Math.max(0, Math.round((now.getTime() - started) / 1000)) : null,
  };
}

function detail(facts: RunFacts, status: 'CREATED' | 'FAILED', now: Date): ProvisioningEventDetail {
  return endedDetail(facts, facts.stackId, status, now);
}

export function succeeded(facts: RunFacts, outputs: ClusterOutputs, now: Date): CompletionResult {
  const total = facts.poll?.progress?.total;
  const record = recordUpdate(facts, {
    status: 'CREATED',
    phase: 'Cluster ready',
    ...(typeof total === 'number' ? { progress: { done: total, total } } : {}),
    ...(facts.stackId ? { stackId: facts.stackId } : {}),
    outputs,
    updatedAt: now.toISOString(),
    // Into CreatedClusters (keys.ts): the daily support check's work list.
    ...(facts.tenantId && facts.clusterId
      ? createdMarker({
          accountId: facts.accountId,
          region: facts.region,
          tenantId: facts.tenantId,
          clusterId: facts.clusterId,
        })
      : {}),
  });
  return {
    status: 'CREATED',
    outputs,
    recordable: record !== null,
    record,
    event: { detail: { ...detail(facts, 'CREATED', now), outputs } },
  };
}

export function failed(facts: RunFacts, diagnosis: Diagnosis, now: Date): CompletionResult {
  const last = str(facts.poll?.phase);
  const progress = facts.poll?.progress;
  const record = recordUpdate(facts, {
    status: 'FAILED',
    // "Failed while creating node group" (stopped mid-way) or the stack's own end ("Rolled back").
    phase: !last ? 'Failed' : facts.poll?.outcome === 'FAILED' ? last : `Failed while ${lowerFirst(last)}`,
    ...(progress && typeof progress.done === 'number' && typeof progress.total === 'number'
      ? { progress: { done: progress.done, total: progress.total } }
      : {}),
    ...(facts.stackId ? { stackId: facts.stackId } : {}),
    diagnosis,
    updatedAt: now.toISOString(),
  });
  return {
    status: 'FAILED',
    diagnosis,
    recordable: record !== null,
    record,
    event: { detail: { ...detail(facts, 'FAILED', now), diagnosis } },
  };
}
