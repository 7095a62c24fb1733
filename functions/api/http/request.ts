/**
 * Reading an API Gateway REST proxy event defensively: headers (case-insensitive, duplicates are
 * an error), query parameters (only the ones a route declares), and the JSON body (size, media
 * type, syntax). Every rejection here is a 4xx that names what was wrong.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { httpError } from './errors.js';

/** Largest request body accepted (bytes, after base64 decoding). Cluster settings fit in a few KiB. */
export const MAX_BODY_BYTES = 64 * 1024;
/** Largest single header value we read; API Gateway allows more, none of ours needs it. */
const MAX_HEADER_CHARS = 8 * 1024;

/** All values of a header, any case, from both the single- and multi-value maps. */
function headerValues(event: APIGatewayProxyEvent, name: string): string[] {
  const wanted = name.toLowerCase();
  const values: string[] = [];
  for (const [k, vs] of Object.entries(event.multiValueHeaders ?? {})) {
    if (k.toLowerCase() === wanted && Array.isArray(vs))
      values.push(...vs.filter((v): v is string => typeof v === 'string'));
  }
  if (values.length === 0) {
    for (const [k, v] of Object.entries(event.headers ?? {})) {
      if (k.toLowerCase() === wanted && typeof v === 'string') values.push(v);
    }
  }
  return values;
}

/** One header's value; two different values for the same header are refused (ambiguous). */
export function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  const values = [...new Set(headerValues(event, name))];
  if (values.length === 0) return undefined;
  if (values.length > 1)
    throw httpError(
      400,
      'INVALID_HEADER',
      `Send the ${name} header once; this request carries ${values.length} different values.`,
    );
  const value = values[0]!;
  if (value.length > MAX_HEADER_CHARS)
    throw httpError(400, 'INVALID_HEADER', `The ${name} header is too long (over ${MAX_HEADER_CHARS} characters).`);
  return value;
}

export interface QueryParam {
  /** Returns an error message when the value is not acceptable. */
  check?: (value: string) => string | undefined;
  required?: boolean;
}

/**
 * The route's declared query parameters, validated. Unknown names, repeated names and bad values
 * are all reported together in `fields`.
 */
export function readQuery<K extends string>(
  event: APIGatewayProxyEvent,
  spec: Record<K, QueryParam>,
): Partial<Record<K, string>> {
  // A Map, not an object: names such as __proto__, constructor or toString are only names.
  const multi = new Map<string, string[]>();
  for (const [k, vs] of Object.entries(event.multiValueQueryStringParameters ?? {})) {
    if (Array.isArray(vs))
      multi.set(
        k,
        vs.filter((v): v is string => typeof v === 'string'),
      );
  }
  for (const [k, v] of Object.entries(event.queryStringParameters ?? {})) {
    if (typeof v === 'string' && !multi.has(k)) multi.set(k, [v]);
  }
  const fields: Array<{ path: string; message: string }> = [];
  const out: Partial<Record<K, string>> = Object.create(null);
  const known = Object.keys(spec);
  for (const [name, values] of multi) {
    if (!Object.hasOwn(spec, name)) {
      fields.push({
        path: name.slice(0, 100),
        message: known.length
          ? `Unknown query parameter. This route accepts: ${known.join(', ')}.`
          : 'This route takes no query parameters.',
      });
      continue;
    }
    if (values.length !== 1) {
      fields.push({ path: name, message: 'Give this query parameter once.' });
      continue;
    }
    const value = values[0]!;
    const problem = value.length > 2048 ? 'Value is too long (over 2048 characters).' : spec[name as K].check?.(value);
    if (problem) fields.push({ path: name, message: problem });
    else out[name as K] = value;
  }
  for (const name of known) {
    if (spec[name as K].required && out[name as K] === undefined && !fields.some((f) => f.path === name)) {
      fields.push({ path: name, message: 'Required query parameter is missing.' });
    }
  }
  if (fields.length) throw httpError(400, 'INVALID_QUERY', 'The query string is not valid for this route.', { fields });
  return out;
}

/**
 * The request body as parsed JSON. Order of checks: size (413), media type (415), syntax (400),
 * top-level object (400).
 */
export function readJsonBody(event: APIGatewayProxyEvent): Record<string, unknown> {
  const raw = event.body ?? '';
  let text: string;
  if (event.isBase64Encoded) {
    // Decoded size is at most 3/4 of the encoded length: refuse huge input before decoding it.
    if (raw.length > Math.ceil((MAX_BODY_BYTES * 4) / 3) + 4) throw tooLarge();
    const bytes = Buffer.from(raw, 'base64');
    if (bytes.length > MAX_BODY_BYTES) throw tooLarge();
    text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  } else {
    if (raw.length > MAX_BODY_BYTES || Buffer.byteLength(raw, 'utf8') > MAX_BODY_BYTES) throw tooLarge();
    text = raw;
  }

  const contentType = header(event, 'content-type');
  if (!isJsonMediaType(contentType)) {
    throw httpError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      contentType
        ? `Content-Type "${contentType.slice(0, 100)}" is not accepted; send the body as JSON with "Content-Type: application/json".`
        : 'Send the body as JSON with "Content-Type: application/json".',
    );
  }
  if (text.trim() === '') throw httpError(400, 'MALFORMED_JSON', 'The request body is empty; send a JSON object.');

  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    // V8's message names the position, which helps; never echo the body itself.
    const detail = e instanceof SyntaxError ? e.message.replace(/"[^"]{40,}"/g, '"…"').slice(0, 200) : 'not valid JSON';
    throw httpError(400, 'MALFORMED_JSON', `The request body is not valid JSON: ${detail}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw httpError(400, 'MALFORMED_JSON', 'The request body must be a JSON object ({ … }).');
  }
  return parsed as Record<string, unknown>;
}

const tooLarge = () =>
  httpError(
    413,
    'PAYLOAD_TOO_LARGE',
    `The request body is larger than ${MAX_BODY_BYTES / 1024} KiB; cluster settings are a few KiB at most.`,
  );

/** `application/json`, optionally with `charset=utf-8` (any case); nothing else. */
export function isJsonMediaType(value: string | undefined): boolean {
  if (!value) return false;
  const [type, ...params] = value.split(';').map((s) => s.trim().toLowerCase());
  // JSON merge patch (RFC 7396) is JSON too: PATCH /v1/clusters/{id} takes either.
  if (type !== 'application/json' && type !== 'application/merge-patch+json') return false;
  return params.every((p) => p === '' || p === 'charset=utf-8' || p === 'charset="utf-8"');
}
