/** The esbuild plugin that lets the SDK's schema modules tree-shake (infra/bundling.ts). */
import * as esbuild from 'esbuild';
import { describe, expect, it } from 'vitest';
import { inlineSchemaKeys, SDK_SCHEMA_MODULE } from '../../infra/bundling.js';

const MODULE = [
  'const _xN = "xmlName";',
  'const _m = "min";',
  'const _eQN = "ec2QueryName";',
  'export var Used$ = [3, "n", "Used", 0, ["Min"], [[1, { [_eQN]: `Min`,',
  '        [_xN]: _m }]]];',
  'export var Unused$ = [3, "n", "Unused", 0, ["Min"], [[1, { [_eQN]: `Min`, [_xN]: _m }]]];',
  'const k = other();',
  'export var Dynamic$ = { [k]: 1 };',
  'export const pick = (o, i) => (i ? o[_xN]: o[_m]);',
].join('\n');

describe('inlineSchemaKeys', () => {
  it('writes computed keys on string constants as literals, and nothing else', () => {
    const { code, rewritten } = inlineSchemaKeys(MODULE);
    expect(rewritten).toBe(4);
    expect(code).toContain('{ "ec2QueryName": `Min`,\n        "xmlName": _m }');
    // A key on a non-constant and a ternary's member access stay as they were.
    expect(code).toContain('{ [k]: 1 }');
    expect(code).toContain('(i ? o[_xN]: o[_m])');
  });

  it('makes unused schemas droppable by esbuild (they were kept before)', async () => {
    const bundle = async (source: string) =>
      (
        await esbuild.build({
          stdin: { contents: `import { Used$ } from './m.js'; console.log(Used$);`, resolveDir: '/', loader: 'js' },
          bundle: true,
          write: false,
          format: 'esm',
          plugins: [
            {
              name: 'm',
              setup: (b) => {
                b.onResolve({ filter: /m\.js$/ }, () => ({ path: 'm', namespace: 'm' }));
                b.onLoad({ filter: /.*/, namespace: 'm' }, () => ({ contents: source, loader: 'js' }));
              },
            },
          ],
        })
      ).outputFiles[0]!.text;
    expect(await bundle(MODULE)).toContain('"Unused"');
    const shaken = await bundle(inlineSchemaKeys(MODULE).code);
    expect(shaken).toContain('"Used"');
    expect(shaken).not.toContain('"Unused"');
  });

  it('applies to every SDK client schema module path, and no other file', () => {
    expect(SDK_SCHEMA_MODULE.test('/p/node_modules/@aws-sdk/client-ec2/dist-es/schemas/schemas_0.js')).toBe(true);
    expect(SDK_SCHEMA_MODULE.test('C:\\p\\node_modules\\@aws-sdk\\client-eks\\dist-es\\schemas\\schemas_1.js')).toBe(
      true,
    );
    expect(SDK_SCHEMA_MODULE.test('/p/node_modules/@aws-sdk/client-ec2/dist-cjs/schemas/schemas_0.js')).toBe(false);
    expect(SDK_SCHEMA_MODULE.test('/p/node_modules/@aws-sdk/core/dist-es/schemas/schemas_0.js')).toBe(false);
  });
});
