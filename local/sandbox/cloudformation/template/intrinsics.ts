/**
 * Intrinsic functions and condition functions, evaluated the way CloudFormation evaluates them, with its
 * error wording. `AWS::NoValue` evaluates to `NO_VALUE`, which removes the enclosing property or list item.
 */
import { TemplateError } from './errors.js';

export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

export const PSEUDO_PARAMETERS = [
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
] as const;

/** What a resource exposes to `Ref` and `Fn::GetAtt` once created. */
export interface ResourceValues {
  ref: string;
  attributes: Record<string, unknown>;
}

export interface EvalContext {
  parameters: Record<string, string | string[]>;
  pseudo: {
    region: string;
    accountId: string;
    stackName: string;
    stackId: string;
    partition: string;
    urlSuffix: string;
  };
  conditions: Record<string, boolean>;
  mappings: Record<string, Record<string, Record<string, unknown>>>;
  /** Values of a created resource; undefined when it is not (yet) created. */
  resource(logicalId: string): ResourceValues | undefined;
  /** `Fn::GetAZs` for a region ('' = the stack's region). */
  availabilityZones(region: string): string[];
}

const FN_KEYS = new Set([
  'Ref',
  'Condition',
  'Fn::GetAtt',
  'Fn::Sub',
  'Fn::Join',
  'Fn::Select',
  'Fn::Split',
  'Fn::If',
  'Fn::Equals',
  'Fn::Not',
  'Fn::And',
  'Fn::Or',
  'Fn::GetAZs',
  'Fn::FindInMap',
  'Fn::Base64',
  'Fn::ImportValue',
  'Fn::Cidr',
]);

/** `{ "Fn::X": arg }` → `["Fn::X", arg]`, else undefined. */
export function asFunction(value: unknown): [string, unknown] | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1 || !FN_KEYS.has(keys[0]!)) return undefined;
  return [keys[0]!, (value as Record<string, unknown>)[keys[0]!]];
}

/** Evaluate any template value (properties, outputs). */
export function evaluate(value: unknown, ctx: EvalContext): unknown {
  const fn = asFunction(value);
  if (fn) return evalFunction(fn[0], fn[1], ctx);
  if (Array.isArray(value)) {
    return value.map((v) => evaluate(v, ctx)).filter((v) => v !== NO_VALUE);
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const r = evaluate(v, ctx);
      if (r !== NO_VALUE) out[k] = r;
    }
    return out;
  }
  return value;
}

/** Evaluate a condition expression (Conditions block, Fn::If selectors). */
export function evaluateCondition(value: unknown, ctx: EvalContext): boolean {
  const r = evaluate(value, ctx);
  if (typeof r === 'boolean') return r;
  if (r === 'true' || r === 'false') return r === 'true';
  throw new TemplateError(
    'Template format error: Conditions can only be boolean operations on parameters and other conditions',
  );
}

function str(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function evalFunction(name: string, arg: unknown, ctx: EvalContext): unknown {
  switch (name) {
    case 'Ref':
      return evalRef(arg, ctx);
    case 'Condition': {
      if (typeof arg !== 'string' || !(arg in ctx.conditions)) {
        throw new TemplateError(
          `Template format error: Unresolved condition dependencies [${str(arg)}] in the Conditions block of the template`,
        );
      }
      return ctx.conditions[arg];
    }
    case 'Fn::GetAtt':
      return evalGetAtt(arg, ctx);
    case 'Fn::Sub':
      return evalSub(arg, ctx);
    case 'Fn::Join': {
      if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== 'string') {
        throw new TemplateError(
          'Template error: every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined.',
        );
      }
      const list = evaluate(arg[1], ctx);
      if (!Array.isArray(list)) {
        throw new TemplateError(
          'Template error: every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined.',
        );
      }
      return list.map(str).join(arg[0]);
    }
    case 'Fn::Select': {
      if (!Array.isArray(arg) || arg.length !== 2) {
        throw new TemplateError(
          'Template error: Fn::Select requires a list argument with two elements: an integer index and a list',
        );
      }
      const index = Number(evaluate(arg[0], ctx));
      const list = evaluate(arg[1], ctx);
      if (!Array.isArray(list)) {
        throw new TemplateError(
          'Template error: Fn::Select requires a list argument with two elements: an integer index and a list',
        );
      }
      if (!Number.isInteger(index) || index < 0 || index >= list.length) {
        throw new TemplateError(`Template error: Fn::Select cannot select nonexistent value at index ${str(index)}`);
      }
      return list[index];
    }
    case 'Fn::Split': {
      if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== 'string') {
        throw new TemplateError(
          'Template error: every Fn::Split object requires two parameters, (1) a string delimiter and (2) a string to be split or a function that returns a string to be split.',
        );
      }
      const source = evaluate(arg[1], ctx);
      if (typeof source !== 'string') {
        throw new TemplateError(
          'Template error: every Fn::Split object requires two parameters, (1) a string delimiter and (2) a string to be split or a function that returns a string to be split.',
        );
      }
      return source.split(arg[0]);
    }
    case 'Fn::If': {
      if (!Array.isArray(arg) || arg.length !== 3 || typeof arg[0] !== 'string') {
        throw new TemplateError('Template error: Fn::If requires a list argument with three elements');
      }
      if (!(arg[0] in ctx.conditions)) {
        throw new TemplateError(`Template error: unresolved condition dependency ${arg[0]} in Fn::If`);
      }
      return evaluate(ctx.conditions[arg[0]] ? arg[1] : arg[2], ctx);
    }
    case 'Fn::Equals': {
      if (!Array.isArray(arg) || arg.length !== 2) {
        throw new TemplateError('Template error: every Fn::Equals object requires a list of 2 string parameters.');
      }
      return str(evaluate(arg[0], ctx)) === str(evaluate(arg[1], ctx));
    }
    case 'Fn::Not': {
      if (!Array.isArray(arg) || arg.length !== 1) {
        throw new TemplateError('Template error: every Fn::Not object requires one boolean parameter.');
      }
      return !evaluateCondition(arg[0], ctx);
    }
    case 'Fn::And':
    case 'Fn::Or': {
      if (!Array.isArray(arg) || arg.length < 2 || arg.length > 10) {
        throw new TemplateError(
          `Template error: every ${name} object requires a list of at least 2 and at most 10 boolean parameters.`,
        );
      }
      const values = arg.map((a) => evaluateCondition(a, ctx));
      return name === 'Fn::And' ? values.every(Boolean) : values.some(Boolean);
    }
    case 'Fn::GetAZs': {
      const region = evaluate(arg ?? '', ctx);
      if (typeof region !== 'string')
        throw new TemplateError('Template error: Fn::GetAZs requires a string (region name)');
      return ctx.availabilityZones(region === '' ? ctx.pseudo.region : region);
    }
    case 'Fn::FindInMap': {
      if (!Array.isArray(arg) || arg.length !== 3) {
        throw new TemplateError(
          'Template error: every Fn::FindInMap object requires three parameters, the map name, map key and the attribute for return value',
        );
      }
      const [m, k, a] = arg.map((x) => str(evaluate(x, ctx)));
      const value = ctx.mappings[m!]?.[k!]?.[a!];
      if (value === undefined) throw new TemplateError(`Template error: Unable to get mapping for ${m}::${k}::${a}`);
      return value;
    }
    case 'Fn::Base64':
      return Buffer.from(str(evaluate(arg, ctx))).toString('base64');
    case 'Fn::ImportValue': {
      // The sandbox has no exports, so every import is unresolved, as it would be in a fresh account.
      throw new TemplateError(`No export named ${str(evaluate(arg, ctx))} found`);
    }
    case 'Fn::Cidr':
      throw new TemplateError(
        'Template error: Fn::Cidr is not modelled by the AWS sandbox; compute the CIDR blocks outside the template',
      );
    default:
      throw new TemplateError(`Template format error: Unrecognized function ${name}`);
  }
}

function evalRef(arg: unknown, ctx: EvalContext): unknown {
  if (typeof arg !== 'string')
    throw new TemplateError('Template format error: Every Ref object must have a single String value.');
  switch (arg) {
    case 'AWS::Region':
      return ctx.pseudo.region;
    case 'AWS::AccountId':
      return ctx.pseudo.accountId;
    case 'AWS::StackName':
      return ctx.pseudo.stackName;
    case 'AWS::StackId':
      return ctx.pseudo.stackId;
    case 'AWS::Partition':
      return ctx.pseudo.partition;
    case 'AWS::URLSuffix':
      return ctx.pseudo.urlSuffix;
    case 'AWS::NoValue':
      return NO_VALUE;
    case 'AWS::NotificationARNs':
      return [];
  }
  if (arg in ctx.parameters) return ctx.parameters[arg];
  const res = ctx.resource(arg);
  if (res) return res.ref;
  throw new TemplateError(
    `Template format error: Unresolved resource dependencies [${arg}] in the Resources block of the template`,
  );
}

function getAttParts(arg: unknown): [string, string] | undefined {
  if (typeof arg === 'string') {
    const dot = arg.indexOf('.');
    return dot < 0 ? undefined : [arg.slice(0, dot), arg.slice(dot + 1)];
  }
  if (Array.isArray(arg) && arg.length === 2 && typeof arg[0] === 'string' && typeof arg[1] === 'string') {
    return [arg[0], arg[1]];
  }
  return undefined;
}

function evalGetAtt(arg: unknown, ctx: EvalContext): unknown {
  const parts = getAttParts(arg);
  if (!parts) {
    throw new TemplateError(
      'Template error: every Fn::GetAtt object requires two non-empty parameters, the resource name and the resource attribute',
    );
  }
  const [logicalId, attribute] = parts;
  const res = ctx.resource(logicalId);
  if (!res)
    throw new TemplateError(`Template error: instance of Fn::GetAtt references undefined resource ${logicalId}`);
  if (!(attribute in res.attributes)) {
    throw new TemplateError(
      `Template error: resource ${logicalId} does not support attribute type ${attribute} in Fn::GetAtt`,
    );
  }
  return res.attributes[attribute];
}

const SUB_ARG_ERROR =
  "Template error: One or more Fn::Sub intrinsic functions don't specify expected arguments. Specify a string as first argument, and an optional second argument to specify a mapping of values to replace in the string";

function evalSub(arg: unknown, ctx: EvalContext): string {
  let text: unknown;
  let vars: Record<string, unknown> = {};
  if (typeof arg === 'string') text = arg;
  else if (
    Array.isArray(arg) &&
    arg.length === 2 &&
    typeof arg[0] === 'string' &&
    arg[1] &&
    typeof arg[1] === 'object'
  ) {
    text = arg[0];
    vars = arg[1] as Record<string, unknown>;
  } else throw new TemplateError(SUB_ARG_ERROR);
  const values: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(vars)) values[k] = evaluate(v, ctx);
  return (text as string).replace(/\$\{(!?)([^}]*)\}/g, (_whole, bang: string, name: string) => {
    if (bang) return `\${${name}}`; // ${!Literal}
    const key = name.trim();
    if (key in values) return str(values[key]);
    if (key.includes('.') && !key.startsWith('AWS::')) {
      const dot = key.indexOf('.');
      return str(evalGetAtt([key.slice(0, dot), key.slice(dot + 1)], ctx));
    }
    const v = evalRef(key, ctx);
    if (Array.isArray(v)) return v.join(',');
    return str(v);
  });
}

// ----- static analysis -----------------------------------------------------------------------------------

export interface References {
  refs: Set<string>;
  getAtts: { logicalId: string; attribute: string }[];
  conditions: Set<string>;
}

/** Every name a value references through Ref, Fn::GetAtt, Fn::Sub and Fn::If/Condition (without evaluating). */
export function collectReferences(
  value: unknown,
  into: References = { refs: new Set(), getAtts: [], conditions: new Set() },
): References {
  const fn = asFunction(value);
  if (fn) {
    const [name, arg] = fn;
    if (name === 'Ref' && typeof arg === 'string') into.refs.add(arg);
    else if (name === 'Condition' && typeof arg === 'string') into.conditions.add(arg);
    else if (name === 'Fn::GetAtt') {
      const parts = getAttParts(arg);
      if (parts) into.getAtts.push({ logicalId: parts[0], attribute: parts[1] });
      else collectReferences(arg, into);
    } else if (name === 'Fn::Sub') {
      const text =
        typeof arg === 'string' ? arg : Array.isArray(arg) && typeof arg[0] === 'string' ? arg[0] : undefined;
      const vars =
        Array.isArray(arg) && arg[1] && typeof arg[1] === 'object' ? (arg[1] as Record<string, unknown>) : {};
      if (Array.isArray(arg)) collectReferences(arg[1], into);
      for (const m of (text ?? '').matchAll(/\$\{(!?)([^}]*)\}/g)) {
        if (m[1]) continue;
        const key = m[2]!.trim();
        if (key in vars) continue;
        if (key.includes('.') && !key.startsWith('AWS::')) {
          const dot = key.indexOf('.');
          into.getAtts.push({ logicalId: key.slice(0, dot), attribute: key.slice(dot + 1) });
        } else into.refs.add(key);
      }
    } else if (name === 'Fn::If' && Array.isArray(arg)) {
      if (typeof arg[0] === 'string') into.conditions.add(arg[0]);
      collectReferences(arg.slice(1), into);
    } else collectReferences(arg, into);
    return into;
  }
  if (Array.isArray(value)) for (const v of value) collectReferences(v, into);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) collectReferences(v, into);
  return into;
}
