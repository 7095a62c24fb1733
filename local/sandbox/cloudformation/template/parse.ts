/**
 * Template body → plain object, as CloudFormation reads it: JSON when the body starts with `{`, YAML
 * otherwise (with the short-form tags `!Ref`, `!Sub`, `!GetAtt a.b`, … expanded to their long form).
 */
import { type CollectionTag, parseDocument, Scalar, type ScalarTag, type YAMLMap, type YAMLSeq } from 'yaml';
import { TemplateError } from './errors.js';

export type Template = {
  AWSTemplateFormatVersion?: unknown;
  Description?: unknown;
  Metadata?: unknown;
  Parameters?: Record<string, Record<string, unknown>>;
  Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  Conditions?: Record<string, unknown>;
  Resources: Record<string, TemplateResource>;
  Outputs?: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
};

export interface TemplateResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: string | string[];
  Condition?: string;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  Metadata?: unknown;
  [key: string]: unknown;
}

/** AWS's limit for `TemplateBody` (bytes). */
export const MAX_TEMPLATE_BODY_BYTES = 51_200;

export function parseTemplateBody(body: string): Template {
  const trimmed = body.trimStart();
  const parsed = trimmed.startsWith('{') ? parseJson(body) : parseYaml(body);
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new TemplateError('Template format error: JSON not well-formed. (line 1, column 1)');
  }
  return parsed as Template;
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch (err) {
    const { line, column } = jsonErrorPosition(body, String((err as Error).message));
    throw new TemplateError(`Template format error: JSON not well-formed. (line ${line}, column ${column})`);
  }
}

/** Node reports either "at position N" or "(line L column C)" depending on the version. */
function jsonErrorPosition(body: string, message: string): { line: number; column: number } {
  const lc = /line (\d+) column (\d+)/.exec(message);
  if (lc) return { line: Number(lc[1]), column: Number(lc[2]) };
  const pos = /position (\d+)/.exec(message);
  const offset = pos ? Number(pos[1]) : firstJsonErrorOffset(body);
  const before = body.slice(0, offset).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

const FUNCTIONS_WITH_SCALAR_ARG = ['Base64', 'GetAZs', 'ImportValue', 'Sub', 'Condition', 'Ref'];
const FUNCTIONS = [
  'And',
  'Equals',
  'FindInMap',
  'GetAtt',
  'If',
  'Join',
  'Not',
  'Or',
  'Select',
  'Split',
  'Sub',
  'Cidr',
  'Base64',
  'GetAZs',
  'ImportValue',
];

function longName(name: string): string {
  return name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
}

/** Custom tags for every short form, scalar and collection variants. */
function cfnTags(): (ScalarTag | CollectionTag)[] {
  const tags: (ScalarTag | CollectionTag)[] = [];
  const names = new Set([...FUNCTIONS, ...FUNCTIONS_WITH_SCALAR_ARG]);
  for (const name of names) {
    const key = longName(name);
    tags.push({
      tag: `!${name}`,
      resolve: (value: string) => {
        // `!GetAtt Res.Attr` is the one short form whose scalar means a list.
        if (name === 'GetAtt') {
          const dot = value.indexOf('.');
          return { [key]: dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
        }
        return { [key]: value };
      },
    } as ScalarTag);
    tags.push({
      tag: `!${name}`,
      collection: 'seq',
      resolve: (seq: YAMLSeq) => ({ [key]: seq.toJSON() }),
    } as unknown as CollectionTag);
    tags.push({
      tag: `!${name}`,
      collection: 'map',
      resolve: (map: YAMLMap) => ({ [key]: map.toJSON() }),
    } as unknown as CollectionTag);
  }
  return tags;
}

function parseYaml(body: string): unknown {
  const doc = parseDocument(body, { customTags: cfnTags(), uniqueKeys: true, prettyErrors: true });
  const first = doc.errors[0];
  if (first) {
    const pos = first.linePos?.[0];
    throw new TemplateError(
      `Template format error: YAML not well-formed. (line ${pos?.line ?? 1}, column ${pos?.col ?? 1})`,
    );
  }
  const value = doc.toJS({ maxAliasCount: 100 });
  return unwrapScalars(value);
}

/** `yaml` may hand back Scalar nodes from custom collection tags; flatten them. */
function unwrapScalars(value: unknown): unknown {
  if (value instanceof Scalar) return value.value;
  if (Array.isArray(value)) return value.map(unwrapScalars);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = unwrapScalars(v);
    return out;
  }
  return value;
}

/** Offset of the first syntax error in `text` (some Node versions report no position). */
function firstJsonErrorOffset(text: string): number {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail();
  };
  const string = () => {
    if (text[i] !== '"') fail();
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) fail();
    i++;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        string();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') {
          i++;
          return;
        } else fail();
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') {
          i++;
          return;
        } else fail();
      }
    } else if (c === '"') string();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else {
      const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
      if (!m) fail();
      i += m![0].length;
    }
  };
  try {
    value();
    ws();
    return i;
  } catch (at) {
    return typeof at === 'number' ? at : text.length;
  }
}
