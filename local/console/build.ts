/**
 * Builds the web console (Vite) when console/dist is missing or older than its sources, so
 * `npm start` and the browser tests always serve the console of this checkout.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CONSOLE_DIR = fileURLToPath(new URL('../../console/', import.meta.url));
export const CONSOLE_DIST = join(CONSOLE_DIR, 'dist');

/**
 * Where the build goes and is served from: console/dist, or EKS_PROVISIONER_CONSOLE_DIST (the browser
 * tests build into .local/ so they never rewrite console/dist while other tests synthesize the stack from it).
 */
export function consoleDist(): string {
  return process.env['EKS_PROVISIONER_CONSOLE_DIST'] || CONSOLE_DIST;
}

function newestMtime(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = 0;
  for (const e of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, e)));
  return newest;
}

/** True when dist/index.html is missing or a source file changed after it was built. */
export function consoleBuildIsStale(outDir = consoleDist()): boolean {
  const built = join(outDir, 'index.html');
  if (!existsSync(built)) return true;
  // ../shared: code the console shares with the command line (e.g. SigV4 for execute-api).
  const sources = ['src', 'public', 'index.html', 'vite.config.ts', '../shared']
    .map((p) => join(CONSOLE_DIR, p))
    .filter((p) => existsSync(p));
  const newest = Math.max(...sources.map(newestMtime));
  return newest > statSync(built).mtimeMs;
}

/** Builds when stale; answers what it did (for the start-up line). */
export async function ensureConsoleBuilt(
  o: { force?: boolean; outDir?: string } = {},
): Promise<'built' | 'up-to-date'> {
  const outDir = o.outDir ?? consoleDist();
  if (!o.force && !consoleBuildIsStale(outDir)) return 'up-to-date';
  // vite is a dev dependency: only this path needs it.
  const { build } = await import('vite');
  await build({
    configFile: join(CONSOLE_DIR, 'vite.config.ts'),
    logLevel: 'error',
    build: { outDir, emptyOutDir: true },
  });
  return 'built';
}
