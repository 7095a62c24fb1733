/**
 * Request validation against the service model's constraint traits, as AWS's front end does it before any
 * service logic runs: `required` members, string length (`min`/`max`), `pattern`, `enum`, numeric range
 * (`min`/`max` on numbers) and list/map size. Without it the sandbox would accept what AWS refuses (a
 * 300-character tag value, a 70-character session name…) and a product defect would pass every local test.
 *
 * `validateRequest` walks the decoded input (member names as in the model) and returns the violations in
 * model order; `validationError` renders them the way the service answers:
 *
 * - Query (IAM, STS, CloudFormation) → `ValidationError`; JSON 1.0/1.1 (EventBridge, Step Functions) →
 *   `ValidationException`; EKS (REST-JSON) → `InvalidParameterException`. All three use AWS's shared
 *   wording: `1 validation error detected: Value 'x' at 'tags.1.member.value' failed to satisfy constraint:
 *   Member must have length less than or equal to 256` (several joined with `; `). Paths use the member
 *   names with a lower-case first letter; list items are `<list>.<n>.member` (1-based). A list of scalars or a
 *   map whose items fail is reported once, at the list/map, with every constraint of the item shape
 *   (`Member must satisfy constraint: [...]`, `Map value must satisfy constraint: [...]`).
 * - EC2 has its own errors: `MissingParameter` ("The request must contain the parameter X") and
 *   `InvalidParameterValue` ("Value ( 1 ) for parameter maxResults is invalid. Expecting a value greater
 *   than 5."), one at a time.
 */
import { type ServiceModel, type Shape, type ShapeRef, shapeOf } from './model.js';
import type { Protocol } from './services.js';
import { SandboxAwsError } from './types.js';

export interface Violation {
  /** Coral-style path (`tags.1.member.value`). */
  path: string;
  /** The member's wire name (EC2 messages use it). */
  wireName: string;
  value: unknown;
  /** AWS's wording of the failed constraint (`Member must have length less than or equal to 256`). */
  constraint: string;
  kind: 'required' | 'length' | 'pattern' | 'enum' | 'range' | 'items';
  /** For range violations: the bound and its side (EC2 wording). */
  bound?: { side: 'min' | 'max'; value: number };
  /** The shape is marked sensitive (execution input, session policies…): its value is never echoed. */
  sensitive?: boolean;
}

type ConstrainedShape = Shape & { min?: number; max?: number; pattern?: string; sensitive?: boolean };

const patternCache = new Map<string, RegExp | null>();

/**
 * Model patterns are Java regular expressions matched against the whole value. `\p{L}` and friends need
 * the `u` flag; a pattern JavaScript cannot compile is skipped (null) rather than guessed at.
 */
function compilePattern(pattern: string): RegExp | null {
  let re = patternCache.get(pattern);
  if (re !== undefined) return re;
  re = null;
  for (const flags of ['u', '']) {
    try {
      re = new RegExp(`^(?:${pattern})$`, flags);
      break;
    } catch {
      // try the next flag set
    }
  }
  patternCache.set(pattern, re);
  return re;
}

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
const isNumberShape = (s: Shape) =>
  s.type === 'integer' || s.type === 'long' || s.type === 'double' || s.type === 'float';

/** Every constraint of a scalar shape, in the order AWS lists them (max length, min length, pattern, enum). */
function constraintsOf(shape: ConstrainedShape, opts: Options): string[] {
  const out: string[] = [];
  if (isNumberShape(shape)) {
    if (shape.max !== undefined) out.push(`Member must have value less than or equal to ${shape.max}`);
    if (shape.min !== undefined) out.push(`Member must have value greater than or equal to ${shape.min}`);
    return out;
  }
  if (shape.max !== undefined) out.push(`Member must have length less than or equal to ${shape.max}`);
  if (shape.min !== undefined) out.push(`Member must have length greater than or equal to ${shape.min}`);
  if (shape.pattern !== undefined) out.push(`Member must satisfy regular expression pattern: ${shape.pattern}`);
  if (opts.enums && shape.enum) out.push(`Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
  return out;
}

/** Failures of one scalar (string/number) against its shape. */
function scalarFailures(
  shape: ConstrainedShape,
  value: unknown,
  opts: Options,
): Array<Pick<Violation, 'constraint' | 'kind' | 'bound'>> {
  const out: Array<Pick<Violation, 'constraint' | 'kind' | 'bound'>> = [];
  if (isNumberShape(shape)) {
    const n = typeof value === 'number' ? value : Number(value);
    if (Number.isNaN(n)) return out;
    if (shape.max !== undefined && n > shape.max) {
      out.push({
        constraint: `Member must have value less than or equal to ${shape.max}`,
        kind: 'range',
        bound: { side: 'max', value: shape.max },
      });
    }
    if (shape.min !== undefined && n < shape.min) {
      out.push({
        constraint: `Member must have value greater than or equal to ${shape.min}`,
        kind: 'range',
        bound: { side: 'min', value: shape.min },
      });
    }
    return out;
  }
  if (shape.type !== 'string' || typeof value !== 'string') return out;
  if (shape.max !== undefined && value.length > shape.max)
    out.push({ constraint: `Member must have length less than or equal to ${shape.max}`, kind: 'length' });
  if (shape.min !== undefined && value.length < shape.min)
    out.push({ constraint: `Member must have length greater than or equal to ${shape.min}`, kind: 'length' });
  if (shape.pattern !== undefined) {
    const re = compilePattern(shape.pattern);
    if (re && !re.test(value))
      out.push({ constraint: `Member must satisfy regular expression pattern: ${shape.pattern}`, kind: 'pattern' });
  }
  if (opts.enums && shape.enum && !shape.enum.includes(value))
    out.push({ constraint: `Member must satisfy enum value set: [${shape.enum.join(', ')}]`, kind: 'enum' });
  return out;
}

function isScalar(shape: Shape): boolean {
  return shape.type !== 'structure' && shape.type !== 'list' && shape.type !== 'map';
}

interface Options {
  /**
   * Check `enum` traits. Coral services (Query, JSON, EKS) refuse a value outside the set; EC2 does not
   * validate against its model's enums (an unknown instance type is its own `InvalidInstanceType`).
   */
  enums: boolean;
}

function walk(
  model: ServiceModel,
  shape: ConstrainedShape,
  value: unknown,
  path: string,
  wireName: string,
  out: Violation[],
  opts: Options,
): void {
  if (value === undefined || value === null) return;
  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object') return;
      const obj = value as Record<string, unknown>;
      const required = new Set(shape.required ?? []);
      for (const [name, ref] of Object.entries(shape.members ?? {})) {
        const memberPath = path ? `${path}.${lowerFirst(name)}` : lowerFirst(name);
        const memberWire = (ref as ShapeRef).queryName ?? ref.locationName ?? name;
        const v = obj[name];
        if ((v === undefined || v === null) && required.has(name)) {
          // Headers are not decoded by the sandbox: never report them as missing.
          if (ref.location === 'header' || ref.location === 'headers') continue;
          out.push({
            path: memberPath,
            wireName: memberWire,
            value: null,
            constraint: 'Member must not be null',
            kind: 'required',
          });
          continue;
        }
        walk(model, shapeOf(model, ref) as ConstrainedShape, v, memberPath, memberWire, out, opts);
      }
      return;
    }
    case 'list': {
      if (!Array.isArray(value)) return;
      if (shape.max !== undefined && value.length > shape.max) {
        out.push({
          path,
          wireName,
          value,
          constraint: `Member must have length less than or equal to ${shape.max}`,
          kind: 'length',
        });
      }
      if (shape.min !== undefined && value.length < shape.min) {
        out.push({
          path,
          wireName,
          value,
          constraint: `Member must have length greater than or equal to ${shape.min}`,
          kind: 'length',
        });
      }
      const itemShape = shapeOf(model, shape.member!) as ConstrainedShape;
      if (isScalar(itemShape)) {
        if (
          value.some((item) => item !== null && item !== undefined && scalarFailures(itemShape, item, opts).length > 0)
        ) {
          out.push({
            path,
            wireName,
            value,
            constraint: `Member must satisfy constraint: [${constraintsOf(itemShape, opts).join(', ')}]`,
            kind: 'items',
          });
        }
        return;
      }
      value.forEach((item, i) => {
        walk(model, itemShape, item, `${path}.${i + 1}.member`, wireName, out, opts);
      });
      return;
    }
    case 'map': {
      if (typeof value !== 'object') return;
      const entries = Object.entries(value as Record<string, unknown>);
      if (shape.max !== undefined && entries.length > shape.max) {
        out.push({
          path,
          wireName,
          value,
          constraint: `Member must have length less than or equal to ${shape.max}`,
          kind: 'length',
        });
      }
      if (shape.min !== undefined && entries.length < shape.min) {
        out.push({
          path,
          wireName,
          value,
          constraint: `Member must have length greater than or equal to ${shape.min}`,
          kind: 'length',
        });
      }
      const keyShape = shapeOf(model, shape.key!) as ConstrainedShape;
      if (entries.some(([k]) => scalarFailures(keyShape, k, opts).length > 0)) {
        out.push({
          path,
          wireName,
          value,
          constraint: `Map keys must satisfy constraint: [${constraintsOf(keyShape, opts).join(', ')}]`,
          kind: 'items',
        });
      }
      const valueShape = shapeOf(model, shape.value!) as ConstrainedShape;
      if (isScalar(valueShape)) {
        if (entries.some(([, v]) => v !== null && v !== undefined && scalarFailures(valueShape, v, opts).length > 0)) {
          out.push({
            path,
            wireName,
            value,
            constraint: `Map value must satisfy constraint: [${constraintsOf(valueShape, opts).join(', ')}]`,
            kind: 'items',
          });
        }
      } else {
        for (const [k, v] of entries) walk(model, valueShape, v, `${path}.${k}`, wireName, out, opts);
      }
      return;
    }
    default:
      for (const f of scalarFailures(shape, value, opts))
        out.push({ path, wireName, value, ...f, ...(shape.sensitive ? { sensitive: true } : {}) });
  }
}

/** Violations of an operation's input (empty when valid, or when the operation is not in the model). */
export function validateRequest(model: ServiceModel, operation: string, input: Record<string, unknown>): Violation[] {
  const op = model.operations[operation];
  if (!op?.input) return [];
  const out: Violation[] = [];
  const opts: Options = { enums: model.metadata.protocol !== 'ec2' };
  walk(model, shapeOf(model, op.input) as ConstrainedShape, input ?? {}, '', '', out, opts);
  return out;
}

/**
 * Violations of one value against a named shape of the model (for engines that model a service call
 * without going over the wire, e.g. CloudFormation's resource handlers tagging an EKS cluster).
 */
export function validateShape(model: ServiceModel, shapeName: string, value: unknown, path: string): Violation[] {
  const out: Violation[] = [];
  walk(model, shapeOf(model, { shape: shapeName }) as ConstrainedShape, value, path, path, out, {
    enums: model.metadata.protocol !== 'ec2',
  });
  return out;
}

/** A value as Java's `toString` shows it inside AWS's message (`[a, b]`, `{k=v}`). */
function show(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}=${show(v)}`)
      .join(', ')}}`;
  }
  return String(value);
}

/** `Value 'x' at 'path' failed to satisfy constraint: …` joined as AWS joins them. */
export function validationMessage(violations: Violation[]): string {
  const n = violations.length;
  const parts = violations.map(
    (v) =>
      `Value ${v.sensitive ? '' : v.value === null || v.value === undefined ? 'null ' : `'${show(v.value)}' `}at '${v.path}' failed to satisfy constraint: ${v.constraint}`,
  );
  return `${n} validation error${n === 1 ? '' : 's'} detected: ${parts.join('; ')}`;
}

/** The error the service answers for these violations (see the file comment). */
export function validationError(protocol: Protocol, serviceKey: string, violations: Violation[]): SandboxAwsError {
  if (protocol === 'ec2') {
    const v = violations[0]!;
    if (v.kind === 'required')
      return new SandboxAwsError('MissingParameter', `The request must contain the parameter ${v.wireName}`, 400);
    const param = lowerFirst(v.wireName);
    if (v.kind === 'range' && v.bound) {
      return new SandboxAwsError(
        'InvalidParameterValue',
        `Value ( ${show(v.value)} ) for parameter ${param} is invalid. Expecting a value ${v.bound.side === 'min' ? 'greater' : 'less'} than ${v.bound.value}.`,
        400,
      );
    }
    return new SandboxAwsError(
      'InvalidParameterValue',
      `Value ( ${show(v.value)} ) for parameter ${param} is invalid. ${v.constraint}.`,
      400,
    );
  }
  const message = validationMessage(violations);
  if (protocol === 'query') return new SandboxAwsError('ValidationError', message, 400);
  if (serviceKey === 'eks') return new SandboxAwsError('InvalidParameterException', message, 400);
  return new SandboxAwsError('ValidationException', message, 400);
}
