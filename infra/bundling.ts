/**
 * How every function is bundled, in one place: the CDK stack (infra/constructs/service-function.ts,
 * through infra/bundle-function.ts), the bundle-size benchmark and the bundle tests all build with
 * esbuildOptions() below, so what is measured and tested is what gets deployed.
 *
 * Why esbuild's JS API and not NodejsFunction's esbuild CLI: the CLI takes no plugins, and one is
 * needed to keep the AWS SDK's schema modules tree-shakeable (sdkSchemaTreeShaking below).
 */
import * as fs from 'node:fs';
import type { BuildOptions, Plugin } from 'esbuild';

/** Lambda's Node.js 22 runtime; the code also runs on Node 20 locally. */
export const ESBUILD_TARGET = 'node22';

/** Every function bundle stays at or under this (a goal the tests and the benchmark check). */
export const BUNDLE_SIZE_LIMIT_BYTES = 1024 * 1024;

/**
 * ESM output is tree-shaken best, but CommonJS dependencies bundled into it may still call
 * `require` for Node built-ins; give them one.
 */
export const CREATE_REQUIRE_BANNER =
  "import { createRequire as __cjsRequire } from 'node:module'; const require = __cjsRequire(import.meta.url);";

/** The AWS SDK v3 prefers its ES module builds (`module` field), which tree-shake. */
const MAIN_FIELDS = ['module', 'main'];

/** An SDK client's generated schema module (`@aws-sdk/client-ec2/dist-es/schemas/schemas_0.js`). */
export const SDK_SCHEMA_MODULE = /[\\/]@aws-sdk[\\/]client-[a-z0-9-]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/;

/**
 * The SDK's generated schemas (one `export var X$ = [...]` per shape and operation) name their
 * traits with computed keys on module constants: `{ [_xN]: _m }` where `const _xN = "xmlName"`.
 * esbuild cannot prove a computed key free of side effects (it could call toString), so it keeps
 * every schema of a module that is imported at all — for EC2, ~540 KiB minified of shapes for
 * ~800 operations when a function sends four (aws-sdk-js-v3#7607). Writing those keys as the
 * string literals they are changes nothing at run time and lets esbuild drop unused schemas.
 * Only keys whose constant is a plain string literal declared at the top of the module are
 * rewritten; anything else is left as is.
 */
export function inlineSchemaKeys(source: string): { code: string; rewritten: number } {
  const constants = new Map<string, string>();
  for (const m of source.matchAll(/^const (_[A-Za-z0-9_$]+) = ("[^"\\\n]*");$/gm)) constants.set(m[1]!, m[2]!);
  let rewritten = 0;
  // A computed key starts an object literal or follows a comma in one: `{ [_k]:` / `, [_k]:`.
  const code = source.replace(/(?<=[{,]\s*)\[(_[A-Za-z0-9_$]+)\]:/g, (whole, id: string) => {
    const literal = constants.get(id);
    if (literal === undefined) return whole;
    rewritten++;
    return `${literal}:`;
  });
  return { code, rewritten };
}

export function sdkSchemaTreeShaking(): Plugin {
  return {
    name: 'sdk-schema-tree-shaking',
    setup(build) {
      build.onLoad({ filter: SDK_SCHEMA_MODULE }, async (args) => {
        const source = await fs.promises.readFile(args.path, 'utf8');
        return { contents: inlineSchemaKeys(source).code, loader: 'js' };
      });
    },
  };
}

/**
 * Our own JSON documents (the OpenAPI document, the cluster template) as `JSON.parse('…')` instead of an
 * object literal: V8 parses a JSON string faster than it compiles the same data as JavaScript, and this
 * is on every cold start. Only default imports are used for these files, which is all this provides.
 */
export function jsonParseAtRuntime(): Plugin {
  return {
    name: 'json-parse-at-runtime',
    setup(build) {
      build.onLoad({ filter: /[\\/]functions[\\/].*\.json$/ }, async (args) => {
        if (/[\\/]node_modules[\\/]/.test(args.path)) return undefined; // a package's JSON stays as esbuild loads it
        const text = JSON.stringify(JSON.parse(await fs.promises.readFile(args.path, 'utf8')));
        return { contents: `export default JSON.parse(${JSON.stringify(text)});`, loader: 'js' };
      });
    },
  };
}

/** The bundle of one function (esbuild's JS API; the caller adds absWorkingDir, write, metafile). */
export function esbuildOptions(entry: string, outfile: string): BuildOptions {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: ESBUILD_TARGET,
    format: 'esm',
    minify: true,
    // Line mapping is what --enable-source-maps needs; the sources themselves only make the zip bigger.
    sourcemap: true,
    sourcesContent: false,
    mainFields: MAIN_FIELDS,
    banner: { js: CREATE_REQUIRE_BANNER },
    // Bundle the SDK v3 we tested with instead of whatever version the runtime ships: nothing external.
    external: [],
    plugins: [sdkSchemaTreeShaking(), jsonParseAtRuntime()],
    logLevel: 'error',
  };
}
