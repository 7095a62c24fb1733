/**
 * ValidateRequest: the state machine's input → normalised settings, a cluster id, the cluster
 * record (which also claims the name). The External ID is looked up here only to fail early with a
 * clear message; it is never returned (later steps read it from the store themselves).
 */

import { externalIdOf } from '../lib/aws/tenant-role.js';
import { clusterIdForExecution } from '../lib/cluster-ids.js';
import type { ServiceConfig } from '../lib/config.js';
import { makeDiagnosis } from '../lib/diagnosis/catalog.js';
import type { FieldProblem } from '../lib/diagnosis/types.js';
import { DiagnosedError } from '../lib/errors.js';
import { accountIdOf, parseClusterSettings, STACK_NAME_PREFIX } from '../lib/schema/cluster-settings.js';
import type { ProvisionInput, ValidatedRequest } from '../lib/state.js';
import type { ClusterRecord, Store } from '../lib/store/types.js';

/** What the state machine passes: `$` as input plus the execution's id and start time. */
export interface ValidateRequestEvent {
  input: ProvisionInput;
  executionArn: string;
  startedAt: string;
}

export interface ValidateRequestDeps {
  store: Store;
  config: Pick<ServiceConfig, 'roleNamePrefix'>;
  now: () => Date;
  newId: () => string;
}

/** Cluster ids double as Step Functions execution names: ≤80 of [A-Za-z0-9_-]. */
export const CLUSTER_ID_RE = /^[A-Za-z0-9_-]{1,80}$/;
/**
 * Tenant ids go into partition keys only (`TENANT#<id>`, ≤ 2048 bytes): keep them printable and
 * free of '#'. As long as any id the API hands out: an IAM user or role ARN with a path runs to
 * ~620 characters (path ≤ 512, name ≤ 64), a local X-Tenant-Id to 256.
 */
export const TENANT_ID_MAX = 1024;
export const TENANT_ID_RE = new RegExp(String.raw`^[\x21-\x22\x24-\x7E]{1,${TENANT_ID_MAX}}$`);

export { clusterIdForExecution, newClusterId } from '../lib/cluster-ids.js';

export function stackNameFor(clusterName: string): string {
  return `${STACK_NAME_PREFIX}${clusterName}`;
}

function invalid(fields: FieldProblem[]): DiagnosedError {
  return new DiagnosedError(makeDiagnosis('VALIDATION_FAILED', {}, { fields }));
}

export async function validateRequest(
  event: ValidateRequestEvent,
  deps: ValidateRequestDeps,
): Promise<ValidatedRequest> {
  const input = (event?.input ?? {}) as Partial<ProvisionInput>;
  const envelope: FieldProblem[] = [];
  if (typeof input.tenantId !== 'string' || !TENANT_ID_RE.test(input.tenantId)) {
    envelope.push({
      path: 'tenantId',
      message: `is required: the tenant the cluster belongs to (printable text without "#", at most ${TENANT_ID_MAX} characters)`,
    });
  }
  if (input.clusterId !== undefined && (typeof input.clusterId !== 'string' || !CLUSTER_ID_RE.test(input.clusterId))) {
    envelope.push({
      path: 'clusterId',
      message: 'must be 1–80 letters, digits, "-" or "_" (it names the execution), or be left out to get a new one',
    });
  }
  const parsed = parseClusterSettings(input.cluster, { roleNamePrefix: deps.config.roleNamePrefix });
  if (!parsed.ok) {
    // Settings fields are reported under `cluster.` so envelope and settings problems read alike.
    const fields = [
      ...envelope,
      ...(parsed.diagnosis.fields ?? []).map((f) => ({
        ...f,
        path: f.path === 'cluster' ? f.path : `cluster.${f.path}`,
      })),
    ];
    throw new DiagnosedError({
      ...makeDiagnosis('VALIDATION_FAILED', parsed.diagnosis.evidence ?? {}, { fields }),
      ...(parsed.diagnosis.problems ? { problems: parsed.diagnosis.problems } : {}),
    });
  }
  if (envelope.length) throw invalid(envelope);

  const tenantId = input.tenantId as string;
  const settings = parsed.settings;
  await externalIdOf(deps.store, tenantId); // no External ID → "call GET /v1/setup" diagnosis

  const clusterId = input.clusterId ?? (event.executionArn ? clusterIdForExecution(event.executionArn) : deps.newId());
  const accountId = accountIdOf(settings.provisionRoleArn) as string; // the schema checked the ARN
  const at = deps.now().toISOString();
  const record: ClusterRecord = {
    id: clusterId,
    tenantId,
    name: settings.name,
    environmentScope: settings.environmentScope,
    accountId,
    region: settings.region,
    status: 'CREATING',
    phase: 'Checking the request',
    progress: { done: 0, total: 0 },
    settings,
    executionArn: event.executionArn,
    createdAt: at,
    updatedAt: at,
  };
  // Claims the name in account+region; idempotent for the same id (API-started executions
  // already made the record, console executions get one here).
  await deps.store.createCluster(record);

  return {
    tenantId,
    clusterId,
    cluster: settings,
    accountId,
    region: settings.region,
    stackName: stackNameFor(settings.name),
    executionArn: event.executionArn,
    startedAt: event.startedAt,
    ...(typeof input.resumeOf === 'string' && input.resumeOf ? { resumeOf: input.resumeOf } : {}),
  };
}
