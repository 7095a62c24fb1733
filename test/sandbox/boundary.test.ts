/**
 * The sandbox is a model of AWS and knows nothing of the product: nothing under local/sandbox/ imports the
 * product's code (functions/, shared/, console/, infra/, cli/) or the local stack around it (local/runner,
 * local/demo, local/api, local/cli), and no file there names the product. Whoever seeds the sandbox with
 * the product's world does it from outside (local/runner/product-world.ts).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SANDBOX = join(ROOT, 'local', 'sandbox');

const FORBIDDEN_ROOTS = [
  'functions',
  'shared',
  'console',
  'infra',
  'cli',
  'local/runner',
  'local/demo',
  'local/api',
  'local/cli',
];
const PRODUCT_NAME = /eks[-_ ]?provisioner/i;
/** The one mention allowed: the saved-state format name written before the rename, still read (persist/state-dir.ts). */
const ALLOWED_MENTIONS = new Set([
  "const READABLE_FORMATS: readonly string[] = [SAVED_FORMAT, 'eks-provisioner-sandbox/1'];",
]);

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Relative module specifiers of static imports/exports, side-effect imports and dynamic import() calls. */
function importSpecifiers(source: string): string[] {
  const found: string[] = [];
  const patterns = [
    /\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"`]([^'"`]+)['"`]\s*\)/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const p of patterns) for (const m of source.matchAll(p)) found.push(m[1]!);
  return found.filter((s) => s.startsWith('.'));
}

/** The forbidden root a file under local/sandbox reaches with this specifier, if any. */
function forbiddenTarget(file: string, specifier: string): string | undefined {
  const target = relative(ROOT, resolve(dirname(file), specifier))
    .split(sep)
    .join('/');
  return FORBIDDEN_ROOTS.find((root) => target === root || target.startsWith(`${root}/`));
}

/** Lines naming the product, except the allowed ones. */
function productMentions(text: string): string[] {
  return text.split('\n').filter((line) => PRODUCT_NAME.test(line) && !ALLOWED_MENTIONS.has(line.trim()));
}

const CODE = /\.(ts|tsx|mts|js|mjs|cjs)$/;
const files = filesUnder(SANDBOX);

describe('the sandbox boundary', () => {
  it('finds the sandbox sources', () => {
    expect(files.filter((f) => CODE.test(f)).length).toBeGreaterThan(40);
  });

  it('local/sandbox imports nothing of the product or the local stack around it', () => {
    const offending = files
      .filter((f) => CODE.test(f))
      .flatMap((f) =>
        importSpecifiers(readFileSync(f, 'utf8')).flatMap((s) =>
          forbiddenTarget(f, s) ? [`${relative(ROOT, f)} → ${s}`] : [],
        ),
      );
    expect(offending).toEqual([]);
  });

  it('no file under local/sandbox names the product', () => {
    const offending = files.flatMap((f) =>
      productMentions(readFileSync(f, 'utf8')).map((line) => `${relative(ROOT, f)}: ${line.trim().slice(0, 120)}`),
    );
    expect(offending).toEqual([]);
  });

  it('the checks catch what they are for', () => {
    const file = join(SANDBOX, 'cloudformation', 'engine', 'run.ts');
    expect(
      importSpecifiers(`import { DEFAULTS } from '../../../../functions/lib/config.js';`).map((s) =>
        forbiddenTarget(file, s),
      ),
    ).toEqual(['functions']);
    expect(
      importSpecifiers(`const m = await import('../../../runner/product-world.js');`).map((s) =>
        forbiddenTarget(file, s),
      ),
    ).toEqual(['local/runner']);
    expect(
      importSpecifiers(`export * from '../../../../shared/x.js';\nimport '../../../demo/demo.js';`).map((s) =>
        forbiddenTarget(file, s),
      ),
    ).toEqual(['shared', 'local/demo']);
    expect(
      importSpecifiers(
        `import { checkRequest } from '../../../loopback/request-guard.js';\nimport { x } from '../../world/world.js';`,
      ).map((s) => forbiddenTarget(file, s)),
    ).toEqual([undefined, undefined]);
    expect(
      productMentions(
        `const user = 'eks-provisioner';\nconst id = 'AIDAEKSPROVISIONER01';\nconst ok = 'csi-provisioner';`,
      ),
    ).toHaveLength(2);
  });
});
