/**
 * Merging one cluster's kubeconfig into a user's kubeconfig file, the way `aws eks update-kubeconfig`
 * does: clusters, users and contexts of the same name are replaced, every other entry (and any other
 * top-level key) is kept, and current-context becomes the new context.
 */
import { parse, stringify } from 'yaml';

type Named = { name: string; [k: string]: unknown };
const LISTS = ['clusters', 'users', 'contexts'] as const;
type ListName = (typeof LISTS)[number];

export interface MergeResult {
  text: string;
  context: string;
  /** Per list: whether an entry of that name was replaced (else it was added). */
  replaced: Record<ListName, boolean>;
}

export class KubeconfigFileError extends Error {
  override readonly name = 'KubeconfigFileError';
}

function readDoc(text: string, what: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new KubeconfigFileError(
      `${what} is not valid YAML (${(e as Error).message.split('\n')[0]}); fix or move it, then retry. Nothing was written.`,
    );
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc))
    throw new KubeconfigFileError(
      `${what} is not a kubeconfig (a YAML mapping with clusters, users, contexts). Nothing was written.`,
    );
  return doc as Record<string, unknown>;
}

function listOf(doc: Record<string, unknown>, key: ListName, what: string): Named[] {
  const v = doc[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new KubeconfigFileError(`${what}: "${key}" must be a list. Nothing was written.`);
  return v as Named[];
}

/** `existing`: the file's text (undefined or empty when there is none); `incoming`: the API's kubeconfig. */
export function mergeKubeconfig(
  existing: string | undefined,
  incoming: string,
  existingName = 'the kubeconfig file',
): MergeResult {
  const base = readDoc(existing ?? '', existingName);
  const add = readDoc(incoming, 'The API answer');
  const context = add['current-context'];
  if (typeof context !== 'string' || !context)
    throw new KubeconfigFileError('The API answer has no current-context; nothing was written.');
  const replaced = { clusters: false, users: false, contexts: false };
  const out: Record<string, unknown> = { apiVersion: 'v1', kind: 'Config', ...base };
  for (const key of LISTS) {
    const current = listOf(base, key, existingName);
    const entries = listOf(add, key, 'The API answer');
    const names = new Set(entries.map((e) => e.name));
    replaced[key] = current.some((e) => e && names.has(e.name));
    // Same-name entries are replaced in place (their position kept); new ones go at the end.
    const merged = current.map((e) => (e && names.has(e.name) ? entries.find((n) => n.name === e.name)! : e));
    for (const e of entries) if (!current.some((c) => c && c.name === e.name)) merged.push(e);
    out[key] = merged;
  }
  out['current-context'] = context;
  return { text: stringify(out, { lineWidth: 0 }), context, replaced };
}

/** The file `aws eks update-kubeconfig` writes to: the first path of $KUBECONFIG, else ~/.kube/config. */
export function defaultKubeconfigPath(env: NodeJS.ProcessEnv, home: string, delimiter: string): string {
  const first = (env['KUBECONFIG'] ?? '').split(delimiter).find((p) => p.trim() !== '');
  return first ?? `${home}/.kube/config`;
}
