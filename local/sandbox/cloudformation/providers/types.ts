/**
 * The resource-provider contract of the CloudFormation engine. A provider models what the resource's
 * CloudFormation handler does in AWS: which APIs it calls (with the stack caller's permissions), which
 * checks the service makes, how long it takes, and what it leaves in the world.
 *
 * Two phases, as the real handlers behave:
 * - `start`: the create/delete API call(s). Throws `HandlerFailure` when AWS rejects the call; the
 *   resource fails right away (no "Resource creation Initiated" event). Calls `ctx.setPhysicalId` as soon
 *   as something exists in AWS (so a rollback deletes it even if a later call fails).
 * - `finish` (after `durationMs`): stabilisation. May still fail (e.g. nodes that never join).
 */

import { loadModel } from '../../protocol/model.js';
import { type Violation, validateRequest, validateShape, validationError } from '../../protocol/validate.js';
import type { Principal, WorldData } from '../../world/types.js';
import type { World } from '../../world/world.js';
import type { ResourceValues } from '../template/intrinsics.js';

export type AwsServiceName = 'Iam' | 'Eks' | 'Ec2' | 'Sts';

export interface ProviderContext {
  world: World;
  data: WorldData;
  accountId: string;
  region: string;
  partition: string;
  stackName: string;
  stackId: string;
  logicalId: string;
  /** Tags the stack propagates to taggable resources. */
  stackTags: Record<string, string>;
  /** The sandbox's time scale for this stack (real AWS durations are divided by it). */
  timeScale: number;
  /** Who the handler acts as (the stack caller). */
  caller: Principal;
  /**
   * Require the caller to be allowed `action` on `resource`; throws the AccessDenied `HandlerFailure` the
   * named service would return otherwise.
   */
  require(
    service: AwsServiceName,
    action: string,
    resource: string,
    keys?: Record<string, string>,
    shownResource?: string,
  ): void;
  /** Record the physical id of what now exists in AWS. */
  setPhysicalId(id: string): void;
  /** Uniform [0,1) — injectable so tests are deterministic. */
  random(): number;
  uuid(): string;
  nowIso(): string;
}

export interface StartedOperation {
  /** Real-AWS duration of the operation in ms (before time scaling). */
  durationMs: number;
  /** Opaque provider state carried to `finish` (must be JSON). */
  state?: unknown;
}

export interface ResourceProvider {
  type: string;
  /** `Fn::GetAtt` attribute names as AWS documents them. */
  attributes: readonly string[];
  /** Property names the resource schema marks required. */
  required: readonly string[];
  create(ctx: ProviderContext, props: Record<string, unknown>): StartedOperation;
  /**
   * Stabilise and return Ref/GetAtt values; throw `HandlerFailure` if the resource ends up failed, or
   * return `{ waitMs }` to be asked again later (the provider keeps its own deadline in `state`).
   */
  finishCreate(
    ctx: ProviderContext,
    props: Record<string, unknown>,
    physicalId: string,
    state: unknown,
  ): ResourceValues | { waitMs: number };
  /**
   * In-place update (no replacement): the service calls that move the resource from `before` to `after`
   * (throw `HandlerFailure` when the service refuses). Absent: the sandbox does not model updating this
   * type in place, and such an update fails (never silently succeeds).
   */
  update?(
    ctx: ProviderContext,
    before: Record<string, unknown>,
    after: Record<string, unknown>,
    physicalId: string,
  ): StartedOperation;
  /** Stabilise an update, as `finishCreate` does a create. */
  finishUpdate?(
    ctx: ProviderContext,
    before: Record<string, unknown>,
    after: Record<string, unknown>,
    physicalId: string,
    state: unknown,
  ): ResourceValues | { waitMs: number };
  /** Delete what `physicalId` names (absent → nothing to do). */
  delete(ctx: ProviderContext, props: Record<string, unknown>, physicalId: string | undefined): StartedOperation;
  finishDelete(
    ctx: ProviderContext,
    props: Record<string, unknown>,
    physicalId: string | undefined,
    state: unknown,
  ): void;
  /**
   * The failure a deletion fault rule (faults/faults.ts) makes of this type's deletion when a dependent
   * object still uses the resource, with the service's own wording and any state change it brings; without
   * it the engine fails the deletion with EC2's generic DependencyViolation text (engine/deletion-fault.ts).
   * `undefined`: the resource is already gone, nothing can depend on it.
   */
  dependentObjectFailure?(
    ctx: ProviderContext,
    props: Record<string, unknown>,
    physicalId: string | undefined,
  ): HandlerFailure | undefined;
}

/** A resource handler failure; `message` is the full event reason. */
export class HandlerFailure extends Error {
  constructor(
    message: string,
    readonly handlerErrorCode: string,
  ) {
    super(message);
    this.name = 'HandlerFailure';
  }
}

export interface ServiceErrorSpec {
  service: AwsServiceName | 'null';
  status: number;
  message: string;
  handlerErrorCode: string;
}

/**
 * `Resource handler returned message: "<msg> (Service: Eks, Status Code: 400, Request ID: <uuid>)"
 * (RequestToken: <uuid>, HandlerErrorCode: InvalidRequest)` — the registry handlers' wording (AWS SDK v2
 * exception text inside CloudFormation's wrapper).
 */
export function serviceFailure(ctx: Pick<ProviderContext, 'uuid'>, spec: ServiceErrorSpec): HandlerFailure {
  const sdk =
    spec.service === 'null'
      ? `${spec.message} (Service: null, Status Code: 0, Request ID: null)`
      : `${spec.message} (Service: ${spec.service}, Status Code: ${spec.status}, Request ID: ${ctx.uuid()})`;
  return new HandlerFailure(
    `Resource handler returned message: "${sdk}" (RequestToken: ${ctx.uuid()}, HandlerErrorCode: ${spec.handlerErrorCode})`,
    spec.handlerErrorCode,
  );
}

/**
 * The service's own request validation for a call a handler makes (IAM CreateRole, EKS tags…): the
 * resource fails with the service's validation message, as the handler's SDK exception would carry it.
 * `operation` checks a whole request; `{ shape, value, path }` checks one member (e.g. EKS `TagMap`).
 */
export function checkServiceRequest(
  ctx: Pick<ProviderContext, 'uuid'>,
  service: 'Iam' | 'Eks',
  call: { operation: string; input: Record<string, unknown> } | { shape: string; value: unknown; path: string },
): void {
  const model = loadModel(service === 'Iam' ? 'iam' : 'eks');
  const violations: Violation[] =
    'operation' in call
      ? validateRequest(model, call.operation, call.input)
      : validateShape(model, call.shape, call.value, call.path);
  if (!violations.length) return;
  const err = validationError(service === 'Iam' ? 'query' : 'rest-json', service === 'Iam' ? 'iam' : 'eks', violations);
  throw serviceFailure(ctx, { service, status: 400, message: err.message, handlerErrorCode: 'InvalidRequest' });
}

/** Failure raised by the handler itself (no service call behind it). */
export function handlerFailure(
  ctx: Pick<ProviderContext, 'uuid'>,
  message: string,
  handlerErrorCode: string,
): HandlerFailure {
  return new HandlerFailure(
    `Resource handler returned message: "${message}" (RequestToken: ${ctx.uuid()}, HandlerErrorCode: ${handlerErrorCode})`,
    handlerErrorCode,
  );
}

export function alreadyExists(ctx: Pick<ProviderContext, 'uuid'>, type: string, id: string): HandlerFailure {
  return handlerFailure(ctx, `Resource of type '${type}' with identifier '${id}' already exists.`, 'AlreadyExists');
}

// ----- small helpers shared by providers ---------------------------------------------------------------

/**
 * `aws:ResourceTag/<key>` condition keys for an action on an existing resource (delete, untag…), so a
 * policy scoped by tags (role B's optional delete statement) is evaluated as IAM does.
 */
export function resourceTagKeys(tags: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(tags ?? {})) out[`aws:ResourceTag/${k}`] = v;
  return out;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const ALNUM_MIXED = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function randomString(ctx: Pick<ProviderContext, 'random'>, length: number, mixed = false): string {
  const alphabet = mixed ? ALNUM_MIXED : ALNUM;
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(ctx.random() * alphabet.length)];
  return out;
}

export function randomHex(ctx: Pick<ProviderContext, 'random'>, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += Math.floor(ctx.random() * 16).toString(16);
  return out;
}

/** CloudFormation's generated physical name: `<stack>-<logicalId>-<13 random>`, trimmed to `max`. */
export function generatedName(ctx: Pick<ProviderContext, 'random' | 'stackName' | 'logicalId'>, max: number): string {
  const suffix = randomString(ctx, 13);
  let prefix = `${ctx.stackName}-${ctx.logicalId}`;
  if (prefix.length + 1 + suffix.length > max) prefix = prefix.slice(0, max - 1 - suffix.length);
  return `${prefix}-${suffix}`;
}

/** `value ± 10%`. */
export function jitter(ctx: Pick<ProviderContext, 'random'>, ms: number, spread = 0.1): number {
  return Math.round(ms * (1 - spread + 2 * spread * ctx.random()));
}

/** CloudFormation tag lists `[{Key, Value}]` → record. */
export function tagRecord(tags: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(tags)) {
    for (const t of tags)
      if (t && typeof t === 'object' && 'Key' in t) out[String(t.Key)] = String((t as { Value?: unknown }).Value ?? '');
  } else if (tags && typeof tags === 'object') {
    for (const [k, v] of Object.entries(tags)) out[k] = String(v);
  }
  return out;
}

export function stringList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

/** Policy documents may be given as objects or JSON strings. */
export function policyDocument(value: unknown): unknown {
  if (typeof value === 'string') {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  return value;
}
