/**
 * PATCH bodies as kube-apiserver applies them:
 *
 * - application/merge-patch+json (RFC 7386): maps merge, `null` deletes, lists replace.
 * - application/strategic-merge-patch+json: like a merge patch, except lists of objects that carry a
 *   `name` (containers, env, volumes, ports by `containerPort`…) merge element by element on that key, and
 *   `$patch: replace|delete` directives; `$setElementOrder/…` and `$retainKeys` are read and dropped.
 * - application/json-patch+json (RFC 6902): add, remove, replace, test, copy, move.
 *
 * Only the merge keys of the fields the sandbox's resources have are known (see MERGE_KEYS).
 */

type Json = unknown;
type Obj = Record<string, Json>;

const isObj = (v: Json): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function mergePatch(target: Json, patch: Json): Json {
  if (!isObj(patch)) return patch;
  const out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** Patch-merge keys of the list fields the sandbox's objects hold (from the Go types' patchMergeKey tags). */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  ports: 'containerPort',
  imagePullSecrets: 'name',
  ownerReferences: 'uid',
  conditions: 'type',
  taints: 'key',
  tolerations: '',
  finalizers: '',
};

export function strategicMergePatch(target: Json, patch: Json, field = ''): Json {
  if (!isObj(patch)) {
    if (Array.isArray(patch) && Array.isArray(target)) return mergeList(target, patch, field);
    return patch;
  }
  if (patch['$patch'] === 'replace') {
    const { $patch: _p, ...rest } = patch;
    return rest;
  }
  if (patch['$patch'] === 'delete') return undefined;
  const out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$setElementOrder/') || k === '$retainKeys' || k.startsWith('$deleteFromPrimitiveList/')) continue;
    if (v === null) delete out[k];
    else {
      const merged = strategicMergePatch(out[k], v, k);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    }
  }
  return out;
}

function mergeList(target: Json[], patch: Json[], field: string): Json[] {
  const key = MERGE_KEYS[field];
  if (!key || !patch.every(isObj)) return patch.filter((p) => !(isObj(p) && p['$patch'] === 'replace'));
  const out = [...target];
  for (const p of patch as Obj[]) {
    const i = out.findIndex((t) => isObj(t) && t[key] === p[key]);
    if (p['$patch'] === 'delete') {
      if (i >= 0) out.splice(i, 1);
    } else if (i >= 0) out[i] = strategicMergePatch(out[i], p, '');
    else out.push(p);
  }
  return out;
}

export class JsonPatchError extends Error {}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new JsonPatchError(`invalid JSON pointer "${path}"`);
  return path
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function jsonPatch(doc: Json, ops: Json): Json {
  if (!Array.isArray(ops))
    throw new JsonPatchError('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let root = structuredClone(doc);
  for (const op of ops as Obj[]) {
    const path = pointer(String(op['path'] ?? ''));
    const get = (p: string[]): Json =>
      p.reduce<Json>((v, k) => (Array.isArray(v) ? v[Number(k)] : isObj(v) ? v[k] : undefined), root);
    const parentOf = (p: string[]) => {
      const parent = get(p.slice(0, -1));
      if (!isObj(parent) && !Array.isArray(parent))
        throw new JsonPatchError(`doc is missing path: "${String(op['path'])}": missing value`);
      return parent;
    };
    const set = (p: string[], v: Json, insert: boolean) => {
      if (p.length === 0) {
        root = v;
        return;
      }
      const parent = parentOf(p);
      const last = p[p.length - 1]!;
      if (Array.isArray(parent)) {
        const i = last === '-' ? parent.length : Number(last);
        if (insert) parent.splice(i, 0, v);
        else parent[i] = v;
      } else parent[last] = v;
    };
    const remove = (p: string[]) => {
      const parent = parentOf(p);
      const last = p[p.length - 1]!;
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else {
        if (!(last in parent)) throw new JsonPatchError(`Unable to remove nonexistent key: ${last}: missing value`);
        delete parent[last];
      }
    };
    switch (op['op']) {
      case 'add':
        set(path, op['value'], true);
        break;
      case 'replace':
        if (get(path) === undefined)
          throw new JsonPatchError(
            `replace operation does not apply: doc is missing key: ${String(op['path'])}: missing value`,
          );
        set(path, op['value'], false);
        break;
      case 'remove':
        remove(path);
        break;
      case 'test':
        if (JSON.stringify(get(path)) !== JSON.stringify(op['value']))
          throw new JsonPatchError(`testing value ${String(op['path'])} failed: test failed`);
        break;
      case 'copy':
        set(path, structuredClone(get(pointer(String(op['from'])))), true);
        break;
      case 'move': {
        const from = pointer(String(op['from']));
        const v = get(from);
        remove(from);
        set(path, v, true);
        break;
      }
      default:
        throw new JsonPatchError(`Unexpected kind: ${String(op['op'])}`);
    }
  }
  return root;
}
