/**
 * The two things the in-process synth skips: real esbuild bundling through ServiceFunction (one
 * function, the api — the largest), and the CLI entry itself (cdk.json's `app` command, with
 * the cdk-nag validation plugin, as `npx cdk synth` runs it).
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_SIZE_LIMIT_BYTES } from '../../infra/bundling.js';
import { ServiceFunction } from '../../infra/constructs/service-function.js';
import { FUNCTIONS, functionEntry } from '../../infra/functions.js';
import { PROJECT_ROOT } from '../../infra/service-app.js';
import { CDK_JSON, missingEntries } from './synth.js';

const BUNDLED = 'api';
const bundledEntry = functionEntry(BUNDLED);
const entryMissing = !fs.existsSync(path.join(PROJECT_ROOT, bundledEntry));
if (entryMissing) console.warn(`${bundledEntry} does not exist yet: skipping the real-bundling test.`);
const missing = missingEntries();
if (missing.length) console.warn(`Handler entries missing (${missing.join(', ')}): skipping the CLI synth test.`);

describe.skipIf(entryMissing)(`real bundling (${BUNDLED})`, () => {
  let assetDir: string;
  beforeAll(() => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'eks-provisioner-bundle-'));
    const app = new App({ outdir, builtinCloudFormationValidation: false });
    const stack = new Stack(app, 'BundleTest');
    const f = new ServiceFunction(stack, 'Fn', {
      spec: FUNCTIONS.find((s) => s.name === BUNDLED)!,
      projectRoot: PROJECT_ROOT,
      environment: {},
      logRetentionDays: 1,
      removalPolicy: RemovalPolicy.DESTROY,
      serviceName: 'eks-provisioner',
      logLevel: 'INFO',
    });
    app.synth();
    const template = JSON.parse(fs.readFileSync(path.join(outdir, 'BundleTest.template.json'), 'utf8'));
    const fnId = stack.getLogicalId(f.fn.node.defaultChild as never);
    assetDir = path.join(outdir, `asset.${template.Resources[fnId].Properties.Code.S3Key.replace(/\.zip$/, '')}`);
  }, 120_000);

  it('produces a minified ESM bundle with a source map (no sources inside) and nothing else', () => {
    expect(fs.readdirSync(assetDir).sort()).toEqual(['index.mjs', 'index.mjs.map']);
    expect(fs.statSync(path.join(assetDir, 'index.mjs')).size).toBeLessThanOrEqual(BUNDLE_SIZE_LIMIT_BYTES);
    const code = fs.readFileSync(path.join(assetDir, 'index.mjs'), 'utf8');
    // Minified: long lines (template literals keep their own newlines).
    expect(code.length / code.split('\n').length).toBeGreaterThan(2000);
    expect(code).toContain('//# sourceMappingURL=index.mjs.map');
    const map = JSON.parse(fs.readFileSync(path.join(assetDir, 'index.mjs.map'), 'utf8'));
    expect(map.sourcesContent ?? []).toEqual([]);
    expect(map.sources.some((s: string) => s.includes('functions/api/handler.ts'))).toBe(true);
  });

  it('bundles the AWS SDK v3 (no @aws-sdk import is left to the runtime)', () => {
    const code = fs.readFileSync(path.join(assetDir, 'index.mjs'), 'utf8');
    expect(code).not.toMatch(/from\s*["']@aws-sdk\//);
    expect(code).not.toMatch(/import\(\s*["']@aws-sdk\//);
    const map = JSON.parse(fs.readFileSync(path.join(assetDir, 'index.mjs.map'), 'utf8'));
    expect(map.sources.some((s: string) => s.includes('node_modules/@aws-sdk/client-sfn/'))).toBe(true);
  });

  it('loads as an ES module in a bare Node process and exports handler', () => {
    // No node_modules next to the bundle, like in Lambda: everything must be inside it.
    const r = spawnSync(
      process.execPath,
      [
        '--enable-source-maps',
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(path.join(assetDir, 'index.mjs'))}); console.log(typeof m.handler);`,
      ],
      {
        cwd: os.tmpdir(),
        encoding: 'utf8',
        env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1' },
        timeout: 30_000,
      },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('function');
  });
});

describe.skipIf(missing.length > 0)('the CLI entry (cdk.json app)', () => {
  let result: { status: number | null; output: string; outdir: string };
  beforeAll(async () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'eks-provisioner-cli-'));
    // What `cdk synth` passes to the app: the output folder and the merged context. Bundling is
    // skipped here (the test above bundles for real; `npx cdk synth` bundles all eight), and so is
    // CDK's built-in template validation (WASM, ~12 s of CPU; cfn-lint checks the template in
    // stack.test.ts). The cdk-nag plugin runs as in `cdk synth`.
    const env = {
      ...process.env,
      CDK_VALIDATION: 'false',
      CDK_OUTDIR: outdir,
      CDK_CONTEXT_JSON: JSON.stringify({ ...CDK_JSON.context, 'aws:cdk:bundling-stacks': [] }),
    };
    result = await new Promise((resolve, reject) => {
      const child = spawn('sh', ['-c', CDK_JSON.app], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
      child.on('error', reject);
      child.on('close', (status) => resolve({ status, output, outdir }));
    });
  }, 120_000);

  it('synthesizes with the cdk-nag plugin reporting nothing', () => {
    expect(CDK_JSON.app).toBe('npx tsx infra/app.ts');
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
    const report = JSON.parse(fs.readFileSync(path.join(result.outdir, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports).toEqual([]);
    expect(fs.existsSync(path.join(result.outdir, 'eks-provisioner.template.json'))).toBe(true);
  });
});
