/**
 * REST-JSON (EKS) and JSON 1.0/1.1 (EventBridge, Step Functions) codecs.
 *
 * REST-JSON routes by HTTP method + the model's `requestUri` template; path labels, query-string members and
 * the JSON body merge into one input object. Output timestamps become epoch seconds (the protocol default).
 */
import { decodeScalar, loadModel, type ServiceModel, type Shape, shapeOf, toDate } from './model.js';
import type { SandboxAwsError } from './types.js';

interface Route {
  operation: string;
  method: string;
  regex: RegExp;
  labels: string[];
}

const routeCache = new Map<string, Route[]>();

function routesOf(modelName: string): Route[] {
  let routes = routeCache.get(modelName);
  if (routes) return routes;
  const model = loadModel(modelName);
  routes = Object.values(model.operations).map((op) => {
    const path = op.http.requestUri.split('?')[0]!;
    const labels: string[] = [];
    const pattern = path
      .replace(/[.*+^$()|[\]\\]/g, '\\$&')
      .replace(/\\?\{([^}]+?)(\\\+|\+)?\}/g, (_m, label: string, greedy) => {
        labels.push(label);
        return greedy ? '(.+)' : '([^/]+)';
      });
    return { operation: op.name, method: op.http.method, regex: new RegExp(`^${pattern}/?$`), labels };
  });
  // Literal segments beat labels: try routes with fewer labels first.
  routes.sort((a, b) => a.labels.length - b.labels.length);
  routeCache.set(modelName, routes);
  return routes;
}

/**
 * Match a REST-JSON request to an operation and build its input. Returns undefined when no route matches
 * (the router answers UnknownOperation).
 */
export function decodeRestJsonRequest(
  modelName: string,
  method: string,
  url: URL,
  body: string,
): { operation: string; input: Record<string, unknown> } | undefined {
  const model = loadModel(modelName);
  for (const route of routesOf(modelName)) {
    if (route.method !== method) continue;
    const m = route.regex.exec(url.pathname);
    if (!m) continue;
    const op = model.operations[route.operation]!;
    let input: Record<string, unknown> = {};
    if (body) {
      try {
        input = JSON.parse(body) as Record<string, unknown>;
      } catch {
        input = {};
      }
    }
    const shape = op.input ? shapeOf(model, op.input) : undefined;
    for (const [name, ref] of Object.entries(shape?.members ?? {})) {
      const wire = ref.locationName ?? name;
      const memberShape = shapeOf(model, ref);
      if (ref.location === 'uri') {
        const idx = route.labels.indexOf(wire);
        if (idx >= 0) input[name] = decodeURIComponent(m[idx + 1]!);
      } else if (ref.location === 'querystring') {
        const all = url.searchParams.getAll(wire);
        if (all.length === 0) continue;
        input[name] =
          memberShape.type === 'list' ? all.flatMap((v) => v.split(',')) : decodeScalar(memberShape, all[0]!);
      }
    }
    return { operation: route.operation, input };
  }
  return undefined;
}

/** Convert handler output to JSON-ready values using the model (timestamps → epoch seconds). */
function shapeJson(model: ServiceModel, shape: Shape, value: unknown): unknown {
  if (value === undefined || value === null) return undefined;
  switch (shape.type) {
    case 'structure': {
      const out: Record<string, unknown> = {};
      const obj = value as Record<string, unknown>;
      for (const [name, ref] of Object.entries(shape.members ?? {})) {
        if (ref.location) continue; // headers/status are not in the body
        const v = shapeJson(model, shapeOf(model, ref), obj[name]);
        if (v !== undefined) out[ref.locationName ?? name] = v;
      }
      return out;
    }
    case 'list':
      return (value as unknown[]).map((v) => shapeJson(model, shapeOf(model, shape.member!), v));
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>))
        out[k] = shapeJson(model, shapeOf(model, shape.value!), v);
      return out;
    }
    case 'timestamp': {
      const d = toDate(value);
      return d ? d.getTime() / 1000 : value;
    }
    default:
      return value;
  }
}

export function encodeRestJsonResponse(modelName: string, operation: string, output: unknown): string {
  const model = loadModel(modelName);
  const op = model.operations[operation]!;
  if (!op.output) return '{}';
  return JSON.stringify(shapeJson(model, shapeOf(model, op.output), output ?? {}) ?? {});
}

/** Replace Date values by epoch seconds before JSON.stringify (which would otherwise emit ISO strings). */
export function datesToEpoch(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(datesToEpoch);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = datesToEpoch(v);
    return out;
  }
  return value;
}

/** REST-JSON error: status + `x-amzn-ErrorType` header + `{ message, ...fields }`. */
export function restJsonErrorBody(err: SandboxAwsError): string {
  return JSON.stringify({ message: err.message, ...err.fields });
}

/** JSON 1.0/1.1 error body: `{ __type, message }`. */
export function awsJsonErrorBody(err: SandboxAwsError, typePrefix = ''): string {
  return JSON.stringify({ __type: `${typePrefix}${err.code}`, message: err.message, ...err.fields });
}
