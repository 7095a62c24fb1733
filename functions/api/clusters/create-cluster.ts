/**
 * POST /v1/clusters: validate (the one schema), check role B is registered for this tenant, claim
 * the name and write the record (status CREATING), start the state machine (execution name =
 * cluster id), answer 202. With an Idempotency-Key the first answer is kept and replayed; the
 * cluster id is derived from the key, so even two racing repeats make one record and one execution
 * (Step Functions treats a second StartExecution of the same name and input as the same one).
 */
import { createHash } from 'node:crypto';
import { DescribeExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { classifyAwsError } from '../../lib/aws/aws-error.js';
import { executionArnFor } from '../../lib/cluster-ids.js';
import { makeDiagnosis } from '../../lib/diagnosis/catalog.js';
import { diagnoseAwsError } from '../../lib/diagnosis/from-aws-error.js';
import { parseClusterSettings } from '../../lib/schema/cluster-settings.js';
import type { ProvisionInput } from '../../lib/state.js';
import type { ClusterRecord, IdempotencyRecord } from '../../lib/store/types.js';
import type { ApiDeps } from '../deps.js';
import { diagnosisError, httpError } from '../http/errors.js';
import { MAX_ROLE_ARN_LENGTH } from '../roles/role-arn.js';

export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;

export interface CreateClusterResponse {
  statusCode: number;
  body: unknown;
  headers: Record<string, string>;
}

/** JSON with object keys sorted, so the same body hashes the same whatever the key order. */
export function canonicalJson(value: unknown, depth = 0): string {
  // Valid settings are three levels deep; a deeper body is refused rather than recursed into.
  if (depth > 32) throw httpError(400, 'MALFORMED_JSON', 'The request body is nested too deeply.');
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v, depth + 1)).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k], depth + 1)}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** A UUID-shaped id fixed by tenant + Idempotency-Key (valid as a Step Functions execution name). */
export function idFromIdempotencyKey(tenantId: string, key: string): string {
  const h = sha256(`idempotency:${tenantId}\n${key}`);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}

export const clusterLocation = (id: string) => `/v1/clusters/${id}`;

function replay(record: IdempotencyRecord, requestHash: string): CreateClusterResponse {
  if (record.requestHash !== requestHash) {
    throw httpError(
      422,
      'IDEMPOTENCY_KEY_REUSED',
      'This Idempotency-Key was already used with a different request body. Use a new key for a new request, or resend exactly the first body.',
      { fields: [{ path: 'Idempotency-Key', message: 'Already used for another request.' }] },
    );
  }
  const body = record.body as { id?: unknown };
  return {
    statusCode: record.statusCode,
    body: record.body,
    headers: {
      'Idempotent-Replayed': 'true',
      ...(typeof body?.id === 'string' ? { Location: clusterLocation(body.id) } : {}),
    },
  };
}

/** What an Idempotency-Key holds until the answer is known: the body's hash and this attempt's cluster id. */
interface Pending {
  id: string;
  attempt: number;
  pending: true;
}
const isPending = (body: unknown): body is Pending =>
  !!body && typeof body === 'object' && (body as Pending).pending === true && typeof (body as Pending).id === 'string';

export async function createClusterRequest(
  deps: ApiDeps,
  req: { tenantId: string; body: Record<string, unknown>; idempotencyKey?: string },
): Promise<CreateClusterResponse> {
  const { store, config } = deps;
  const { tenantId, idempotencyKey } = req;
  // Validation is deterministic, so checking first refuses bad input without touching the store.
  const parsed = parseClusterSettings(req.body, { roleNamePrefix: config.roleNamePrefix });
  if (!parsed.ok) throw diagnosisError(parsed.diagnosis, 400);
  const settings = parsed.settings;
  const now = deps.now().toISOString();

  // With a key, the key is taken for this body before anything else happens: whatever fails later,
  // another body with the same key is a 422, and a retry of this body finds the same cluster id.
  const requestHash = sha256(canonicalJson(req.body));
  let reservation: IdempotencyRecord | undefined;
  if (idempotencyKey !== undefined) {
    const first: Pending = { id: idFromIdempotencyKey(tenantId, idempotencyKey), attempt: 0, pending: true };
    reservation = await store.putIdempotency({
      tenantId,
      key: idempotencyKey,
      requestHash,
      statusCode: 0,
      body: first,
      createdAt: now,
    });
    if (reservation.requestHash !== requestHash || !isPending(reservation.body))
      return replay(reservation, requestHash);
  }

  // Longer than IAM allows: it cannot have been registered (and must not reach the store's keys).
  const role =
    settings.provisionRoleArn.length <= MAX_ROLE_ARN_LENGTH
      ? await store.getRole(tenantId, settings.provisionRoleArn)
      : undefined;
  if (!role) {
    throw httpError(
      422,
      'ROLE_NOT_REGISTERED',
      `Role ${settings.provisionRoleArn} is not registered for you. Register it with POST /v1/roles first.`,
      {
        fields: [{ path: 'provisionRoleArn', message: 'Not registered: POST /v1/roles { roleArn, region } first.' }],
        remediation: [
          'Call GET /v1/setup and create role B with the policy and trust policy it returns.',
          `POST /v1/roles with { "roleArn": "${settings.provisionRoleArn}", "region": "${settings.region}" } so the service proves it can assume the role.`,
          'Send this request again.',
        ],
      },
    );
  }

  const pending = reservation?.body as Pending | undefined;
  const id = pending ? pending.id : deps.newId();
  const record: ClusterRecord = {
    id,
    tenantId,
    name: settings.name,
    environmentScope: settings.environmentScope,
    accountId: role.accountId,
    region: settings.region,
    status: 'CREATING',
    phase: 'Queued',
    progress: { done: 0, total: 0 },
    settings,
    createdAt: now,
    updatedAt: now,
  };
  // Throws NAME_ALREADY_IN_USE (→ 409) when a live cluster holds the name in that account+region.
  // Idempotent for the same id: a retry after a later failure finds its own record.
  await store.createCluster(record);

  const input: ProvisionInput = { tenantId, clusterId: id, cluster: settings };
  const executionArn = executionArnFor(config.stateMachineArn, id);
  try {
    // Same name and input as a running execution: Step Functions answers with that execution.
    await deps.sfn.send(
      new StartExecutionCommand({ stateMachineArn: config.stateMachineArn, name: id, input: JSON.stringify(input) }),
    );
  } catch (err) {
    const info = classifyAwsError(err);
    // The name is taken: a racing or earlier repeat started it (a finished run answers this too).
    const started = info.code === 'ExecutionAlreadyExists' ? true : await executionExists(deps, executionArn);
    if (!started) {
      if (started === false) {
        // Nothing runs for this record: close it so the name is free again, and give the key a fresh
        // cluster id so a retry starts a new cluster instead of replaying a dead one.
        const d = diagnoseAwsError(err, { service: 'states', operation: 'StartExecution', principal: 'service' });
        await store
          .updateCluster(tenantId, id, {
            status: 'FAILED',
            phase: 'Could not start provisioning',
            diagnosis:
              d instanceof Error
                ? makeDiagnosis('UNKNOWN', { operation: 'states:StartExecution', awsErrorCode: info.code })
                : d,
            updatedAt: deps.now().toISOString(),
          })
          .catch(() => undefined);
        if (reservation && pending) {
          const next: Pending = {
            id: idFromIdempotencyKey(tenantId, `${idempotencyKey}#${pending.attempt + 1}`),
            attempt: pending.attempt + 1,
            pending: true,
          };
          await store.updateIdempotency({ ...reservation, body: next }, pending).catch(() => undefined);
        }
      }
      // started === undefined: unknown whether it runs; the record stays as it is, and a retry with the
      // same key converges (same execution name and input).
      if (info.kind === 'throttled') {
        throw httpError(
          429,
          'AWS_THROTTLED',
          'Step Functions is throttling; nothing was started. Retry after a short wait.',
          { retryable: true },
          { 'Retry-After': '5' },
        );
      }
      throw httpError(
        503,
        'AWS_UNAVAILABLE',
        'The provisioning workflow could not be started; nothing was created in your account. Retry later.',
        { retryable: true },
        { 'Retry-After': '30' },
      );
    }
  }
  // From here the run goes on whatever fails: the answer is 202. RecordRequest writes the
  // executionArn too, so losing this write loses nothing.
  await store.updateCluster(tenantId, id, { executionArn, updatedAt: deps.now().toISOString() }).catch(() => undefined);

  const body = { id, status: 'CREATING' as const, executionArn };
  if (reservation && pending) {
    // Keep the answer for replays; if this write fails, a retry finds the pending key, the same id and
    // the same running execution, and answers this again.
    await store.updateIdempotency({ ...reservation, statusCode: 202, body }, pending).catch(() => undefined);
  }
  return { statusCode: 202, body, headers: { Location: clusterLocation(id) } };
}

/** Does the execution exist? `undefined` when Step Functions cannot say. */
async function executionExists(deps: ApiDeps, executionArn: string): Promise<boolean | undefined> {
  try {
    await deps.sfn.send(new DescribeExecutionCommand({ executionArn }));
    return true;
  } catch (err) {
    const code = classifyAwsError(err).code;
    return code === 'ExecutionDoesNotExist' ? false : undefined;
  }
}
