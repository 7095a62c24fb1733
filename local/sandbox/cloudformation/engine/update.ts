/**
 * Stack updates (ExecuteChangeSet, UpdateStack) as CloudFormation runs them:
 *
 *   UPDATE_IN_PROGRESS → resources added / modified in dependency order (a modification updates in place,
 *   or — when a create-only property changes — creates the replacement first) → outputs →
 *   UPDATE_COMPLETE_CLEANUP_IN_PROGRESS (removed resources and replaced physical resources deleted) →
 *   UPDATE_COMPLETE.
 *
 * On a resource failure the in-flight work is cancelled and the stack rolls back:
 *   UPDATE_ROLLBACK_IN_PROGRESS → every modified resource updated back to its previous properties,
 *   replacements swapped back → UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS (what the update created is
 *   deleted) → UPDATE_ROLLBACK_COMPLETE; or UPDATE_ROLLBACK_FAILED when a resource cannot be rolled back
 *   (ContinueUpdateRollback retries, optionally skipping resources).
 * A replacement of a custom-named resource fails the update, as CloudFormation cannot create a second
 * resource with the same name.
 */
import type { World } from '../../world/world.js';
import { PROVIDERS } from '../providers/registry.js';
import { HandlerFailure, handlerFailure, type StartedOperation } from '../providers/types.js';
import { NAME_PROPERTY } from '../providers/update-behaviour.js';
import { TemplateError } from '../template/errors.js';
import { evaluate, type ResourceValues } from '../template/intrinsics.js';
import { throwIfDeletionBlocked } from './deletion-fault.js';
import { plannedResources } from './plan.js';
import {
  forgetTemplate,
  keepProperties,
  noEchoValues,
  realPropertiesOf,
  rememberNoEcho,
  type StackEngine,
  templateOf,
} from './run.js';
import type { ResourceRecord, StackCaller, StackRecord, UpdatePlan, UpdateRun } from './types.js';

const HANDLER_LATENCY_MS = 1_500;

function asFailure(err: unknown, res: ResourceRecord): HandlerFailure {
  if (err instanceof HandlerFailure) return err;
  console.error(
    `[sandbox] CloudFormation provider ${res.type} (${res.logicalId}) failed unexpectedly during an update:`,
    err,
  );
  return new HandlerFailure('Internal Failure', 'InternalFailure');
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** A physical resource to delete in a cleanup phase. */
interface Leftover {
  logicalId: string;
  type: string;
  physicalId?: string;
  properties: Record<string, unknown>;
}

/** Work one resource does in this phase. */
type Step =
  | { kind: 'add' }
  | { kind: 'modify'; replace: boolean; before: Record<string, unknown> }
  | { kind: 'revert'; to: ResourceRecord; replacedPhysicalId?: string };

export class StackUpdater {
  /** Steps pending per stack (process memory; the run itself is in the stack record). */
  private readonly pending = new WeakMap<StackRecord, Map<string, Step>>();
  private readonly inFlight = new WeakMap<StackRecord, Set<string>>();
  /** NoEcho values the stack had before the update (restored by a rollback). */
  private readonly previousNoEcho = new WeakMap<StackRecord, Record<string, string | string[]>>();
  /** Logical ids the update removes (deleted in cleanup once the update succeeded). */
  private readonly removedIds = new WeakMap<StackRecord, Set<string>>();
  /** Replacements a rollback abandoned: deleted in the rollback's cleanup. */
  private readonly leftoverMap = new WeakMap<StackRecord, Leftover[]>();

  constructor(private readonly engine: StackEngine) {}

  // ----- update ----------------------------------------------------------------------------------------------

  /** Begin an update; the stack must be in a state that allows one (checked by the API). */
  start(
    world: World,
    stack: StackRecord,
    plan: UpdatePlan,
    noEcho: Record<string, string | string[]>,
    caller: StackCaller,
  ): void {
    const run: UpdateRun = {
      phase: 'UPDATE',
      plan,
      previous: {
        templateBody: stack.templateBody,
        ...(stack.description !== undefined ? { description: stack.description } : {}),
        parameters: clone(stack.parameters),
        conditions: { ...stack.conditions },
        tags: clone(stack.tags),
        resources: clone(stack.resources.filter((r) => r.status !== 'NOT_STARTED')),
        ...(stack.outputs ? { outputs: clone(stack.outputs) } : {}),
      },
      touched: [],
      skipped: [],
    };
    stack.update = run;
    stack.caller = caller;
    stack.lastUpdatedTime = this.engine.nowIso();
    const previousNoEcho = noEchoValues(stack);
    this.previousNoEcho.set(stack, previousNoEcho);
    this.adopt(stack, plan.templateBody, plan.parameters, plan.conditions, plan.tags, plan.description);
    rememberNoEcho(stack, noEcho);
    const steps = new Map<string, Step>();
    const records = plannedResources(templateOf(stack), stack.conditions, this.engine.nowIso());
    for (const change of plan.changes) {
      if (change.action === 'Add') steps.set(change.logicalId, { kind: 'add' });
      if (change.action === 'Modify') {
        const res = stack.resources.find((r) => r.logicalId === change.logicalId)!;
        steps.set(change.logicalId, {
          kind: 'modify',
          replace: change.replacement === 'True',
          before: realPropertiesOf(res),
        });
      }
    }
    // Resource list: kept resources (with the new template's dependencies), added ones, then removed ones
    // (deleted in cleanup).
    const byId = new Map(stack.resources.map((r) => [r.logicalId, r]));
    const next: ResourceRecord[] = records.map((fresh) => {
      const old = byId.get(fresh.logicalId);
      if (!old || old.status === 'NOT_STARTED') return fresh;
      old.dependsOn = fresh.dependsOn;
      return old;
    });
    const removed = stack.resources.filter((r) => !next.includes(r) && r.status !== 'NOT_STARTED');
    stack.resources = [...next, ...removed];
    this.removedIds.set(stack, new Set(removed.map((r) => r.logicalId)));
    this.pending.set(stack, steps);
    this.inFlight.set(stack, new Set());
    this.engine.after(world, stack, stack.stackId, 500, () => this.advance(world, stack));
  }

  private adopt(
    stack: StackRecord,
    body: string,
    parameters: StackRecord['parameters'],
    conditions: Record<string, boolean>,
    tags: StackRecord['tags'],
    description?: string,
  ): void {
    stack.templateBody = body;
    stack.parameters = parameters;
    stack.conditions = conditions;
    stack.tags = tags;
    if (description !== undefined) stack.description = description;
    else delete stack.description;
    forgetTemplate(stack);
  }

  private settled(stack: StackRecord, id: string): boolean {
    const r = stack.resources.find((x) => x.logicalId === id);
    if (!r) return true;
    if (this.pending.get(stack)?.has(id) || this.inFlight.get(stack)?.has(id)) return false;
    return r.status === 'CREATE_COMPLETE' || r.status === 'UPDATE_COMPLETE';
  }

  private advance(world: World, stack: StackRecord): void {
    const running = stack.status === 'UPDATE_IN_PROGRESS' || stack.status === 'UPDATE_ROLLBACK_IN_PROGRESS';
    if (!running || !stack.update) return;
    const steps = this.pending.get(stack)!;
    const flight = this.inFlight.get(stack)!;
    for (const [id, step] of [...steps]) {
      const res = stack.resources.find((r) => r.logicalId === id);
      if (!res) continue;
      // Forward: after what it depends on; rollback: one at a time, dependents first (reverse order).
      if (stack.update.phase === 'UPDATE' && !res.dependsOn.every((d) => this.settled(stack, d))) continue;
      if (stack.update.phase === 'ROLLBACK' && flight.size) break;
      steps.delete(id);
      flight.add(id);
      this.run(world, stack, res, step);
      if (stack.status !== (stack.update?.phase === 'ROLLBACK' ? 'UPDATE_ROLLBACK_IN_PROGRESS' : 'UPDATE_IN_PROGRESS'))
        return;
    }
    if (steps.size || flight.size) return;
    if (stack.update.phase === 'UPDATE') this.completeUpdate(world, stack);
    else this.completeRollback(world, stack);
  }

  private run(world: World, stack: StackRecord, res: ResourceRecord, step: Step): void {
    const provider = PROVIDERS.get(res.type)!;
    const key = `${stack.stackId}/${res.logicalId}`;
    const ctx = this.engine.providerContext(world, stack, res, stack.caller);
    const phase = stack.update!.phase;
    const done = (values: ResourceValues) => {
      this.inFlight.get(stack)?.delete(res.logicalId);
      res.values = values;
      delete res.dueAt;
      this.engine.resourceEvent(stack, res, step.kind === 'add' ? 'CREATE_COMPLETE' : 'UPDATE_COMPLETE');
      this.advance(world, stack);
    };
    const fail = (reason: string) => {
      this.inFlight.get(stack)?.delete(res.logicalId);
      this.engine.resourceEvent(stack, res, step.kind === 'add' ? 'CREATE_FAILED' : 'UPDATE_FAILED', reason);
      if (phase === 'UPDATE') this.failUpdate(world, stack, res.logicalId, step.kind === 'add' ? 'create' : 'update');
      else this.failRollback(world, stack, res.logicalId);
    };
    const poll = (started: StartedOperation, finish: (state: unknown) => ResourceValues | { waitMs: number }) => {
      const wait = (ms: number, state: unknown) => {
        res.dueAt = this.engine.after(world, stack, key, ms, () => {
          let result: ResourceValues | { waitMs: number };
          try {
            result = finish(state);
          } catch (err) {
            fail(asFailure(err, res).message);
            return;
          }
          if ('waitMs' in result) wait(result.waitMs, state);
          else done(result);
        });
      };
      wait(started.durationMs, started.state);
    };
    const afterLatency = (fn: () => void) => this.engine.after(world, stack, key, HANDLER_LATENCY_MS, fn);

    if (step.kind === 'revert') {
      // Rolling back: the previous physical resource and properties come back.
      const before = realPropertiesOf(res);
      const target = step.to;
      this.engine.resourceEvent(stack, res, 'UPDATE_IN_PROGRESS');
      if (step.replacedPhysicalId !== undefined) {
        // The replacement is abandoned (deleted in cleanup); the old resource is still there.
        const created = res.physicalId;
        res.physicalId = step.replacedPhysicalId;
        keepProperties(res, clone(target.properties ?? {}), undefined);
        this.leftovers(stack).push({
          logicalId: res.logicalId,
          type: res.type,
          physicalId: created,
          properties: before,
        });
        afterLatency(() => done(target.values ?? res.values!));
        return;
      }
      if (!provider.update) {
        afterLatency(() => done(target.values ?? res.values!));
        return;
      }
      let started: StartedOperation;
      try {
        started = provider.update(ctx, before, target.properties ?? {}, res.physicalId ?? '');
      } catch (err) {
        const f = asFailure(err, res);
        afterLatency(() => fail(f.message));
        return;
      }
      keepProperties(res, clone(target.properties ?? {}), undefined);
      poll(started, (state) =>
        provider.finishUpdate!(ctx, before, target.properties ?? {}, res.physicalId ?? '', state),
      );
      return;
    }

    let after: Record<string, unknown>;
    let masked: Record<string, unknown> | undefined;
    try {
      const decl = templateOf(stack).Resources[res.logicalId]!;
      after = (evaluate(decl.Properties ?? {}, this.engine.evalContext(world, stack)) ?? {}) as Record<string, unknown>;
      if (stack.parameters.some((p) => p.noEcho))
        masked = (evaluate(decl.Properties ?? {}, this.engine.evalContext(world, stack, true)) ?? {}) as Record<
          string,
          unknown
        >;
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      this.engine.resourceEvent(stack, res, step.kind === 'add' ? 'CREATE_IN_PROGRESS' : 'UPDATE_IN_PROGRESS');
      fail(err.message);
      return;
    }

    if (step.kind === 'add') {
      keepProperties(res, after, masked);
      this.engine.resourceEvent(stack, res, 'CREATE_IN_PROGRESS');
      this.touched(stack).push({ logicalId: res.logicalId, action: 'Add' });
      const missing = provider.required.filter((k) => after[k] === undefined);
      if (missing.length) {
        afterLatency(() =>
          fail(
            `Properties validation failed for resource ${res.logicalId} with message:\n#: required key [${missing[0]}] not found`,
          ),
        );
        return;
      }
      let started: StartedOperation;
      try {
        started = provider.create(ctx, after);
      } catch (err) {
        const f = asFailure(err, res);
        afterLatency(() => fail(f.message));
        return;
      }
      this.engine.after(world, stack, key, Math.min(HANDLER_LATENCY_MS, started.durationMs / 2), () => {
        if (res.status === 'CREATE_IN_PROGRESS')
          this.engine.resourceEvent(stack, res, 'CREATE_IN_PROGRESS', 'Resource creation Initiated');
      });
      poll(started, (state) => provider.finishCreate(ctx, after, res.physicalId ?? '', state));
      return;
    }

    const before = step.before;
    if (step.replace) {
      const nameProp = NAME_PROPERTY[res.type];
      if (nameProp && after[nameProp] !== undefined) {
        this.engine.resourceEvent(stack, res, 'UPDATE_IN_PROGRESS');
        const reason = `CloudFormation cannot update a stack when a custom-named resource requires replacing. Rename ${String(after[nameProp])} and update the stack again.`;
        afterLatency(() => fail(reason));
        return;
      }
      const oldPhysicalId = res.physicalId;
      this.engine.resourceEvent(
        stack,
        res,
        'UPDATE_IN_PROGRESS',
        'Requested update requires the creation of a new physical resource; hence creating one.',
      );
      this.touched(stack).push({
        logicalId: res.logicalId,
        action: 'Modify',
        ...(oldPhysicalId !== undefined ? { replacedPhysicalId: oldPhysicalId } : {}),
        oldProperties: before,
      });
      let started: StartedOperation;
      try {
        started = provider.create(ctx, after);
      } catch (err) {
        const f = asFailure(err, res);
        res.physicalId = oldPhysicalId;
        afterLatency(() => fail(f.message));
        return;
      }
      keepProperties(res, after, masked);
      // The new physical id shows once the replacement exists.
      this.engine.resourceEvent(stack, res, 'UPDATE_IN_PROGRESS', 'Resource creation Initiated');
      poll(started, (state) => provider.finishCreate(ctx, after, res.physicalId ?? '', state));
      return;
    }

    this.engine.resourceEvent(stack, res, 'UPDATE_IN_PROGRESS');
    this.touched(stack).push({ logicalId: res.logicalId, action: 'Modify', oldProperties: before });
    if (!provider.update) {
      const f = handlerFailure(ctx, `The AWS sandbox does not model in-place updates of ${res.type}`, 'InvalidRequest');
      afterLatency(() => fail(f.message));
      return;
    }
    let started: StartedOperation;
    try {
      started = provider.update(ctx, before, after, res.physicalId ?? '');
    } catch (err) {
      const f = asFailure(err, res);
      afterLatency(() => fail(f.message));
      return;
    }
    keepProperties(res, after, masked);
    poll(started, (state) => provider.finishUpdate!(ctx, before, after, res.physicalId ?? '', state));
  }

  private touched(stack: StackRecord): UpdateRun['touched'] {
    return stack.update!.touched;
  }

  private leftovers(stack: StackRecord): Leftover[] {
    let l = this.leftoverMap.get(stack);
    if (!l) this.leftoverMap.set(stack, (l = []));
    return l;
  }

  private completeUpdate(world: World, stack: StackRecord): void {
    try {
      stack.outputs = this.engine.evaluateOutputs(world, stack);
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      this.failUpdate(world, stack, undefined, 'update', err.message);
      return;
    }
    this.engine.stackEvent(world, stack, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
    const removed = this.removedIds.get(stack) ?? new Set();
    const gone = stack.resources.filter((r) => removed.has(r.logicalId)).reverse();
    const old = stack
      .update!.touched.filter((t) => t.replacedPhysicalId !== undefined)
      .map((t) => ({
        logicalId: t.logicalId,
        type: stack.resources.find((r) => r.logicalId === t.logicalId)!.type,
        physicalId: t.replacedPhysicalId,
        properties: t.oldProperties ?? {},
      }));
    this.cleanup(
      world,
      stack,
      [
        ...old,
        ...gone.map((r) => ({
          logicalId: r.logicalId,
          type: r.type,
          physicalId: r.physicalId,
          properties: realPropertiesOf(r),
        })),
      ],
      () => {
        stack.resources = stack.resources.filter((r) => !gone.includes(r));
        delete stack.update;
        this.engine.stackEvent(world, stack, 'UPDATE_COMPLETE');
      },
    );
  }

  /** Delete leftovers one by one (dependents were listed first); failures are reported but do not fail the stack. */
  private cleanup(world: World, stack: StackRecord, items: Leftover[], then: () => void): void {
    const next = items.shift();
    if (!next) {
      this.engine.after(world, stack, stack.stackId, 500, then);
      return;
    }
    const provider = PROVIDERS.get(next.type)!;
    const shadow: ResourceRecord = {
      logicalId: next.logicalId,
      type: next.type,
      dependsOn: [],
      status: 'DELETE_IN_PROGRESS',
      lastUpdated: this.engine.nowIso(),
      ...(next.physicalId !== undefined ? { physicalId: next.physicalId } : {}),
    };
    this.engine.resourceEvent(stack, shadow, 'DELETE_IN_PROGRESS');
    const ctx = this.engine.providerContext(world, stack, shadow, stack.caller);
    const key = `${stack.stackId}/${next.logicalId}/cleanup`;
    let started: StartedOperation;
    try {
      started = provider.delete(ctx, next.properties, next.physicalId);
    } catch (err) {
      const f = asFailure(err, shadow);
      this.engine.after(world, stack, key, HANDLER_LATENCY_MS, () => {
        this.engine.resourceEvent(stack, shadow, 'DELETE_FAILED', f.message);
        this.cleanup(world, stack, items, then);
      });
      return;
    }
    this.engine.after(world, stack, key, started.durationMs, () => {
      try {
        throwIfDeletionBlocked(world, provider, ctx, next.properties, next.physicalId);
        provider.finishDelete(ctx, next.properties, next.physicalId, started.state);
        this.engine.resourceEvent(stack, shadow, 'DELETE_COMPLETE');
      } catch (err) {
        this.engine.resourceEvent(stack, shadow, 'DELETE_FAILED', asFailure(err, shadow).message);
      }
      this.cleanup(world, stack, items, then);
    });
  }

  // ----- rollback --------------------------------------------------------------------------------------------

  private failUpdate(
    world: World,
    stack: StackRecord,
    failedId: string | undefined,
    verb: 'create' | 'update',
    reasonOverride?: string,
  ): void {
    if (stack.status !== 'UPDATE_IN_PROGRESS' || !stack.update) return;
    const failed = failedId ? [failedId] : [];
    // CloudFormation stops everything else in flight.
    for (const id of [...(this.inFlight.get(stack) ?? [])]) {
      const res = stack.resources.find((r) => r.logicalId === id)!;
      this.engine.cancelTimers(world, `${stack.stackId}/${id}`);
      const adding = res.status === 'CREATE_IN_PROGRESS';
      this.engine.resourceEvent(
        stack,
        res,
        adding ? 'CREATE_FAILED' : 'UPDATE_FAILED',
        adding ? 'Resource creation cancelled' : 'Resource update cancelled',
      );
      failed.push(id);
    }
    this.inFlight.get(stack)?.clear();
    this.pending.get(stack)?.clear();
    this.engine.stackEvent(
      world,
      stack,
      'UPDATE_ROLLBACK_IN_PROGRESS',
      reasonOverride ?? `The following resource(s) failed to ${verb}: [${failed.join(', ')}]. `,
    );
    this.beginRollback(world, stack);
  }

  private beginRollback(world: World, stack: StackRecord): void {
    const run = stack.update!;
    run.phase = 'ROLLBACK';
    const prev = run.previous;
    this.adopt(stack, prev.templateBody, prev.parameters, prev.conditions, prev.tags, prev.description);
    const prevNoEcho = this.previousNoEcho.get(stack);
    if (prevNoEcho) rememberNoEcho(stack, prevNoEcho);
    const steps = new Map<string, Step>();
    // Dependents first: undo in the reverse order of the changes.
    for (const t of [...run.touched].reverse()) {
      if (t.action !== 'Modify' || run.skipped.includes(t.logicalId) || steps.has(t.logicalId)) continue;
      const to = prev.resources.find((r) => r.logicalId === t.logicalId);
      if (!to) continue;
      const res = stack.resources.find((r) => r.logicalId === t.logicalId);
      if (!res) continue;
      steps.set(t.logicalId, {
        kind: 'revert',
        to,
        ...(t.replacedPhysicalId !== undefined ? { replacedPhysicalId: t.replacedPhysicalId } : {}),
      });
    }
    this.pending.set(stack, steps);
    this.inFlight.set(stack, new Set());
    this.engine.after(world, stack, stack.stackId, 500, () => this.advance(world, stack));
  }

  private failRollback(world: World, stack: StackRecord, failedId: string): void {
    if (stack.status !== 'UPDATE_ROLLBACK_IN_PROGRESS') return;
    this.pending.get(stack)?.clear();
    this.engine.stackEvent(
      world,
      stack,
      'UPDATE_ROLLBACK_FAILED',
      `The following resource(s) failed to update: [${failedId}]. `,
    );
  }

  private completeRollback(world: World, stack: StackRecord): void {
    const run = stack.update!;
    this.engine.stackEvent(world, stack, 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS');
    const prevIds = new Set(run.previous.resources.map((r) => r.logicalId));
    // What the update added (not in the previous stack) and replacements it created go.
    const added = stack.resources.filter(
      (r) => !prevIds.has(r.logicalId) && r.physicalId !== undefined && r.status !== 'NOT_STARTED',
    );
    const items = [
      ...this.leftovers(stack).splice(0),
      ...added.reverse().map((r) => ({
        logicalId: r.logicalId,
        type: r.type,
        physicalId: r.physicalId,
        properties: realPropertiesOf(r),
      })),
    ];
    this.cleanup(world, stack, items, () => {
      // The stack's resources are the previous ones again (with what the rollback restored).
      const now = new Map(stack.resources.map((r) => [r.logicalId, r]));
      stack.resources = run.previous.resources.map((p) => {
        const cur = now.get(p.logicalId);
        return cur ?? p;
      });
      stack.outputs = run.previous.outputs;
      delete stack.update;
      this.engine.stackEvent(world, stack, 'UPDATE_ROLLBACK_COMPLETE');
    });
  }

  /** ContinueUpdateRollback: retry the rollback from UPDATE_ROLLBACK_FAILED, skipping `skip`. */
  continueRollback(world: World, stack: StackRecord, skip: string[], caller: StackCaller): void {
    const run = stack.update!;
    stack.caller = caller;
    for (const id of skip) {
      if (!run.skipped.includes(id)) run.skipped.push(id);
      const res = stack.resources.find((r) => r.logicalId === id);
      if (res && res.status === 'UPDATE_FAILED')
        this.engine.resourceEvent(stack, res, 'UPDATE_COMPLETE', 'Resource skipped during UpdateRollback');
    }
    // Only what is not yet back where it was is tried again.
    const reverted = new Set(
      stack.resources
        .filter((r) => r.status === 'UPDATE_COMPLETE' && run.phase === 'ROLLBACK' && !this.stillChanged(run, r))
        .map((r) => r.logicalId),
    );
    run.touched = run.touched.filter((t) => !reverted.has(t.logicalId) || t.action === 'Add');
    this.engine.stackEvent(world, stack, 'UPDATE_ROLLBACK_IN_PROGRESS');
    this.beginRollback(world, stack);
  }

  private stillChanged(run: UpdateRun, r: ResourceRecord): boolean {
    const prev = run.previous.resources.find((p) => p.logicalId === r.logicalId);
    return (
      !prev ||
      JSON.stringify(prev.properties ?? {}) !== JSON.stringify(r.properties ?? {}) ||
      prev.physicalId !== r.physicalId
    );
  }
}
