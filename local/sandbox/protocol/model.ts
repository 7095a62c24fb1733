/**
 * Access to the vendored botocore service models (`local/sandbox/models/<service>.json`, written by
 * `models/trim.ts`). The protocol codecs walk these shapes to decode requests and encode responses exactly
 * as the SDKs expect (member names, list wrappers, timestamp formats).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ShapeRef {
  shape: string;
  locationName?: string;
  queryName?: string;
  location?: 'uri' | 'querystring' | 'header' | 'headers' | 'statusCode';
  flattened?: boolean;
  timestampFormat?: string;
  xmlNamespace?: unknown;
}

export interface Shape {
  type:
    | 'structure'
    | 'list'
    | 'map'
    | 'string'
    | 'integer'
    | 'long'
    | 'boolean'
    | 'double'
    | 'float'
    | 'timestamp'
    | 'blob';
  members?: Record<string, ShapeRef>;
  member?: ShapeRef;
  key?: ShapeRef;
  value?: ShapeRef;
  flattened?: boolean;
  timestampFormat?: string;
  required?: string[];
  enum?: string[];
  error?: { code?: string; httpStatusCode?: number; senderFault?: boolean };
}

export interface Operation {
  name: string;
  http: { method: string; requestUri: string; responseCode?: number };
  input?: { shape: string };
  output?: { shape: string; resultWrapper?: string };
}

export interface ServiceModel {
  metadata: {
    protocol: string;
    xmlNamespace?: string;
    apiVersion: string;
    targetPrefix?: string;
    jsonVersion?: string;
  };
  operations: Record<string, Operation>;
  shapes: Record<string, Shape>;
}

const here = dirname(fileURLToPath(import.meta.url));
const cache = new Map<string, ServiceModel>();

/** Load `models/<name>.json` once. */
export function loadModel(name: string): ServiceModel {
  let model = cache.get(name);
  if (!model) {
    model = JSON.parse(readFileSync(join(here, '..', 'models', `${name}.json`), 'utf8')) as ServiceModel;
    cache.set(name, model);
  }
  return model;
}

export function shapeOf(model: ServiceModel, ref: ShapeRef | { shape: string }): Shape {
  const s = model.shapes[ref.shape];
  if (!s) throw new Error(`shape ${ref.shape} missing from vendored model`);
  return s;
}

/** Timestamps handlers may return: Date, epoch ms, or ISO string. */
export function toDate(v: unknown): Date | undefined {
  if (v instanceof Date) return v;
  if (typeof v === 'number') return new Date(v);
  if (typeof v === 'string') {
    const d = new Date(v);
    return Number.isNaN(d.getTime()) ? undefined : d;
  }
  return undefined;
}

/** A scalar from a query string, form field or URI label, typed by its shape (epoch-second or ISO timestamps). */
export function decodeScalar(shape: Shape, raw: string): unknown {
  switch (shape.type) {
    case 'integer':
    case 'long':
    case 'double':
    case 'float':
      return Number(raw);
    case 'boolean':
      return raw === 'true';
    case 'timestamp':
      return toDate(/^\d+(\.\d+)?$/.test(raw) ? Number(raw) * 1000 : raw) ?? raw;
    default:
      return raw;
  }
}
