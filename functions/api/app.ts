/**
 * The API as one middy handler: @middy/http-router picks the route; one middleware turns anything
 * thrown into the API's JSON error shape and logs one line per request (method, path, status,
 * tenant, duration; never bodies or headers).
 */

import { randomUUID } from 'node:crypto';
import middy from '@middy/core';
import httpRouterHandler from '@middy/http-router';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { redactSecrets } from '../lib/aws/aws-error.js';
import type { ApiDeps } from './deps.js';
import { httpError, toHttpError } from './http/errors.js';
import { corsHeaders, errorResponse, jsonResponse, textResponse } from './http/response.js';
import { ROUTES, type RouteDef, routePattern } from './routes.js';
import { resolveTenant } from './tenant/resolve-tenant.js';

export interface ApiLog {
  info(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
}

export type ApiHandler = (event: APIGatewayProxyEvent, context?: Context) => Promise<APIGatewayProxyResult>;

const requestIdOf = (event: APIGatewayProxyEvent) => {
  const id = event.requestContext?.requestId;
  return typeof id === 'string' && /^[\w-]{1,100}$/.test(id) ? id : randomUUID();
};

/** 405 (with Allow) when the path exists under other methods, else 404. */
function noRoute(method: string, path: string): never {
  const allowed = [...new Set(ROUTES.filter((r) => routePattern(r.path).test(path)).map((r) => r.method))].sort();
  if (allowed.length) {
    throw httpError(
      405,
      'METHOD_NOT_ALLOWED',
      `${method.slice(0, 20)} is not allowed on this path; use ${allowed.join(' or ')}.`,
      {},
      { Allow: allowed.join(', ') },
    );
  }
  throw httpError(404, 'NOT_FOUND', 'No such route. GET /v1/openapi.json lists them all.');
}

export function createApiHandler(deps: ApiDeps, log: ApiLog): ApiHandler {
  const wrap = (route: RouteDef) => async (event: APIGatewayProxyEvent) => {
    const { local, identityPoolId, identityPoolRoleArn } = deps.config;
    const tenantId = route.public ? '' : resolveTenant(event, { local, identityPoolId, identityPoolRoleArn });
    (event as { tenantId?: string }).tenantId = tenantId;
    const result = await route.handle({
      event,
      deps,
      tenantId,
      pathParameters: (event.pathParameters ?? {}) as Record<string, string>,
    });
    if (result.contentType !== undefined && typeof result.body === 'string') {
      return textResponse(result.statusCode, result.body, result.contentType, result.headers, requestIdOf(event));
    }
    return jsonResponse(result.statusCode, result.body, result.headers, requestIdOf(event));
  };

  const router = httpRouterHandler<APIGatewayProxyEvent, APIGatewayProxyResult>({
    routes: ROUTES.map((r) => ({ method: r.method, path: r.path, handler: wrap(r) })),
    notFoundResponse: ({ method, path }) => noRoute(method, path),
  });

  // The console's origin (CDK sets it when the stack has a console): on successes and errors alike,
  // or the browser hides the error body from the console.
  const cors = corsHeaders(deps.config.corsAllowOrigin);
  const started = new WeakMap<object, number>();
  const app = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .before((request) => {
      started.set(request, Date.now());
      const e = request.event as Partial<APIGatewayProxyEvent> | null;
      if (!e || typeof e !== 'object' || typeof e.httpMethod !== 'string' || typeof e.path !== 'string') {
        throw httpError(400, 'BAD_REQUEST', 'Not an API Gateway REST proxy request.');
      }
      if (!e.path.startsWith('/') || e.httpMethod === '')
        throw httpError(404, 'NOT_FOUND', 'No such route. GET /v1/openapi.json lists them all.');
      // The router matches on the path as given; keep only the path part and no path parameters
      // from outside the router (an API Gateway {proxy+} resource sets its own).
      e.pathParameters = null;
    })
    .after((request) => {
      const response = request.response;
      if (response) {
        response.headers = { ...response.headers, ...cors };
        logLine(log, request.event, response.statusCode, started.get(request));
      }
    })
    .onError((request) => {
      const err = request.error;
      const http = toHttpError(err);
      if (http.statusCode >= 500) {
        const e = err as Error | undefined;
        log.error('request failed', {
          errorName: e?.name,
          errorMessage: redactSecrets(String(e?.message ?? err)).slice(0, 1000),
          stack: redactSecrets(String(e?.stack ?? '')).slice(0, 4000),
        });
      }
      const event = request.event ?? ({} as APIGatewayProxyEvent);
      request.response = errorResponse(http, requestIdOf(event));
      request.response.headers = { ...request.response.headers, ...cors };
      logLine(log, event, http.statusCode, started.get(request), String(http.body.error.code));
    })
    .handler(router);

  return (event, context) => app(event, context ?? ({} as Context));
}

function logLine(log: ApiLog, event: APIGatewayProxyEvent, statusCode: number, startedAt?: number, errorCode?: string) {
  log.info('request', {
    method: typeof event?.httpMethod === 'string' ? event.httpMethod.slice(0, 20) : undefined,
    path: typeof event?.path === 'string' ? event.path.slice(0, 200) : undefined,
    statusCode,
    tenantId: (event as { tenantId?: string })?.tenantId || undefined,
    ...(errorCode ? { errorCode } : {}),
    ...(startedAt ? { durationMs: Date.now() - startedAt } : {}),
  });
}
