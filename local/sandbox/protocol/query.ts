/**
 * AWS Query (STS, IAM, CloudFormation) and EC2 Query codecs, driven by the vendored botocore models.
 *
 * Requests: form-encoded `Action=…&Version=…&Foo.member.1=…` (Query) or `Filter.1.Name=…` (EC2 — lists are
 * always flattened, names come from `queryName`/capitalised `locationName`).
 * Responses: `<OpResponse><OpResult>…</OpResult><ResponseMetadata>` (Query) or `<OpResponse><requestId>…`
 * (EC2, members by `locationName`, lists as `<item>`).
 */
import { decodeScalar, loadModel, type ServiceModel, type Shape, type ShapeRef, shapeOf, toDate } from './model.js';
import type { SandboxAwsError } from './types.js';

type Tree = { [k: string]: Tree } & { __value?: string };

/** `a.b.1.c=v` pairs → nested tree. */
function toTree(params: URLSearchParams): Tree {
  const root: Tree = {} as Tree;
  for (const [key, value] of params) {
    let node = root;
    for (const part of key.split('.')) {
      node[part] ??= {} as Tree;
      node = node[part]!;
    }
    node.__value = value;
  }
  return root;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function numbered(node: Tree | undefined): Tree[] {
  if (!node) return [];
  return Object.keys(node)
    .filter((k) => /^\d+$/.test(k))
    .sort((a, b) => Number(a) - Number(b))
    .map((k) => node[k]!);
}

function decode(model: ServiceModel, ec2: boolean, shape: Shape, node: Tree | undefined, ref?: ShapeRef): unknown {
  if (!node) return undefined;
  switch (shape.type) {
    case 'structure': {
      const out: Record<string, unknown> = {};
      for (const [name, m] of Object.entries(shape.members ?? {})) {
        const wire = ec2
          ? (m.queryName ?? (m.locationName ? capitalize(m.locationName) : name))
          : (m.locationName ?? name);
        const v = decode(model, ec2, shapeOf(model, m), node[wire], m);
        if (v !== undefined) out[name] = v;
      }
      return out;
    }
    case 'list': {
      const member = shape.member!;
      const flattened = ec2 || shape.flattened || ref?.flattened;
      const items = flattened ? numbered(node) : numbered(node[member.locationName ?? 'member']);
      // An empty list is sent as `Name=` (value, no children).
      if (items.length === 0 && node.__value !== undefined) return [];
      return items.map((item) => decode(model, ec2, shapeOf(model, member), item, member));
    }
    case 'map': {
      const entries = shape.flattened ? numbered(node) : numbered(node.entry);
      const out: Record<string, unknown> = {};
      for (const e of entries) {
        const k = e[shape.key!.locationName ?? 'key']?.__value;
        if (k !== undefined)
          out[k] = decode(
            model,
            ec2,
            shapeOf(model, shape.value!),
            e[shape.value!.locationName ?? 'value'],
            shape.value,
          );
      }
      return out;
    }
    default:
      return node.__value === undefined ? undefined : decodeScalar(shape, node.__value);
  }
}

/** Decode a form body into `{ action, input }` using the service model. */
export function decodeQueryRequest(
  modelName: string,
  params: URLSearchParams,
): { action: string; input: Record<string, unknown>; known: boolean } {
  const model = loadModel(modelName);
  const action = params.get('Action') ?? '';
  const op = model.operations[action];
  if (!op) return { action, input: {}, known: false };
  if (!op.input) return { action, input: {}, known: true };
  const ec2 = model.metadata.protocol === 'ec2';
  const input = decode(model, ec2, shapeOf(model, op.input), toTree(params)) as Record<string, unknown>;
  return { action, input: input ?? {}, known: true };
}

// ----- XML output ---------------------------------------------------------------------------------------

export function xmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

function scalarText(shape: Shape, v: unknown): string {
  if (shape.type === 'timestamp') {
    const d = toDate(v);
    return d ? d.toISOString() : String(v);
  }
  if (shape.type === 'blob') return Buffer.isBuffer(v) ? v.toString('base64') : String(v);
  return String(v);
}

function encode(model: ServiceModel, ec2: boolean, shape: Shape, value: unknown, out: string[]): void {
  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object' || value === null) return;
      const obj = value as Record<string, unknown>;
      for (const [name, m] of Object.entries(shape.members ?? {})) {
        const v = obj[name];
        if (v === undefined || v === null) continue;
        const ms = shapeOf(model, m);
        const tag = m.locationName ?? name;
        if (ms.type === 'list' && (m.flattened || ms.flattened) && !ec2) {
          for (const item of v as unknown[]) {
            out.push(`<${tag}>`);
            encode(model, ec2, shapeOf(model, ms.member!), item, out);
            out.push(`</${tag}>`);
          }
          continue;
        }
        out.push(`<${tag}>`);
        encode(model, ec2, ms, v, out);
        out.push(`</${tag}>`);
      }
      return;
    }
    case 'list': {
      const member = shape.member!;
      const tag = member.locationName ?? (ec2 ? 'item' : 'member');
      for (const item of (value as unknown[]) ?? []) {
        out.push(`<${tag}>`);
        encode(model, ec2, shapeOf(model, member), item, out);
        out.push(`</${tag}>`);
      }
      return;
    }
    case 'map': {
      for (const [k, v] of Object.entries((value as Record<string, unknown>) ?? {})) {
        out.push(`<entry><${shape.key!.locationName ?? 'key'}>${xmlEscape(k)}</${shape.key!.locationName ?? 'key'}>`);
        const vt = shape.value!.locationName ?? 'value';
        out.push(`<${vt}>`);
        encode(model, ec2, shapeOf(model, shape.value!), v, out);
        out.push(`</${vt}></entry>`);
      }
      return;
    }
    default:
      out.push(xmlEscape(scalarText(shape, value)));
  }
}

/** Serialise an operation's output as the Query or EC2 XML response body. */
export function encodeQueryResponse(modelName: string, action: string, output: unknown, requestId: string): string {
  const model = loadModel(modelName);
  const op = model.operations[action]!;
  const ns = model.metadata.xmlNamespace ?? '';
  const ec2 = model.metadata.protocol === 'ec2';
  const out: string[] = [`<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${ns}">`];
  if (ec2) {
    out.push(`<requestId>${requestId}</requestId>`);
    if (op.output) encode(model, true, shapeOf(model, op.output), output ?? {}, out);
  } else {
    const wrapper = op.output?.resultWrapper;
    if (op.output && wrapper) {
      out.push(`<${wrapper}>`);
      encode(model, false, shapeOf(model, op.output), output ?? {}, out);
      out.push(`</${wrapper}>`);
    }
    out.push(`<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>`);
  }
  out.push(`</${action}Response>`);
  return out.join('');
}

/** Query-protocol error body (`<ErrorResponse><Error><Type>…`). */
export function encodeQueryError(modelName: string, err: SandboxAwsError, requestId: string): string {
  const ns = loadModel(modelName).metadata.xmlNamespace ?? '';
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${ns}"><Error><Type>${err.senderFault ? 'Sender' : 'Receiver'}</Type>` +
    `<Code>${xmlEscape(err.code)}</Code><Message>${xmlEscape(err.message)}</Message></Error>` +
    `<RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}

/** EC2 error body (`<Response><Errors><Error>…</Errors><RequestID>`). */
export function encodeEc2Error(err: SandboxAwsError, requestId: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${xmlEscape(err.code)}</Code>` +
    `<Message>${xmlEscape(err.message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`
  );
}
