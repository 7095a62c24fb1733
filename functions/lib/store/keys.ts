/**
 * The single-table layout. The store module and the state machine's DynamoDB tasks
 * (RecordRequest / RecordSucceeded / RecordFailed) both write these items, so the keys live here
 * and nowhere else.
 *
 * | item              | PK                                  | SK                    | GSI1PK                 | GSI1SK                 |
 * |-------------------|-------------------------------------|-----------------------|------------------------|------------------------|
 * | tenant            | TENANT#<tenantId>                   | TENANT                |                        |                        |
 * | registered role B | TENANT#<tenantId>                   | ROLE#<roleArn>        |                        |                        |
 * | cluster record    | TENANT#<tenantId>                   | CLUSTER#<clusterId>   | CLUSTERS#<tenantId>    | <createdAt>#<clusterId>|
 * | live name claim   | NAME#<accountId>#<region>#<name>    | NAME                  |                        |                        |
 * | idempotency key   | TENANT#<tenantId>                   | IDEMPOTENCY#<key>     |                        |                        |
 * | service secret    | SERVICE                             | SECRET#<name>         |                        |                        |
 *
 * GSI1 lists a tenant's clusters newest first (ScanIndexForward=false).
 *
 * RunningRuns is a sparse index of the cluster records a state machine run is working on right now
 * (the reconciler's work list, functions/reconcile-executions): only items carrying RUNPK are in it.
 *
 * | attribute         | value                                                                  |
 * |-------------------|------------------------------------------------------------------------|
 * | RUNPK             | `RUNNING` (one partition: running runs are few, and one Query reads them) |
 * | RUNSK             | `<run start, ISO-8601 UTC>#<tenantId>#<clusterId>` (oldest first)       |
 * | runKind           | `create` \| `delete` \| `update`: which machine's run                  |
 * | runExecutionArn   | the run's execution ARN (create runs of the API may lack it until the run records itself) |
 *
 * Who sets it: a run's first record write (store.createCluster and RecordRequest for `create`,
 * RecordDeleting for `delete`; an update run sets `runKind: update` the same way while the record
 * stays CREATED). Who removes it: the reconciler, once the run has ended and its end is recorded
 * (a record whose run ended normally leaves the index at the next sweep). Projection: keys and
 * the run attributes only; the reconciler reads the record itself (consistently) before acting.
 *
 * CreatedClusters is a sparse index of the CREATED cluster records (the daily support check's work
 * list, functions/support-check): only items carrying LIVEPK are in it, so its Query costs what is
 * alive, never the table's history.
 *
 * | attribute | value                                                                                 |
 * |-----------|---------------------------------------------------------------------------------------|
 * | LIVEPK    | `CREATED` (one partition: one Query reads every tenant's live clusters)                |
 * | LIVESK    | `<accountId>#<region>#<tenantId>#<clusterId>` (grouped by account and region)          |
 *
 * Who sets it: the write that records CREATED (completion.succeeded: RecordSucceeded, the local
 * resume and record-ended-execution all use it). Who removes it: RecordDeleting (CREATED → DELETING;
 * FAILED and DELETED only follow DELETING), and the support check for any record it finds there
 * that is no longer CREATED. Projection: ALL (the check needs the settings, outputs and reminders).
 */
export const TABLE_KEYS = {
  pk: 'PK',
  sk: 'SK',
  gsi1: 'GSI1',
  gsi1pk: 'GSI1PK',
  gsi1sk: 'GSI1SK',
  running: 'RunningRuns',
  runpk: 'RUNPK',
  runsk: 'RUNSK',
  created: 'CreatedClusters',
  livepk: 'LIVEPK',
  livesk: 'LIVESK',
} as const;

/** The value of LIVEPK on every CREATED record. */
export const CREATED_PARTITION = 'CREATED';

/** The attributes that put a CREATED record into CreatedClusters. */
export function createdMarker(c: {
  accountId?: string | null;
  region?: string | null;
  tenantId: string;
  clusterId: string;
}): Record<string, string> {
  return {
    [TABLE_KEYS.livepk]: CREATED_PARTITION,
    [TABLE_KEYS.livesk]: `${c.accountId ?? ''}#${c.region ?? ''}#${c.tenantId}#${c.clusterId}`,
  };
}

/** The value of RUNPK on every running record. */
export const RUNNING_PARTITION = 'RUNNING';
export type RunKind = 'create' | 'delete' | 'update';
/** Attributes the RunningRuns index projects besides the keys. */
export const RUN_ATTRIBUTES = ['runKind', 'runExecutionArn', 'tenantId', 'id'] as const;

/** The attributes that put a record into RunningRuns. */
export function runMarker(run: {
  kind: RunKind;
  startedAt: string;
  tenantId: string;
  clusterId: string;
  executionArn?: string;
}): Record<string, string> {
  return {
    [TABLE_KEYS.runpk]: RUNNING_PARTITION,
    [TABLE_KEYS.runsk]: `${run.startedAt}#${run.tenantId}#${run.clusterId}`,
    runKind: run.kind,
    ...(run.executionArn ? { runExecutionArn: run.executionArn } : {}),
  };
}

export const keys = {
  tenant: (tenantId: string) => ({ PK: `TENANT#${tenantId}`, SK: 'TENANT' }),
  role: (tenantId: string, roleArn: string) => ({ PK: `TENANT#${tenantId}`, SK: `ROLE#${roleArn}` }),
  cluster: (tenantId: string, clusterId: string) => ({ PK: `TENANT#${tenantId}`, SK: `CLUSTER#${clusterId}` }),
  clusterIndex: (tenantId: string, createdAt: string, clusterId: string) => ({
    GSI1PK: `CLUSTERS#${tenantId}`,
    GSI1SK: `${createdAt}#${clusterId}`,
  }),
  nameClaim: (accountId: string, region: string, name: string) => ({
    PK: `NAME#${accountId}#${region}#${name}`,
    SK: 'NAME',
  }),
  idempotency: (tenantId: string, key: string) => ({ PK: `TENANT#${tenantId}`, SK: `IDEMPOTENCY#${key}` }),
  // No tenant id can make this key: tenant items all start with TENANT#.
  secret: (name: string) => ({ PK: 'SERVICE', SK: `SECRET#${name}` }),
} as const;

/** DELETING while the delete state machine runs; DELETED when the stack is gone and the name is free. */
export type ClusterStatus = 'CREATING' | 'CREATED' | 'FAILED' | 'DELETING' | 'DELETED';
