/**
 * Bundles one function for CDK (infra/constructs/service-function.ts runs this in a child process:
 * CDK's local bundling hook is synchronous, and esbuild's synchronous API takes no plugins).
 *
 *   node --import tsx infra/bundle-function.ts <entry.ts> <output dir>
 *
 * Writes <output dir>/index.mjs and index.mjs.map; exits non-zero, naming the function and the limit,
 * when the bundle is over BUNDLE_SIZE_LIMIT_BYTES (a deploy must not quietly grow past it).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { BUNDLE_SIZE_LIMIT_BYTES, esbuildOptions } from './bundling.js';

export async function bundleFunction(entry: string, outdir: string, absWorkingDir: string): Promise<number> {
  const outfile = path.join(outdir, 'index.mjs');
  await esbuild.build({ ...esbuildOptions(entry, outfile), absWorkingDir });
  const bytes = fs.statSync(outfile).size;
  if (bytes > BUNDLE_SIZE_LIMIT_BYTES) {
    throw new Error(
      `${path.relative(absWorkingDir, entry)} bundles to ${(bytes / 1024).toFixed(0)} KiB, over the ${BUNDLE_SIZE_LIMIT_BYTES / 1024} KiB limit: ` +
        'see which inputs grew with `npx tsx bench/bundle-size.ts --only <function>` (or an esbuild metafile) and import less.',
    );
  }
  return bytes;
}

const [entry, outdir] = process.argv.slice(2);
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (!entry || !outdir) {
    console.error('usage: node --import tsx infra/bundle-function.ts <entry.ts> <output dir>');
    process.exit(2);
  }
  bundleFunction(path.resolve(entry), path.resolve(outdir), process.cwd()).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
