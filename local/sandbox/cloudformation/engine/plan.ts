/**
 * Planning a stack update (CreateChangeSet, UpdateStack): which resources are added, removed or modified,
 * and whether each modification replaces the resource — per property, from the resource schemas'
 * create-only properties (`providers/update-behaviour.ts`). New properties are evaluated with the stack's
 * current resource values; a reference to a resource the update adds is unknown until it exists, so such
 * a property counts as changed (Evaluation Dynamic, ChangeSource ResourceReference), as in AWS.
 */
import type { World } from '../../world/world.js';
import { requiresRecreation, sameValue } from '../providers/update-behaviour.js';
import { effectiveReferences, type ResolvedParameter, staticDependencies } from '../template/analyze.js';
import { TemplateError } from '../template/errors.js';
import { collectReferences, type EvalContext, evaluate, type ResourceValues } from '../template/intrinsics.js';
import type { Template } from '../template/parse.js';
import type { PlannedChange, ResourceRecord, StackRecord } from './types.js';

const UNKNOWN = '{{unknown}}';

function unknownValues(): ResourceValues {
  return {
    ref: UNKNOWN,
    attributes: new Proxy({}, { has: () => true, get: () => UNKNOWN }) as Record<string, unknown>,
  } as ResourceValues;
}

function live(stack: StackRecord) {
  return stack.resources.filter((r) => r.status !== 'NOT_STARTED' && r.status !== 'DELETE_COMPLETE');
}

export function planChanges(
  world: World,
  stack: StackRecord,
  oldTemplate: Template,
  newTemplate: Template,
  parameters: ResolvedParameter[],
  noEcho: Record<string, string | string[]>,
  conditions: Record<string, boolean>,
  previousNoEcho: Record<string, string | string[]> = {},
): PlannedChange[] {
  const existing = new Map(live(stack).map((r) => [r.logicalId, r]));
  const wanted = Object.keys(newTemplate.Resources).filter((id) => {
    const c = newTemplate.Resources[id]!.Condition;
    return c === undefined || conditions[String(c)];
  });
  // NoEcho values are masked in the record: compare the real ones.
  const oldParams = new Map(
    stack.parameters.map((p) => [p.key, p.noEcho ? JSON.stringify(previousNoEcho[p.key] ?? p.value) : p.raw]),
  );
  const changedParams = new Set(
    parameters
      .filter((p) => oldParams.get(p.key) !== (p.noEcho ? JSON.stringify(noEcho[p.key] ?? p.value) : p.raw))
      .map((p) => p.key),
  );
  const ctx: EvalContext = {
    parameters: { ...Object.fromEntries(parameters.map((p) => [p.key, p.value])), ...noEcho },
    pseudo: {
      region: stack.region,
      accountId: stack.accountId,
      stackName: stack.stackName,
      stackId: stack.stackId,
      partition: world.data.partition,
      urlSuffix: 'amazonaws.com',
    },
    conditions,
    mappings: (newTemplate.Mappings ?? {}) as EvalContext['mappings'],
    resource: (id) => existing.get(id)?.values ?? (wanted.includes(id) ? unknownValues() : undefined),
    availabilityZones: (r) => world.region(r)?.availabilityZones.map((z) => z.name) ?? [],
  };
  const changes: PlannedChange[] = [];
  const typeChanged: string[] = [];
  for (const id of wanted) {
    const decl = newTemplate.Resources[id]!;
    const current = existing.get(id);
    if (current && current.type !== decl.Type) typeChanged.push(id);
    if (!current) {
      changes.push({ action: 'Add', logicalId: id, type: decl.Type, scope: [], details: [] });
      continue;
    }
    const after = (evaluate(decl.Properties ?? {}, ctx) ?? {}) as Record<string, unknown>;
    const before = (current.properties ?? {}) as Record<string, unknown>;
    const oldDecl = oldTemplate.Resources[id];
    const details: PlannedChange['details'] = [];
    for (const name of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
      if (sameValue(before[name], after[name]) && !JSON.stringify(after[name] ?? null).includes(UNKNOWN)) continue;
      // NoEcho values are masked in the record: compare what the template asks for instead.
      if (
        JSON.stringify(before[name] ?? null).includes('****') &&
        sameValue(oldDecl?.Properties?.[name], decl.Properties?.[name]) &&
        ![...collectReferences(decl.Properties?.[name]).refs].some((r) => changedParams.has(r))
      )
        continue;
      const refs = collectReferences(decl.Properties?.[name]);
      const causing = [...refs.refs].find((r) => changedParams.has(r));
      const dynamic = JSON.stringify(after[name] ?? null).includes(UNKNOWN);
      const recreation = requiresRecreation(decl.Type, name, before[name], after[name]);
      details.push({
        Target: {
          Attribute: 'Properties',
          Name: name,
          RequiresRecreation: dynamic && recreation === 'Never' ? 'Never' : recreation,
        },
        Evaluation: dynamic ? 'Dynamic' : 'Static',
        ChangeSource: dynamic
          ? 'ResourceReference'
          : causing && sameValue(oldDecl?.Properties?.[name], decl.Properties?.[name])
            ? 'ParameterReference'
            : 'DirectModification',
        ...(causing && !dynamic ? { CausingEntity: causing } : {}),
      });
    }
    if (!details.length) continue;
    const replacement = details.some((d) => d.Target.RequiresRecreation === 'Always') ? 'True' : 'False';
    changes.push({
      action: 'Modify',
      logicalId: id,
      physicalId: current.physicalId,
      type: decl.Type,
      replacement,
      scope: ['Properties'],
      details,
    });
  }
  if (typeChanged.length) {
    throw new TemplateError(
      `Update of resource type is not permitted. The new template modifies resource type of the following resources: [${typeChanged.join(', ')}]`,
    );
  }
  for (const r of live(stack)) {
    if (!wanted.includes(r.logicalId))
      changes.push({
        action: 'Remove',
        logicalId: r.logicalId,
        physicalId: r.physicalId,
        type: r.type,
        scope: [],
        details: [],
      });
  }
  return changes;
}

/** Resource records for a new stack: conditions applied, dependencies computed, bad references rejected. */
export function plannedResources(
  template: Template,
  conditions: Record<string, boolean>,
  now: string,
): ResourceRecord[] {
  const all = template.Resources;
  const created = Object.keys(all).filter(
    (id) => all[id]!.Condition === undefined || conditions[String(all[id]!.Condition)],
  );
  const createdSet = new Set(created);
  const unresolved: string[] = [];
  const records = created.map((id) => {
    const res = all[id]!;
    const refs = effectiveReferences(res.Properties, conditions);
    const dependsOn = new Set<string>();
    for (const d of staticDependencies(id, all)) {
      // A static dependency that survives conditions, or an explicit DependsOn, must be created too.
      const explicit = (
        Array.isArray(res.DependsOn) ? res.DependsOn : res.DependsOn !== undefined ? [res.DependsOn] : []
      ).includes(d);
      if (!explicit && !refs.has(d)) continue;
      if (!createdSet.has(d)) {
        if (!unresolved.includes(d)) unresolved.push(d);
        continue;
      }
      dependsOn.add(d);
    }
    const record: ResourceRecord = {
      logicalId: id,
      type: res.Type,
      dependsOn: [...dependsOn],
      status: 'NOT_STARTED',
      lastUpdated: now,
    };
    if (res.DeletionPolicy !== undefined) record.deletionPolicy = String(res.DeletionPolicy);
    return record;
  });
  if (unresolved.length) {
    throw new TemplateError(
      `Template format error: Unresolved resource dependencies [${unresolved.join(', ')}] in the Resources block of the template`,
    );
  }
  return records;
}
