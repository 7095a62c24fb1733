/**
 * The stack lifecycle: create in dependency order with parallelism, fail and cancel, roll back (or not)
 * per OnFailure/DisableRollback, delete in reverse dependency order — on timers, with CloudFormation's
 * event wording and order. Every API call a resource needs runs with the stack caller's permissions.
 */
import { authorize, notAuthorizedMessage } from '../../iam/evaluate.js';
import type { Principal } from '../../world/types.js';
import type { World } from '../../world/world.js';
import { PROVIDERS } from '../providers/registry.js';
import {
  type AwsServiceName,
  HandlerFailure,
  type ProviderContext,
  type StartedOperation,
  serviceFailure,
} from '../providers/types.js';
import { TemplateError } from '../template/errors.js';
import { type EvalContext, evaluate, type ResourceValues } from '../template/intrinsics.js';
import { parseTemplateBody, type Template } from '../template/parse.js';
import { type Clock, OrderedTimers } from './clock.js';
import { throwIfDeletionBlocked } from './deletion-fault.js';
import type { CloudFormationState, ResourceRecord, StackCaller, StackEvent, StackRecord } from './types.js';

export interface EngineOptions {
  clock: Clock;
  /** Uniform [0,1); defaults to Math.random. */
  random?: () => number;
}

/** Real-AWS latency between a handler call and CloudFormation recording its answer (ms). */
const HANDLER_LATENCY_MS = 1_500;

/** Timers of one world generation: cancelled when a resource is cancelled; ignored after a world reset. */
interface Runtime {
  timers: Map<string, Set<() => void>>;
  /** Stack callers by handle: the access key to re-resolve (fresh policies) and the principal as it was. */
  callers: Map<string, { accessKeyId?: string; principal: Principal }>;
}

const runtimes = new WeakMap<object, Runtime>();

/**
 * NoEcho parameter values live only here (process memory), never in the stack record: the record is world
 * state that the sandbox dumps, and events show '****' in their place.
 */
const secrets = new WeakMap<StackRecord, Record<string, string | string[]>>();

const realProperties = new WeakMap<ResourceRecord, Record<string, unknown>>();

function propsOf(res: ResourceRecord): Record<string, unknown> {
  return realProperties.get(res) ?? res.properties ?? {};
}

export function rememberNoEcho(stack: StackRecord, values: Record<string, string | string[]>): void {
  secrets.set(stack, values);
}

/** Parsed templates per stack record (the record keeps only the body, as JSON state must). */
const parsed = new WeakMap<StackRecord, Template>();

/** The NoEcho values of a stack (process memory only). */
export function noEchoValues(stack: StackRecord): Record<string, string | string[]> {
  return secrets.get(stack) ?? {};
}

/** A resource's real properties (NoEcho values unmasked) for handlers. */
export function realPropertiesOf(res: ResourceRecord): Record<string, unknown> {
  return propsOf(res);
}

/**
 * Record a resource's evaluated properties: the record (world state, events) holds them with NoEcho values
 * masked; the real ones stay in memory for the handlers.
 */
export function keepProperties(
  res: ResourceRecord,
  real: Record<string, unknown>,
  masked: Record<string, unknown> | undefined,
): void {
  if (masked === undefined) {
    realProperties.delete(res);
    res.properties = real;
    return;
  }
  realProperties.set(res, real);
  res.properties = masked;
}

/** After an update changed the template body. */
export function forgetTemplate(stack: StackRecord): void {
  parsed.delete(stack);
}

export function templateOf(stack: StackRecord): Template {
  let t = parsed.get(stack);
  if (!t) {
    t = parseTemplateBody(stack.templateBody);
    parsed.set(stack, t);
  }
  return t;
}

interface Teardown {
  mode: 'ROLLBACK' | 'DELETE';
  caller: StackCaller;
  /** Logical ids already tried in this teardown. */
  attempted: Set<string>;
}

export function cfnState(world: World): CloudFormationState {
  const state = world.serviceState<CloudFormationState>('cloudformation', () => ({ stacks: [] }));
  state.stacks ??= [];
  return state;
}

/**
 * A provider bug must not take the sandbox down from inside a timer: it fails the resource the way
 * CloudFormation reports its own faults ("Internal Failure") and is logged so tests and users see it.
 */
function asHandlerFailure(err: unknown, res: ResourceRecord): HandlerFailure {
  if (err instanceof HandlerFailure) return err;
  console.error(`[sandbox] CloudFormation provider ${res.type} (${res.logicalId}) failed unexpectedly:`, err);
  return new HandlerFailure('Internal Failure', 'InternalFailure');
}

export class StackEngine {
  private readonly clock: Clock;
  private readonly timers: OrderedTimers;
  private readonly random: () => number;

  constructor(options: EngineOptions) {
    this.clock = options.clock;
    this.timers = new OrderedTimers(options.clock);
    this.random = options.random ?? Math.random;
  }

  nowIso(): string {
    return new Date(this.clock.now()).toISOString();
  }

  private runtime(world: World): Runtime {
    const key = cfnState(world);
    let rt = runtimes.get(key);
    if (!rt) {
      rt = { timers: new Map(), callers: new Map() };
      runtimes.set(key, rt);
    }
    return rt;
  }

  /** Is this stack record still the live one (no world reset since)? */
  /** @internal (update.ts) */
  live(world: World, stack: StackRecord): boolean {
    return cfnState(world).stacks.includes(stack);
  }

  /** Record who runs a stack operation; the returned caller goes into the stack record. */
  registerCaller(world: World, principal: Principal): StackCaller {
    const handle = world.uuid();
    this.runtime(world).callers.set(handle, {
      ...(principal.kind !== 'service' ? { accessKeyId: principal.accessKeyId } : {}),
      principal,
    });
    return { arn: principal.arn, handle };
  }

  /**
   * Stack callers as handle → access key id, for a sandbox that saves its state (--data-dir): kept
   * beside the world file, not in world state, so GET /_sandbox/world shows no key ids.
   */
  exportCallers(world: World): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [handle, c] of this.runtime(world).callers) if (c.accessKeyId) out[handle] = c.accessKeyId;
    return out;
  }

  /**
   * After loading a saved world: know the stack callers again and carry on every operation that was in
   * progress — resources whose handler answer was due finish at their due time (at once if it passed
   * while the sandbox was down), not-started resources start as their dependencies complete, rollbacks
   * and deletes run their teardown again from where the resources stand.
   */
  resume(world: World, callers: Record<string, string>): void {
    const rt = this.runtime(world);
    for (const [handle, accessKeyId] of Object.entries(callers)) {
      const owner = world.findAccessKey(accessKeyId);
      const principal = owner ? world.principalFor(owner) : undefined;
      if (principal) rt.callers.set(handle, { accessKeyId, principal });
    }
    for (const stack of cfnState(world).stacks) {
      if (stack.status === 'CREATE_IN_PROGRESS') {
        for (const res of stack.resources) {
          if (res.status !== 'CREATE_IN_PROGRESS') continue;
          const wait = res.dueAt
            ? Math.max(0, Date.parse(res.dueAt) - this.clock.now())
            : HANDLER_LATENCY_MS / Math.max(stack.timeScale, 1e-9);
          this.afterScaled(world, stack, `${stack.stackId}/${res.logicalId}`, wait, () =>
            this.finishResource(world, stack, res),
          );
        }
        this.after(world, stack, stack.stackId, 500, () => this.advanceCreate(world, stack));
      } else if (stack.status === 'ROLLBACK_IN_PROGRESS' || stack.status === 'DELETE_IN_PROGRESS') {
        this.startTeardown(world, stack, stack.status === 'ROLLBACK_IN_PROGRESS' ? 'ROLLBACK' : 'DELETE', stack.caller);
      }
    }
  }

  /** The caller with its current policies (CloudFormation keeps acting even if the session expires). */
  /** @internal (update.ts) */
  principal(world: World, caller: StackCaller): Principal | undefined {
    const known = this.runtime(world).callers.get(caller.handle);
    if (!known) return undefined;
    const owner = known.accessKeyId ? world.findAccessKey(known.accessKeyId) : undefined;
    return (owner ? world.principalFor(owner) : undefined) ?? known.principal;
  }

  /** Schedule `fn` after a real-AWS duration, scaled; skipped if the world was reset meanwhile. Returns the due time (ISO). */
  /** @internal (update.ts) */
  after(world: World, stack: StackRecord, key: string, realMs: number, fn: () => void): string {
    const extra = world.data.flags.extraProvisioningDelayMs ?? 0;
    const ms = (realMs + extra) / Math.max(stack.timeScale, 1e-9);
    this.afterScaled(world, stack, key, ms, fn);
    return new Date(this.clock.now() + ms).toISOString();
  }

  /** `after` with a duration already in sandbox milliseconds. */
  /** @internal (update.ts) */
  afterScaled(world: World, stack: StackRecord, key: string, ms: number, fn: () => void): void {
    const rt = this.runtime(world);
    const timers = rt.timers.get(key) ?? new Set();
    rt.timers.set(key, timers);
    let cancel: () => void = () => {};
    cancel = this.timers.schedule(ms, () => {
      timers.delete(cancel);
      if (!this.live(world, stack)) return;
      fn();
    });
    timers.add(cancel);
  }

  /** @internal (update.ts) */
  cancelTimers(world: World, key: string): void {
    const rt = this.runtime(world);
    for (const cancel of rt.timers.get(key) ?? []) cancel();
    rt.timers.delete(key);
  }

  // ----- events --------------------------------------------------------------------------------------------

  private timestamp(stack: StackRecord): string {
    // Strictly increasing per stack, so "newest first" is well defined even at huge time scales.
    let t = this.clock.now();
    const last = stack.events.at(-1);
    if (last) t = Math.max(t, Date.parse(last.Timestamp) + 1);
    return new Date(t).toISOString();
  }

  stackEvent(world: World, stack: StackRecord, status: string, reason?: string): void {
    const ts = this.timestamp(stack);
    const event: StackEvent = {
      StackId: stack.stackId,
      EventId: world.uuid(),
      StackName: stack.stackName,
      LogicalResourceId: stack.stackName,
      PhysicalResourceId: stack.stackId,
      ResourceType: 'AWS::CloudFormation::Stack',
      Timestamp: ts,
      ResourceStatus: status,
      ...(reason !== undefined ? { ResourceStatusReason: reason } : {}),
      ...(stack.operationToken ? { ClientRequestToken: stack.operationToken } : {}),
    };
    stack.events.push(event);
    stack.status = status as StackRecord['status'];
    if (reason !== undefined) stack.statusReason = reason;
    else delete stack.statusReason;
  }

  /** @internal (update.ts) */
  resourceEvent(stack: StackRecord, res: ResourceRecord, status: ResourceRecord['status'], reason?: string): void {
    const ts = this.timestamp(stack);
    stack.events.push({
      StackId: stack.stackId,
      EventId: `${res.logicalId}-${status}-${ts}`,
      StackName: stack.stackName,
      LogicalResourceId: res.logicalId,
      PhysicalResourceId: res.physicalId ?? '',
      ResourceType: res.type,
      Timestamp: ts,
      ResourceStatus: status,
      ...(reason !== undefined ? { ResourceStatusReason: reason } : {}),
      ...(res.properties ? { ResourceProperties: JSON.stringify(res.properties) } : {}),
      ...(stack.operationToken ? { ClientRequestToken: stack.operationToken } : {}),
    });
    res.status = status;
    res.lastUpdated = ts;
    if (reason !== undefined) res.statusReason = reason;
    else delete res.statusReason;
  }

  // ----- provider context ------------------------------------------------------------------------------------

  /** @internal (update.ts) */
  providerContext(world: World, stack: StackRecord, res: ResourceRecord, caller: StackCaller): ProviderContext {
    const principal = this.principal(world, caller);
    const uuid = () => world.uuid();
    const ctx: ProviderContext = {
      world,
      data: world.data,
      accountId: stack.accountId,
      region: stack.region,
      partition: world.data.partition,
      stackName: stack.stackName,
      stackId: stack.stackId,
      logicalId: res.logicalId,
      stackTags: Object.fromEntries(stack.tags.map((t) => [t.Key, t.Value])),
      timeScale: stack.timeScale,
      caller: principal ?? {
        kind: 'service',
        service: 'cloudformation.amazonaws.com',
        accountId: stack.accountId,
        arn: caller.arn,
        userId: caller.arn,
      },
      require: (
        service: AwsServiceName,
        action: string,
        resource: string,
        keys?: Record<string, string>,
        shown?: string,
      ) => {
        if (!principal) {
          throw serviceFailure(
            { uuid },
            {
              service,
              status: 403,
              message: 'The security token included in the request is invalid.',
              handlerErrorCode: 'AccessDenied',
            },
          );
        }
        const result = authorize(world, principal, action, resource, { region: stack.region, keys: keys ?? {} });
        if (!result.allowed) {
          throw serviceFailure(
            { uuid },
            {
              service,
              status: 403,
              message: notAuthorizedMessage(principal, action, shown ?? resource, result),
              handlerErrorCode: 'AccessDenied',
            },
          );
        }
      },
      setPhysicalId: (id: string) => {
        res.physicalId = id;
      },
      random: this.random,
      uuid,
      nowIso: () => this.nowIso(),
    };
    return ctx;
  }

  /** @internal (update.ts) */
  evalContext(world: World, stack: StackRecord, masked = false): EvalContext {
    const template = templateOf(stack);
    const hidden = masked ? {} : (secrets.get(stack) ?? {});
    return {
      parameters: { ...Object.fromEntries(stack.parameters.map((p) => [p.key, p.value])), ...hidden },
      pseudo: {
        region: stack.region,
        accountId: stack.accountId,
        stackName: stack.stackName,
        stackId: stack.stackId,
        partition: world.data.partition,
        urlSuffix: 'amazonaws.com',
      },
      conditions: stack.conditions,
      mappings: (template.Mappings ?? {}) as EvalContext['mappings'],
      resource: (id) => {
        const r = stack.resources.find((x) => x.logicalId === id);
        return r?.values;
      },
      availabilityZones: (region) => world.region(region)?.availabilityZones.map((z) => z.name) ?? [],
    };
  }

  // ----- create ----------------------------------------------------------------------------------------------

  /** Begin creating a stack already recorded as CREATE_IN_PROGRESS ("User Initiated" emitted by the caller). */
  startCreate(world: World, stack: StackRecord): void {
    this.after(world, stack, stack.stackId, 500, () => this.advanceCreate(world, stack));
  }

  private advanceCreate(world: World, stack: StackRecord): void {
    if (stack.status !== 'CREATE_IN_PROGRESS') return;
    const done = (id: string) => stack.resources.find((r) => r.logicalId === id)?.status === 'CREATE_COMPLETE';
    for (const res of stack.resources) {
      if (res.status !== 'NOT_STARTED') continue;
      if (res.dependsOn.every(done)) this.startResource(world, stack, res);
      if (stack.status !== 'CREATE_IN_PROGRESS') return;
    }
    if (stack.resources.every((r) => r.status === 'CREATE_COMPLETE')) this.completeCreate(world, stack);
  }

  private startResource(world: World, stack: StackRecord, res: ResourceRecord): void {
    const provider = PROVIDERS.get(res.type)!;
    const key = `${stack.stackId}/${res.logicalId}`;
    const template = templateOf(stack);
    let props: Record<string, unknown>;
    try {
      props = (evaluate(template.Resources[res.logicalId]!.Properties ?? {}, this.evalContext(world, stack)) ??
        {}) as Record<string, unknown>;
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      this.resourceEvent(stack, res, 'CREATE_IN_PROGRESS');
      this.failResource(world, stack, res, err.message);
      return;
    }
    res.properties = props;
    if (stack.parameters.some((p) => p.noEcho)) {
      // The record (world state, events) holds the properties with NoEcho values masked; the real ones
      // stay in memory for the handlers.
      realProperties.set(res, props);
      try {
        res.properties = (evaluate(
          template.Resources[res.logicalId]!.Properties ?? {},
          this.evalContext(world, stack, true),
        ) ?? {}) as Record<string, unknown>;
      } catch {
        res.properties = {};
      }
    }
    this.resourceEvent(stack, res, 'CREATE_IN_PROGRESS');
    const missing = provider.required.filter((k) => props[k] === undefined);
    if (missing.length) {
      this.after(world, stack, key, 300, () =>
        this.failResource(
          world,
          stack,
          res,
          `Properties validation failed for resource ${res.logicalId} with message:\n#: required key [${missing[0]}] not found`,
        ),
      );
      return;
    }
    const ctx = this.providerContext(world, stack, res, stack.caller);
    let durationMs: number;
    try {
      const started = provider.create(ctx, props);
      durationMs = started.durationMs;
      res.providerState = started.state;
    } catch (err) {
      const failure = asHandlerFailure(err, res);
      this.after(world, stack, key, HANDLER_LATENCY_MS, () => this.failResource(world, stack, res, failure.message));
      return;
    }
    this.after(world, stack, key, Math.min(HANDLER_LATENCY_MS, durationMs / 2), () => {
      if (res.status === 'CREATE_IN_PROGRESS')
        this.resourceEvent(stack, res, 'CREATE_IN_PROGRESS', 'Resource creation Initiated');
    });
    res.dueAt = this.after(world, stack, key, durationMs, () => this.finishResource(world, stack, res));
  }

  private finishResource(world: World, stack: StackRecord, res: ResourceRecord): void {
    if (res.status !== 'CREATE_IN_PROGRESS' || stack.status !== 'CREATE_IN_PROGRESS') return;
    const provider = PROVIDERS.get(res.type)!;
    const ctx = this.providerContext(world, stack, res, stack.caller);
    let result: ResourceValues | { waitMs: number };
    try {
      result = provider.finishCreate(ctx, propsOf(res), res.physicalId ?? '', res.providerState);
    } catch (err) {
      this.failResource(world, stack, res, asHandlerFailure(err, res).message);
      return;
    }
    if ('waitMs' in result) {
      res.dueAt = this.after(world, stack, `${stack.stackId}/${res.logicalId}`, result.waitMs, () =>
        this.finishResource(world, stack, res),
      );
      return;
    }
    delete res.dueAt;
    res.values = result;
    this.resourceEvent(stack, res, 'CREATE_COMPLETE');
    this.advanceCreate(world, stack);
  }

  private completeCreate(world: World, stack: StackRecord): void {
    try {
      stack.outputs = this.evaluateOutputs(world, stack);
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      this.stackFailed(world, stack, [], err.message);
      return;
    }
    this.stackEvent(world, stack, 'CREATE_COMPLETE');
  }

  /** @internal (update.ts) */
  evaluateOutputs(world: World, stack: StackRecord): StackRecord['outputs'] {
    const template = templateOf(stack);
    const ctx = this.evalContext(world, stack);
    const out: NonNullable<StackRecord['outputs']> = [];
    for (const [key, o] of Object.entries(template.Outputs ?? {})) {
      if (o.Condition !== undefined && !stack.conditions[String(o.Condition)]) continue;
      const value = evaluate(o.Value, ctx);
      const exportName = (o.Export as { Name?: unknown } | undefined)?.Name;
      out.push({
        OutputKey: key,
        OutputValue: Array.isArray(value) ? value.join(',') : String(value),
        ...(o.Description !== undefined ? { Description: String(evaluate(o.Description, ctx)) } : {}),
        ...(exportName !== undefined ? { ExportName: String(evaluate(exportName, ctx)) } : {}),
      });
    }
    return out;
  }

  private failResource(world: World, stack: StackRecord, res: ResourceRecord, reason: string): void {
    if (res.status !== 'CREATE_IN_PROGRESS' || stack.status !== 'CREATE_IN_PROGRESS') return;
    this.resourceEvent(stack, res, 'CREATE_FAILED', reason);
    const failed = [res.logicalId];
    // CloudFormation stops everything else that is in flight.
    for (const other of stack.resources) {
      if (other.status !== 'CREATE_IN_PROGRESS') continue;
      this.cancelTimers(world, `${stack.stackId}/${other.logicalId}`);
      this.resourceEvent(stack, other, 'CREATE_FAILED', 'Resource creation cancelled');
      failed.push(other.logicalId);
    }
    this.stackFailed(world, stack, failed);
  }

  private stackFailed(world: World, stack: StackRecord, failed: string[], reasonOverride?: string): void {
    const list = `The following resource(s) failed to create: [${failed.join(', ')}]. `;
    if (stack.disableRollback || stack.onFailure === 'DO_NOTHING') {
      this.stackEvent(world, stack, 'CREATE_FAILED', reasonOverride ?? list);
      return;
    }
    if (stack.onFailure === 'DELETE') {
      this.stackEvent(world, stack, 'DELETE_IN_PROGRESS', reasonOverride ?? `${list}Delete requested by user.`);
      this.startTeardown(world, stack, 'DELETE', stack.caller);
      return;
    }
    this.stackEvent(world, stack, 'ROLLBACK_IN_PROGRESS', reasonOverride ?? `${list}Rollback requested by user.`);
    this.startTeardown(world, stack, 'ROLLBACK', stack.caller);
  }

  // ----- rollback / delete ----------------------------------------------------------------------------------

  /** Stop a create in flight (DeleteStack during CREATE_IN_PROGRESS): in-flight resources are cancelled. */
  cancelCreate(world: World, stack: StackRecord): void {
    for (const res of stack.resources) {
      if (res.status !== 'CREATE_IN_PROGRESS') continue;
      this.cancelTimers(world, `${stack.stackId}/${res.logicalId}`);
      this.resourceEvent(stack, res, 'CREATE_FAILED', 'Resource creation cancelled');
    }
  }

  /** Delete every started resource, dependents first; stack status already ROLLBACK_/DELETE_IN_PROGRESS. */
  startTeardown(
    world: World,
    stack: StackRecord,
    mode: 'ROLLBACK' | 'DELETE',
    caller: StackCaller,
    retain: string[] = [],
  ): void {
    for (const res of stack.resources) {
      if (retain.includes(res.logicalId) && res.status === 'DELETE_FAILED') res.deletionPolicy = 'Retain';
    }
    const run: Teardown = { mode, caller, attempted: new Set() };
    this.after(world, stack, stack.stackId, 500, () => this.advanceTeardown(world, stack, run));
  }

  private advanceTeardown(world: World, stack: StackRecord, run: Teardown): void {
    const gone = (r: ResourceRecord) =>
      r.status === 'NOT_STARTED' || r.status === 'DELETE_COMPLETE' || r.status === 'DELETE_SKIPPED';
    // Each resource is tried once per teardown, after everything that depends on it is gone.
    for (let progressed = true; progressed; ) {
      progressed = false;
      for (const res of stack.resources) {
        if (gone(res) || run.attempted.has(res.logicalId)) continue;
        if (stack.resources.some((d) => d.dependsOn.includes(res.logicalId) && !gone(d))) continue;
        run.attempted.add(res.logicalId);
        this.deleteResource(world, stack, res, run);
        progressed = true;
      }
    }
    if (stack.resources.some((r) => r.status === 'DELETE_IN_PROGRESS')) return;
    const expected = run.mode === 'ROLLBACK' ? 'ROLLBACK_IN_PROGRESS' : 'DELETE_IN_PROGRESS';
    if (stack.status !== expected) return;
    // Anything left is either failed or blocked behind a dependent that failed to delete.
    const failed = stack.resources.filter((r) => r.status === 'DELETE_FAILED').map((r) => r.logicalId);
    this.finishTeardown(world, stack, run.mode, failed);
  }

  private deleteResource(world: World, stack: StackRecord, res: ResourceRecord, run: Teardown): void {
    const key = `${stack.stackId}/${res.logicalId}`;
    if (res.deletionPolicy === 'Retain') {
      this.resourceEvent(stack, res, 'DELETE_SKIPPED');
      return;
    }
    const provider = PROVIDERS.get(res.type)!;
    this.resourceEvent(stack, res, 'DELETE_IN_PROGRESS');
    const ctx = this.providerContext(world, stack, res, run.caller);
    const failDelete = (err: HandlerFailure) => {
      this.resourceEvent(stack, res, 'DELETE_FAILED', err.message);
      this.advanceTeardown(world, stack, run);
    };
    let started: StartedOperation;
    try {
      started = provider.delete(ctx, propsOf(res), res.physicalId);
    } catch (err) {
      const failure = asHandlerFailure(err, res);
      this.after(world, stack, key, HANDLER_LATENCY_MS, () => failDelete(failure));
      return;
    }
    this.after(world, stack, key, started.durationMs, () => {
      try {
        throwIfDeletionBlocked(world, provider, ctx, propsOf(res), res.physicalId);
        provider.finishDelete(ctx, propsOf(res), res.physicalId, started.state);
      } catch (err) {
        failDelete(asHandlerFailure(err, res));
        return;
      }
      this.resourceEvent(stack, res, 'DELETE_COMPLETE');
      this.advanceTeardown(world, stack, run);
    });
  }

  private finishTeardown(world: World, stack: StackRecord, mode: 'ROLLBACK' | 'DELETE', failed: string[]): void {
    if (failed.length) {
      this.stackEvent(
        world,
        stack,
        mode === 'ROLLBACK' ? 'ROLLBACK_FAILED' : 'DELETE_FAILED',
        `The following resource(s) failed to delete: [${failed.join(', ')}]. `,
      );
      return;
    }
    if (mode === 'ROLLBACK') {
      this.stackEvent(world, stack, 'ROLLBACK_COMPLETE');
      return;
    }
    this.stackEvent(world, stack, 'DELETE_COMPLETE');
    stack.deletionTime = this.nowIso();
    delete stack.outputs;
  }
}
