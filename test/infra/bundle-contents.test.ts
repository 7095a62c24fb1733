/**
 * What each function's bundle carries (same esbuild options as the stack, infra/bundling.ts). The
 * bundle size goal hangs on two things a harmless-looking edit can undo:
 * - each function bundles only the SDK clients it calls (lib/aws/clients.ts factories, tree-shaken):
 *   the EC2 client alone is ~540 KiB minified and cannot be tree-shaken inside;
 * - zod/mini only (~30 KiB; classic zod is ~85 KiB more and ~40 ms more import CPU), English locale
 *   only, and only where a schema is parsed. `z.core.X` or `z.locales` used at run time through the
 *   namespace would pull in all of zod's core (compiler, JSON Schema, ~80 locales): import such
 *   pieces from 'zod/v4/core' by name.
 * Sizes and import times are the benchmark's job (bench/bundle-size.ts); this checks the contents.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { describe, expect, it } from 'vitest';
import { esbuildOptions } from '../../infra/bundling.js';
import { functionEntry, type FunctionName } from '../../infra/functions.js';
import { PROJECT_ROOT } from '../../infra/service-app.js';

/** The AWS service clients each function constructs (its own calls, plus the table and role-B STS). */
const EXPECTED_CLIENTS: Record<FunctionName, string[]> = {
  'validate-request': ['dynamodb'],
  'assume-provision-role': ['dynamodb', 'ec2', 'sts'],
  'describe-vpc-resources': ['cloudformation', 'dynamodb', 'ec2', 'eks', 'iam', 'sts'],
  'create-cluster-stack': ['cloudformation', 'dynamodb', 'sts'],
  'poll-cluster-stack': ['cloudformation', 'dynamodb', 'sts'],
  'diagnose-failure': ['cloudformation', 'dynamodb', 'sts'],
  'finalize-cluster': ['cloudformation', 'dynamodb', 'eks', 'sts'],
  'delete-cluster-stack': ['cloudformation', 'dynamodb', 'sts'],
  'poll-stack-deletion': ['cloudformation', 'dynamodb', 'sts'],
  'complete-deletion': ['cloudformation', 'dynamodb', 'sts'],
  api: ['cloudformation', 'dynamodb', 'ec2', 'eks', 'iam', 'sfn', 'sts'],
};
const USES_ZOD = new Set<FunctionName>(['validate-request', 'api']);

async function bundleInputs(name: FunctionName): Promise<string[]> {
  const outfile = path.join(os.tmpdir(), `eks-provisioner-contents-${name}`, 'index.mjs');
  const built = await esbuild.build({ ...esbuildOptions(path.join(PROJECT_ROOT, functionEntry(name)), outfile), write: false, metafile: true, absWorkingDir: PROJECT_ROOT });
  const output = Object.values(built.metafile!.outputs).find((o) => o.entryPoint)!;
  return Object.entries(output.inputs)
    .filter(([, v]) => v.bytesInOutput > 0)
    .map(([file]) => file);
}

/** `client-ec2/dist-es/EC2Client.js` in the output means an EC2 client is constructed. */
function serviceClients(inputs: string[]): string[] {
  const found = inputs
    .map((f) => /node_modules\/@aws-sdk\/client-([a-z0-9-]+)\/dist-[a-z]+\/[A-Za-z0-9]+Client\.js$/.exec(f)?.[1])
    .filter((s): s is string => !!s);
  return [...new Set(found)].sort();
}

describe('bundle contents per function', () => {
  for (const [name, expected] of Object.entries(EXPECTED_CLIENTS) as Array<[FunctionName, string[]]>) {
    it(`${name}: the SDK clients it calls, and zod ${USES_ZOD.has(name) ? '(mini, English only)' : 'not at all'}`, async () => {
      const inputs = await bundleInputs(name);
      expect(serviceClients(inputs)).toEqual(expected);
      const zod = inputs.filter((f) => f.includes('node_modules/zod/'));
      if (USES_ZOD.has(name)) {
        expect(zod.length).toBeGreaterThan(0);
        // zod/mini, not classic (classic's method-chaining API alone is ~85 KiB minified).
        expect(zod.filter((f) => f.includes('/v4/mini/'))).not.toEqual([]);
        expect(zod.filter((f) => f.includes('/v4/classic/'))).toEqual([]);
        // Nothing of zod's core the schemas don't run: the JIT compiler, JSON Schema.
        expect(zod.map((f) => path.basename(f)).filter((f) => /^(compile|to-json-schema|json-schema-processors|json-schema-generator)\.js$/.test(f))).toEqual([]);
        // English only: the locale the messages are written in (lib/schema/zod-locale.ts registers it).
        expect(zod.filter((f) => f.includes('/locales/')).map((f) => path.basename(f))).toEqual(['en.js']);
      } else {
        expect(zod).toEqual([]);
      }
    }, 60_000);
  }
});
