/** The template's dependency graph (DependsOn plus Ref / Fn::GetAtt / Fn::Sub between resources). */
import type { CfnTemplate } from '../template/index.js';

export interface ResourceGraph {
  types: Record<string, string>;
  /** logical id → the resources it waits for. */
  dependsOn: Record<string, string[]>;
  conditional: Record<string, boolean>;
}

function referencedIds(value: unknown, ids: Set<string>, out: Set<string>): void {
  if (Array.isArray(value)) {
    for (const v of value) referencedIds(v, ids, out);
    return;
  }
  if (!value || typeof value !== 'object') return;
  for (const [k, v] of Object.entries(value)) {
    if (k === 'Ref' && typeof v === 'string' && ids.has(v)) out.add(v);
    else if (k === 'Fn::GetAtt') {
      const target = Array.isArray(v) ? v[0] : typeof v === 'string' ? v.split('.')[0] : undefined;
      if (typeof target === 'string' && ids.has(target)) out.add(target);
    } else if (k === 'Fn::Sub') {
      const text = Array.isArray(v) ? v[0] : v;
      if (typeof text === 'string')
        for (const m of text.matchAll(/\$\{([A-Za-z0-9]+)(?:\.[^}]*)?\}/g)) if (ids.has(m[1]!)) out.add(m[1]!);
      if (Array.isArray(v)) referencedIds(v[1], ids, out);
    }
    referencedIds(v, ids, out);
  }
}

export function resourceGraph(template: CfnTemplate): ResourceGraph {
  const ids = new Set(Object.keys(template.Resources));
  const graph: ResourceGraph = { types: {}, dependsOn: {}, conditional: {} };
  for (const [id, r] of Object.entries(template.Resources)) {
    const deps = new Set<string>();
    const explicit = r.DependsOn === undefined ? [] : Array.isArray(r.DependsOn) ? r.DependsOn : [r.DependsOn];
    for (const d of explicit) deps.add(d);
    referencedIds(r.Properties ?? {}, ids, deps);
    deps.delete(id);
    graph.types[id] = r.Type;
    graph.dependsOn[id] = [...deps].sort();
    graph.conditional[id] = r.Condition !== undefined;
  }
  return graph;
}

/** Logical ids in an order where every resource comes after what it depends on. */
export function topologicalOrder(graph: ResourceGraph, ids: readonly string[]): string[] {
  const wanted = new Set(ids);
  const seen = new Set<string>();
  const order: string[] = [];
  const visit = (id: string, path: Set<string>) => {
    if (seen.has(id) || !wanted.has(id)) return;
    if (path.has(id)) throw new Error(`dependency cycle at ${id}`);
    path.add(id);
    for (const d of graph.dependsOn[id] ?? []) visit(d, path);
    path.delete(id);
    seen.add(id);
    order.push(id);
  };
  for (const id of [...ids].sort()) visit(id, new Set());
  return order;
}
