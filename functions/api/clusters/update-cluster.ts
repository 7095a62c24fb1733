/**
 * PATCH /v1/clusters/{id}: a JSON merge patch of the settings (lib/update/patch.ts).
 *
 * - `?dryRun=true` answers the plan (lib/update/plan.ts) and changes nothing.
 * - `If-Match: "<version>"` (the record's ETag): another version is 412, nothing changes.
 * - A patch that changes nothing is 200, no execution.
 * - A cluster that is not CREATED, or whose update is still running, is 409 CLUSTER_BUSY. A failed
 *   update leaves the cluster CREATED (rolled back), so it can be updated again.
 * - Otherwise the record's version is bumped with a conditional write (two racing PATCHes: one wins,
 *   the other is 412), `update` is set RUNNING and the update state machine starts (202). The
 *   execution name is fixed by cluster and version, so a retry converges on the same run.
 * - `Idempotency-Key` replays the first answer for the same body, like POST /v1/clusters.
 */
import { createHash } from 'node:crypto';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { classifyAwsError } from '../../lib/aws/aws-error.js';
import { cloudFormationClient, ec2Client, eksClient } from '../../lib/aws/clients.js';
import { roleBSession } from '../../lib/aws/tenant-role.js';
import { executionArnFor } from '../../lib/cluster-ids.js';
import { DiagnosedError } from '../../lib/errors.js';
import type { ClusterSettings } from '../../lib/schema/cluster-settings.js';
import type { UpdateInput } from '../../lib/state.js';
import { type ClusterRecord, type ClusterUpdate, recordVersion } from '../../lib/store/types.js';
import { STACK_NAME_PREFIX } from '../../lib/template/constants.js';
import { applyClusterPatch, type SettingChange } from '../../lib/update/patch.js';
import { buildUpdatePlan } from '../../lib/update/plan.js';
import type { UpdatePreflightResult, UpdateRun } from '../../lib/update/run.js';
import type { LiveVersions } from '../../lib/update/stages.js';
import { updatePreflight } from '../../update-cluster/preflight.js';
import type { ApiDeps } from '../deps.js';
import { diagnosisError, httpError } from '../http/errors.js';
import { type DiagnosisView, diagnosisView } from './cluster-view.js';
import { canonicalJson, clusterLocation } from './create-cluster.js';
import { UPDATE_PREFLIGHT_SESSION_POLICY } from './preflight-session-policy.js';

export interface UpdateClusterRequest {
  tenantId: string;
  record: ClusterRecord;
  body: Record<string, unknown>;
  ifMatch?: string;
  dryRun: boolean;
  /** Go on despite ERROR upgrade insights (the update pre-flight reports them otherwise). */
  force: boolean;
  idempotencyKey?: string;
}

export interface UpdateClusterResponse {
  statusCode: number;
  body: unknown;
  headers: Record<string, string>;
}

export const etagOf = (version: number) => `"${version}"`;

/** `"3"`, `W/"3"` or `3` → 3; `*` matches any version. */
export function parseIfMatch(value: string): number | '*' | undefined {
  const v = value.trim();
  if (v === '*') return '*';
  const m = /^(?:W\/)?"?(\d{1,15})"?$/.exec(v);
  return m ? Number(m[1]) : undefined;
}

/** The execution name of a cluster's update to `version` (≤ 80 characters of [A-Za-z0-9_-]). */
export function updateExecutionName(clusterId: string, version: number): string {
  return `${clusterId}-update-${version}`.slice(0, 80);
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const pick = (changes: SettingChange[], side: 'from' | 'to') =>
  Object.fromEntries(changes.map((c) => [c.field, c[side]]));

/** The versions the cluster runs as the record knows them: a failed staged upgrade says (update.versions). */
export function liveVersionsOf(record: ClusterRecord): LiveVersions | undefined {
  if (record.update?.status === 'FAILED' && record.update.versions)
    return {
      controlPlaneVersion: record.update.versions.controlPlane,
      nodegroupVersion: record.update.versions.nodegroup,
    };
  const v = record.outputs?.kubernetesVersion;
  return v ? { controlPlaneVersion: v, nodegroupVersion: v } : undefined;
}

export function isUpdateRunning(record: ClusterRecord): boolean {
  return record.update?.status === 'RUNNING';
}

export async function updateClusterRequest(deps: ApiDeps, req: UpdateClusterRequest): Promise<UpdateClusterResponse> {
  const { store, config } = deps;
  const { tenantId, record } = req;
  const version = recordVersion(record);
  const etag = { ETag: etagOf(version) };

  // Bad input first: it changes nothing whatever state the cluster is in.
  const patched = applyClusterPatch(record.settings, record.outputs?.kubernetesVersion, req.body, {
    roleNamePrefix: config.roleNamePrefix,
  });
  if (!patched.ok) throw diagnosisError(patched.diagnosis, 400);

  if (req.ifMatch !== undefined) {
    const want = parseIfMatch(req.ifMatch);
    if (want === undefined)
      throw httpError(400, 'INVALID_HEADER', 'If-Match must be the ETag of GET /v1/clusters/{id}, e.g. "3".');
    if (want !== '*' && want !== version) {
      throw httpError(
        412,
        'PRECONDITION_FAILED',
        `The cluster changed since you read it: it is at version ${version}, not ${want}. Read it again (GET /v1/clusters/${record.id}), check your change still applies, and send it with If-Match: "${version}".`,
        {},
        etag,
      );
    }
  }

  const requestHash = sha256(`${record.id}\n${canonicalJson(req.body)}\nforce=${req.force}`);
  const idemKey = req.idempotencyKey !== undefined ? `update:${record.id}:${req.idempotencyKey}` : undefined;
  if (idemKey && !req.dryRun) {
    const seen = await store.getIdempotency(tenantId, idemKey);
    if (seen) return replay(seen.requestHash, seen.statusCode, seen.body, requestHash);
  }

  const before = {
    ...record.settings,
    ...(record.settings.kubernetesVersion ? {} : { kubernetesVersion: record.outputs?.kubernetesVersion }),
  } as ClusterSettings;
  const plan = buildUpdatePlan(before, patched.settings, patched.changes, liveVersionsOf(record));
  if (patched.changes.length === 0) {
    return { statusCode: 200, body: { id: record.id, changed: false, version, plan }, headers: etag };
  }
  if (record.status !== 'CREATED' || isUpdateRunning(record)) {
    throw httpError(
      409,
      'CLUSTER_BUSY',
      busyMessage(record),
      {
        remediation: [
          `Follow it with GET /v1/clusters/${record.id} (or eks-provisioner status ${record.id}) and send the change when it has finished.`,
        ],
        retryable: record.status === 'CREATING' || isUpdateRunning(record),
      },
      etag,
    );
  }
  if (req.dryRun) {
    const preflight = await dryRunPreflight(deps, record, patched, req.force);
    // The pre-flight read what runs now: the plan follows it (a control plane already upgraded is not planned again).
    const livePlan =
      preflight.checked && preflight.ok && preflight.result.clusterVersion
        ? buildUpdatePlan(before, patched.settings, patched.changes, {
            controlPlaneVersion: preflight.result.clusterVersion,
            ...(preflight.result.nodegroupVersion ? { nodegroupVersion: preflight.result.nodegroupVersion } : {}),
          })
        : plan;
    return {
      statusCode: 200,
      body: {
        id: record.id,
        dryRun: true,
        changed: true,
        version,
        plan: livePlan,
        preflight,
        ...(livePlan.nodesReplaced
          ? { warning: 'The nodes are replaced: every pod is evicted and rescheduled on the new node group.' }
          : {}),
      },
      headers: etag,
    };
  }

  const next = version + 1;
  const name = updateExecutionName(record.id, next);
  const executionArn = executionArnFor(config.updateStateMachineArn, name);
  const now = deps.now().toISOString();
  const update: ClusterUpdate = {
    status: 'RUNNING',
    phase: 'Queued',
    from: pick(patched.changes, 'from'),
    to: pick(patched.changes, 'to'),
    startedAt: now,
    resources: { done: 0, total: 0 },
    executionArn,
  };
  // The settings on the record change only when the update succeeds; `update.to` holds the wish.
  // The same write marks the record in RunningRuns: if the run's end is never recorded, the reconciler settles it.
  const won = await store.updateClusterIfVersion(
    tenantId,
    record.id,
    version,
    { update, updatedAt: now },
    { kind: 'update', startedAt: now, executionArn },
  );
  if (!won) {
    if (idemKey) {
      const seen = await store.getIdempotency(tenantId, idemKey);
      if (seen) return replay(seen.requestHash, seen.statusCode, seen.body, requestHash);
    }
    throw httpError(
      412,
      'PRECONDITION_FAILED',
      `The cluster changed while this request was handled. Read it again (GET /v1/clusters/${record.id}) and send the change with its new ETag.`,
    );
  }

  const input: UpdateInput = {
    tenantId,
    clusterId: record.id,
    version: next,
    settings: patched.settings,
    changes: patched.changes,
    force: req.force,
  };
  try {
    await deps.sfn.send(
      new StartExecutionCommand({ stateMachineArn: config.updateStateMachineArn, name, input: JSON.stringify(input) }),
    );
  } catch (err) {
    const info = classifyAwsError(err);
    if (info.code !== 'ExecutionAlreadyExists') {
      // Nothing runs: say so on the record (the cluster itself is untouched) and let a retry start afresh.
      await store
        .updateCluster(tenantId, record.id, {
          update: {
            ...update,
            status: 'FAILED',
            phase: 'Could not start the update; nothing was changed',
            finishedAt: deps.now().toISOString(),
          },
          updatedAt: deps.now().toISOString(),
        })
        .catch(() => undefined);
      if (info.kind === 'throttled') {
        throw httpError(
          429,
          'AWS_THROTTLED',
          'Step Functions is throttling; nothing was changed. Retry after a short wait.',
          { retryable: true },
          { 'Retry-After': '5' },
        );
      }
      throw httpError(
        503,
        'AWS_UNAVAILABLE',
        'The update workflow could not be started; nothing was changed in your account. Retry later.',
        { retryable: true },
        { 'Retry-After': '30' },
      );
    }
  }
  const body = { id: record.id, status: record.status, version: next, executionArn, update, plan };
  if (idemKey) {
    await store
      .putIdempotency({ tenantId, key: idemKey, requestHash, statusCode: 202, body, createdAt: now })
      .catch(() => undefined);
  }
  return { statusCode: 202, body, headers: { Location: clusterLocation(record.id), ETag: etagOf(next) } };
}

/** What the dry run's pre-flight found (the same checks the update run makes first), never a failure of the request. */
export type DryRunPreflight =
  | { checked: true; ok: true; result: UpdatePreflightResult }
  | { checked: true; ok: false; diagnosis: DiagnosisView }
  | { checked: false; message: string };

async function dryRunPreflight(
  deps: ApiDeps,
  record: ClusterRecord,
  patched: { settings: ClusterSettings; changes: SettingChange[] },
  force: boolean,
): Promise<DryRunPreflight> {
  const run: UpdateRun = {
    tenantId: record.tenantId,
    clusterId: record.id,
    cluster: patched.settings,
    accountId: record.accountId,
    region: record.region,
    stackName: `${STACK_NAME_PREFIX}${record.name}`,
    executionArn: '',
    startedAt: deps.now().toISOString(),
    stack: {
      stackId: record.stackId ?? `${STACK_NAME_PREFIX}${record.name}`,
      stackName: `${STACK_NAME_PREFIX}${record.name}`,
      createdAt: record.createdAt,
      adopted: true,
    },
    update: {
      version: recordVersion(record) + 1,
      from: pick(patched.changes, 'from'),
      to: pick(patched.changes, 'to'),
      changes: patched.changes,
      force,
      liveVersion: record.outputs?.kubernetesVersion ?? record.settings.kubernetesVersion ?? '',
    },
  };
  let session;
  try {
    // Read-only: the dry run changes nothing, and these credentials could not if it tried.
    ({ session } = await roleBSession(
      run,
      { store: deps.store, config: deps.config },
      { sessionPolicy: UPDATE_PREFLIGHT_SESSION_POLICY },
    ));
  } catch (err) {
    // Not a verdict on the cluster: the checks could not start (role B not assumable right now).
    const why = err instanceof DiagnosedError ? err.diagnosis.title : classifyAwsError(err).code || (err as Error).name;
    return {
      checked: false,
      message: `The pre-flight could not run now: role B could not be assumed (${why}); the update run makes the same checks before changing anything.`,
    };
  }
  try {
    const clients = { eks: eksClient(session), ec2: ec2Client(session), cloudformation: cloudFormationClient(session) };
    try {
      return { checked: true, ok: true, result: await updatePreflight(run, clients) };
    } finally {
      clients.eks.destroy();
      clients.ec2.destroy();
      clients.cloudformation.destroy();
    }
  } catch (err) {
    if (err instanceof DiagnosedError) return { checked: true, ok: false, diagnosis: diagnosisView(err.diagnosis) };
    return {
      checked: false,
      message: `The pre-flight could not run now (${classifyAwsError(err).code || (err as Error).name}); the update run makes the same checks before changing anything.`,
    };
  }
}

function busyMessage(record: ClusterRecord): string {
  if (isUpdateRunning(record))
    return `Cluster ${record.id} is being updated (${record.update!.phase}); one update at a time.`;
  if (record.status === 'CREATING') return `Cluster ${record.id} is still being created; change it once it is CREATED.`;
  return `Cluster ${record.id} is ${record.status}: only a CREATED cluster can be updated.`;
}

function replay(storedHash: string, statusCode: number, body: unknown, requestHash: string): UpdateClusterResponse {
  if (storedHash !== requestHash) {
    throw httpError(
      422,
      'IDEMPOTENCY_KEY_REUSED',
      'This Idempotency-Key was already used with a different change. Use a new key for a new change, or resend exactly the first one.',
      {
        fields: [{ path: 'Idempotency-Key', message: 'Already used for another request.' }],
      },
    );
  }
  const b = body as { id?: string; version?: number };
  return {
    statusCode,
    body,
    headers: {
      'Idempotent-Replayed': 'true',
      ...(b.id ? { Location: clusterLocation(b.id) } : {}),
      ...(b.version ? { ETag: etagOf(b.version) } : {}),
    },
  };
}
