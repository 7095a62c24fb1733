/**
 * The API's routes for API Gateway, read from the API's own OpenAPI document
 * (functions/api/openapi.json), which lists exactly the routes the handler serves. Explicit
 * resources instead of a `{proxy+}`: an unknown path is refused by API Gateway before it costs a
 * Lambda invocation, and each route gets its own validation.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ApiRoute {
  method: HttpMethod;
  /** `/v1/clusters/{id}` */
  path: string;
  /** Query parameters the route requires (API Gateway rejects requests without them). */
  requiredQuery: string[];
  /** The route takes a JSON body. */
  hasBody: boolean;
}

export const OPENAPI_FILE = 'functions/api/openapi.json';
const METHODS: HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

interface OpenApiParameter {
  $ref?: string;
  in?: string;
  name?: string;
  required?: boolean;
}

interface OpenApiDocument {
  paths?: Record<string, Record<string, unknown>>;
  components?: { parameters?: Record<string, OpenApiParameter> };
}

/** Parameters may be `$ref`s to `#/components/parameters/<Name>`. */
function resolveParameter(doc: OpenApiDocument, p: OpenApiParameter): OpenApiParameter {
  if (!p.$ref) return p;
  const m = /^#\/components\/parameters\/(.+)$/.exec(p.$ref);
  const target = m ? doc.components?.parameters?.[m[1]!] : undefined;
  if (!target) throw new Error(`${OPENAPI_FILE}: parameter reference ${p.$ref} does not resolve.`);
  return target;
}

export function readApiRoutes(projectRoot: string): ApiRoute[] {
  const file = path.join(projectRoot, OPENAPI_FILE);
  const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as OpenApiDocument;
  const routes: ApiRoute[] = [];
  for (const [routePath, item] of Object.entries(doc.paths ?? {})) {
    const shared = (item.parameters as OpenApiParameter[] | undefined) ?? [];
    for (const method of METHODS) {
      const op = item[method.toLowerCase()] as { parameters?: OpenApiParameter[]; requestBody?: unknown } | undefined;
      if (!op) continue;
      const params = [...shared, ...(op.parameters ?? [])].map((p) => resolveParameter(doc, p));
      routes.push({
        method,
        path: routePath,
        requiredQuery: params.filter((p) => p.in === 'query' && p.required === true && p.name).map((p) => p.name!),
        hasBody: op.requestBody !== undefined,
      });
    }
  }
  if (routes.length === 0)
    throw new Error(`${OPENAPI_FILE} lists no paths: the API stack needs the API's routes from it.`);
  for (const r of routes) {
    if (!r.path.startsWith('/v1/')) throw new Error(`${OPENAPI_FILE}: route ${r.method} ${r.path} must be under /v1/.`);
  }
  return routes;
}
