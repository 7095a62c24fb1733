/**
 * `--only a,b` for the benchmarks: the names must all exist. A misspelt name would otherwise drop its
 * measurement without a word and the goal line would judge what is left — a skipped measurement is a
 * broken one.
 */
export function selectOnly<T>(all: readonly T[], nameOf: (t: T) => string, only: ReadonlySet<string> | undefined): T[] {
  if (!only) return [...all];
  const names = all.map(nameOf);
  const unknown = [...only].filter((n) => !names.includes(n));
  if (unknown.length) throw new Error(`--only ${unknown.join(',')}: no such name (choose from ${names.join(', ')})`);
  return all.filter((t) => only.has(nameOf(t)));
}
