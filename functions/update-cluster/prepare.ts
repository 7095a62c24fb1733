/**
 * PrepareUpdate: the run's first step. Reads the record and checks this execution is the update the
 * API started (a stale or duplicate run changes nothing), then shapes the document the provisioning
 * steps read. Returns the Started event detail too.
 */
import { makeDiagnosis } from '../lib/diagnosis/catalog.js';
import { DiagnosedError } from '../lib/errors.js';
import type { UpdateInput } from '../lib/state.js';
import type { Store } from '../lib/store/types.js';
import { STACK_NAME_PREFIX } from '../lib/template/constants.js';
import type { UpdateRun } from '../lib/update/run.js';

export type PrepareUpdateEvent = UpdateInput & { executionArn: string; startedAt: string };

export interface UpdateEventDetail {
  clusterId: string;
  tenantId: string;
  name: string;
  environmentScope: string;
  accountId: string;
  region: string;
  status: 'UPDATING' | 'UPDATED' | 'UPDATE_FAILED';
  stackId: string | null;
  executionArn: string;
  startedAt: string;
  finishedAt: string | null;
  durationSeconds: number | null;
  /** The changed settings before → after. */
  from: Record<string, unknown>;
  to: Record<string, unknown>;
  diagnosis?: unknown;
}

export async function prepareUpdate(
  input: PrepareUpdateEvent,
  deps: { store: Store },
): Promise<UpdateRun & { event: { detail: UpdateEventDetail } }> {
  const record = await deps.store.getCluster(input.tenantId, input.clusterId);
  const mine = record?.update?.executionArn === input.executionArn && record.update.status === 'RUNNING';
  if (!record || !mine || !record.stackId) {
    throw new DiagnosedError(
      makeDiagnosis('UNKNOWN', {
        clusterId: input.clusterId,
        detail: !record
          ? 'the cluster record does not exist'
          : !record.stackId
            ? 'the cluster has no stack'
            : 'this execution is not the update the record is waiting for (a newer change replaced it, or it was started by hand)',
      }),
    );
  }
  const liveVersion = record.outputs?.kubernetesVersion || record.settings.kubernetesVersion || '';
  const run: UpdateRun = {
    tenantId: input.tenantId,
    clusterId: input.clusterId,
    cluster: input.settings,
    accountId: record.accountId,
    region: record.region,
    stackName: `${STACK_NAME_PREFIX}${record.name}`,
    executionArn: input.executionArn,
    startedAt: input.startedAt,
    stack: {
      stackId: record.stackId,
      stackName: `${STACK_NAME_PREFIX}${record.name}`,
      createdAt: input.startedAt,
      adopted: true,
    },
    update: {
      version: input.version,
      from: record.update!.from,
      to: record.update!.to,
      changes: input.changes,
      force: input.force,
      liveVersion,
    },
  };
  return { ...run, event: { detail: eventDetail(run, 'UPDATING', undefined) } };
}

export function eventDetail(
  run: UpdateRun,
  status: UpdateEventDetail['status'],
  now: Date | undefined,
  diagnosis?: unknown,
): UpdateEventDetail {
  const finishedAt = now ? now.toISOString() : null;
  return {
    clusterId: run.clusterId,
    tenantId: run.tenantId,
    name: run.cluster.name,
    environmentScope: run.cluster.environmentScope,
    accountId: run.accountId,
    region: run.region,
    status,
    stackId: run.stack?.stackId ?? null,
    executionArn: run.executionArn,
    startedAt: run.startedAt,
    finishedAt,
    durationSeconds: now ? Math.max(0, Math.round((now.getTime() - Date.parse(run.startedAt)) / 1000)) : null,
    from: run.update.from,
    to: run.update.to,
    ...(diagnosis ? { diagnosis } : {}),
  };
}
