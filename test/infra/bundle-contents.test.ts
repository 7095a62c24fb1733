/**
 * What each function's bundle carries (same esbuild options as the stack, infra/bundling.ts), and
 * that every function infra defines bundles to ≤ 1 MiB. The size goal hangs on things a
 * harmless-looking edit can undo:
 * - each function bundles only the SDK clients it calls (lib/aws/clients.ts factories, tree-shaken);
 * - inside a client, only the schemas of the operations it sends: the EC2 client's full schema module
 *   is ~540 KiB minified, and only the sdk-schema-tree-shaking plugin lets esbuild drop the rest;
 * - zod/mini only (~30 KiB; classic zod is ~85 KiB more and ~40 ms more import CPU), English locale
 *   only, and only where a schema is parsed. `z.core.X` or `z.locales` used at run time through the
 *   namespace would pull in all of zod's core (compiler, JSON Schema, ~80 locales): import such
 *   pieces from 'zod/v4/core' by name.
 * Import times are the benchmark's job (bench/bundle-size.ts); this checks contents and size.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { describe, expect, it } from 'vitest';
import { BUNDLE_SIZE_LIMIT_BYTES, esbuildOptions } from '../../infra/bundling.js';
import { FUNCTIONS, type FunctionName, functionEntry } from '../../infra/functions.js';
import { PROJECT_ROOT } from '../../infra/service-app.js';

/** The AWS service clients each function constructs (its own calls, plus the table and role-B STS). */
// Only the functions that prove role B demands the External ID (role B reads its own trust policy with
// iam:GetRole: AssumeProvisionRole and the API) or read role A (DescribeVpcResources) carry the IAM client;
// provision-role.ts takes the proof as an argument so the other role-B functions do not (~33 KiB each).
const EXPECTED_CLIENTS: Partial<Record<FunctionName, string[]>> = {
  'validate-request': ['dynamodb'],
  'assume-provision-role': ['dynamodb', 'ec2', 'iam', 'sts'],
  'describe-vpc-resources': ['cloudformation', 'dynamodb', 'ec2', 'eks', 'iam', 'sts'],
  'create-cluster-stack': ['cloudformation', 'dynamodb', 'sts'],
  'poll-cluster-stack': ['cloudformation', 'dynamodb', 'sts'],
  'diagnose-failure': ['cloudformation', 'dynamodb', 'sts'],
  'finalize-cluster': ['cloudformation', 'dynamodb', 'eks', 'sts'],
  'configure-cluster': ['dynamodb', 'eks', 'sts'],
  'delete-cluster-stack': ['cloudformation', 'dynamodb', 'sts'],
  'poll-stack-deletion': ['cloudformation', 'dynamodb', 'sts'],
  'complete-deletion': ['cloudformation', 'dynamodb', 'sts'],
  'update-cluster': ['cloudformation', 'dynamodb', 'ec2', 'eks', 'sts'],
  'support-check': ['dynamodb', 'eks', 'eventbridge', 'sts'],
  'record-ended-execution': ['dynamodb', 'eventbridge'],
  api: ['cloudformation', 'dynamodb', 'ec2', 'eks', 'iam', 'sfn', 'sts'],
};
const USES_ZOD = new Set<FunctionName>(['validate-request', 'api', 'update-cluster']);

interface Bundle {
  /** Input files with at least one byte in the output. */
  inputs: string[];
  /** Bytes each input contributes. */
  bytesOf: (pathPart: string) => number;
  /** Size of index.mjs as deployed (minified, without its source map). */
  bytes: number;
  text: string;
}

const bundles = new Map<FunctionName, Promise<Bundle>>();
function bundle(name: FunctionName): Promise<Bundle> {
  if (!bundles.has(name)) bundles.set(name, build(name));
  return bundles.get(name)!;
}
async function build(name: FunctionName): Promise<Bundle> {
  const outfile = path.join(os.tmpdir(), `eks-provisioner-contents-${name}`, 'index.mjs');
  const built = await esbuild.build({
    ...esbuildOptions(path.join(PROJECT_ROOT, functionEntry(name)), outfile),
    write: false,
    metafile: true,
    absWorkingDir: PROJECT_ROOT,
  });
  const output = Object.values(built.metafile!.outputs).find((o) => o.entryPoint)!;
  const used = Object.entries(output.inputs).filter(([, v]) => v.bytesInOutput > 0);
  return {
    inputs: used.map(([file]) => file),
    bytesOf: (part) => used.filter(([f]) => f.includes(part)).reduce((n, [, v]) => n + v.bytesInOutput, 0),
    bytes: built.outputFiles!.find((f) => f.path.endsWith('.mjs'))!.contents.byteLength,
    text: built.outputFiles!.find((f) => f.path.endsWith('.mjs'))!.text,
  };
}
const bundleInputs = async (name: FunctionName) => (await bundle(name)).inputs;

/** `client-ec2/dist-es/EC2Client.js` in the output means an EC2 client is constructed. */
function serviceClients(inputs: string[]): string[] {
  const found = inputs
    .map((f) => /node_modules\/@aws-sdk\/client-([a-z0-9-]+)\/dist-[a-z]+\/[A-Za-z0-9]+Client\.js$/.exec(f)?.[1])
    .filter((s): s is string => !!s);
  return [...new Set(found)].sort();
}

/** Functions infra defines whose handler exists (other work may add entries before handlers). */
const BUILT = FUNCTIONS.filter((f) => fs.existsSync(path.join(PROJECT_ROOT, functionEntry(f.name)))).map((f) => f.name);

describe('bundle size per function', () => {
  for (const name of BUILT) {
    const limit = BUNDLE_SIZE_LIMIT_BYTES;
    it(`${name}: ≤ ${(limit / 1024 / 1024).toFixed(1)} MiB minified`, async () => {
      const { bytes } = await bundle(name);
      expect(bytes, `${name} is ${(bytes / 1024).toFixed(0)} KiB`).toBeLessThanOrEqual(limit);
    }, 60_000);
  }

  it('configure-cluster and update-cluster (naming a blocking PodDisruptionBudget) talk to Kubernetes without @kubernetes/client-node (its models alone are ~2 MiB)', async () => {
    for (const name of ['configure-cluster', 'update-cluster'] as const) {
      const inputs = await bundleInputs(name);
      expect(
        inputs.filter((f) => f.includes('node_modules/@kubernetes/')),
        name,
      ).toEqual([]);
    }
    expect((await bundleInputs('update-cluster')).some((f) => f.endsWith('lib/kubernetes/disruption.ts'))).toBe(true);
  }, 60_000);

  it('our JSON documents are parsed at run time (JSON.parse), not compiled as object literals', async () => {
    // includes() rather than toContain(): a failure message would print the whole bundle.
    expect((await bundle('api')).text.includes(`JSON.parse('{"openapi":"3.1.0"`)).toBe(true);
    expect((await bundle('create-cluster-stack')).text.includes(`JSON.parse('{"Description":"EKS cluster`)).toBe(true);
  }, 60_000);

  it('no function bundles a YAML library (the kubeconfig is written by blockYaml; yaml is ~113 KiB)', async () => {
    for (const name of BUILT)
      expect(
        (await bundleInputs(name)).filter((f) => f.includes('node_modules/yaml/')),
        name,
      ).toEqual([]);
  }, 120_000);

  it('the EC2 client carries only the schemas of the operations sent (not all ~800)', async () => {
    for (const name of BUILT) {
      const ec2Schemas = (await bundle(name)).bytesOf('@aws-sdk/client-ec2/dist-es/schemas/');
      // Four Describe* operations' shapes are ~20 KiB; the whole module is ~540 KiB.
      expect(ec2Schemas, name).toBeLessThan(64 * 1024);
    }
  }, 120_000);
});

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
        expect(
          zod
            .map((f) => path.basename(f))
            .filter((f) => /^(compile|to-json-schema|json-schema-processors|json-schema-generator)\.js$/.test(f)),
        ).toEqual([]);
        // English only: the locale the messages are written in (shared/settings/zod-locale.ts registers it).
        expect(zod.filter((f) => f.includes('/locales/')).map((f) => path.basename(f))).toEqual(['en.js']);
      } else {
        expect(zod).toEqual([]);
      }
    }, 60_000);
  }
});
