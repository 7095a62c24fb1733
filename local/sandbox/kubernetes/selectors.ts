/**
 * Label and field selectors as the API server parses them (`?labelSelector=`, `?fieldSelector=`, and the
 * `spec.selector` of Deployments and PodDisruptionBudgets). Unknown field labels are a 400, as
 * kube-apiserver answers: each resource supports only the fields it registers.
 */
import type { KubeObject } from './objects.js';

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** Does a metav1.LabelSelector select these labels? An empty selector selects everything. */
export function selects(sel: LabelSelector | undefined, labels: Record<string, string> | undefined): boolean {
  if (!sel) return false;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = Object.hasOwn(l, e.key);
    const vals = e.values ?? [];
    if (e.operator === 'In' && !(has && vals.includes(l[e.key]!))) return false;
    if (e.operator === 'NotIn' && has && vals.includes(l[e.key]!)) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

type Pred = (o: KubeObject) => boolean;
export type Parsed = { ok: true; test: Pred } | { ok: false; message: string };

/** `?labelSelector=`: `a=b`, `a==b`, `a!=b`, `a`, `!a`, `a in (x,y)`, `a notin (x,y)`, comma-joined. */
export function parseLabelQuery(q: string | null): Parsed {
  if (!q) return { ok: true, test: () => true };
  const terms: Pred[] = [];
  // Split on commas outside parentheses.
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of q) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  for (const raw of parts) {
    const t = raw.trim();
    let m: RegExpExecArray | null;
    const labels = (o: KubeObject) => o.metadata.labels ?? {};
    if ((m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(t))) {
      const [, key, op, list] = m;
      const vals = list!.split(',').map((s) => s.trim());
      terms.push(
        op === 'in'
          ? (o) => vals.includes(labels(o)[key!] as string)
          : (o) => !vals.includes(labels(o)[key!] as string),
      );
    } else if ((m = /^([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)$/.exec(t))) {
      const [, key, op, val] = m;
      terms.push(op === '!=' ? (o) => labels(o)[key!] !== val : (o) => labels(o)[key!] === val);
    } else if ((m = /^!([\w./-]+)$/.exec(t))) {
      const key = m[1]!;
      terms.push((o) => !(key in labels(o)));
    } else if ((m = /^([\w./-]+)$/.exec(t))) {
      const key = m[1]!;
      terms.push((o) => key in labels(o));
    } else {
      return { ok: false, message: `unable to parse requirement: found '${t}', expected: identifier` };
    }
  }
  return { ok: true, test: (o) => terms.every((p) => p(o)) };
}

function fieldValue(o: KubeObject, path: string): string {
  let v: unknown = o;
  for (const p of path.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[p] : undefined;
  if (v === undefined || v === null) return '';
  return String(v);
}

/** The field labels each resource registers (pkg/registry/…/strategy.go), beyond metadata.name/namespace. */
const FIELDS: Record<string, string[]> = {
  pods: [
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'spec.hostNetwork',
    'status.phase',
    'status.podIP',
    'status.nominatedNodeName',
  ],
  nodes: ['spec.unschedulable'],
  namespaces: ['status.phase'],
  events: [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
};

/** `?fieldSelector=`: `f=v`, `f==v`, `f!=v`, comma-joined, over the fields the resource supports. */
export function parseFieldQuery(resource: string, q: string | null): Parsed {
  if (!q) return { ok: true, test: () => true };
  const allowed = ['metadata.name', 'metadata.namespace', ...(FIELDS[resource] ?? [])];
  const terms: Pred[] = [];
  for (const raw of q.split(',')) {
    const m = /^([^=!]+)(==|=|!=)(.*)$/.exec(raw.trim());
    if (!m) return { ok: false, message: `invalid selector: '${q}'; can't understand '${raw}'` };
    const [, field, op, val] = m;
    if (!allowed.includes(field!)) {
      return {
        ok: false,
        message: FIELDS[resource]
          ? `field label not supported: ${field}`
          : `"${field}" is not a known field selector: only "metadata.name", "metadata.namespace"`,
      };
    }
    // source is reported as source.component
    const path = field === 'source' ? 'source.component' : field!;
    terms.push(op === '!=' ? (o) => fieldValue(o, path) !== val : (o) => fieldValue(o, path) === val);
  }
  return { ok: true, test: (o) => terms.every((p) => p(o)) };
}
