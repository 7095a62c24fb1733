/**
 * How every function is bundled, in one place: the CDK stack (NodejsFunction, local esbuild) and
 * the bundle-size benchmark (esbuild API) use the same options, so the benchmark measures what
 * gets deployed.
 */
import { OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';

/** Lambda's Node.js 22 runtime; the code also runs on Node 20 locally. */
export const ESBUILD_TARGET = 'node22';

/**
 * ESM output is tree-shaken best, but CommonJS dependencies bundled into it may still call
 * `require` for Node built-ins; give them one.
 */
export const CREATE_REQUIRE_BANNER =
  "import { createRequire as __cjsRequire } from 'node:module'; const require = __cjsRequire(import.meta.url);";

/** The AWS SDK v3 prefers its ES module builds (`module` field), which tree-shake. */
const MAIN_FIELDS = ['module', 'main'];

export const LAMBDA_BUNDLING: BundlingOptions = {
  minify: true,
  sourceMap: true,
  // Line mapping is what --enable-source-maps needs; the sources themselves only make the zip bigger.
  sourcesContent: false,
  format: OutputFormat.ESM,
  target: ESBUILD_TARGET,
  mainFields: MAIN_FIELDS,
  banner: CREATE_REQUIRE_BANNER,
  // Bundle the SDK v3 we tested with instead of whatever version the runtime ships.
  bundleAwsSDK: true,
  externalModules: [],
  // Local esbuild only (a devDependency): Docker is never used.
  forceDockerBundling: false,
};

/** The same bundle through esbuild's API (the benchmark). */
export function esbuildOptions(entry: string, outfile: string): BuildOptions {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: ESBUILD_TARGET,
    format: 'esm',
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    mainFields: MAIN_FIELDS,
    banner: { js: CREATE_REQUIRE_BANNER },
    logLevel: 'error',
  };
}
