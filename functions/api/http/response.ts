/** JSON responses with the headers every answer carries. */
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { HttpError } from './errors.js';

const COMMON_HEADERS = {
  'Content-Type': 'application/json; charset=utf-8',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
};

/** Response headers the console (another origin) may read; the rest stay hidden from its scripts. */
export const CORS_EXPOSED_HEADERS = ['X-Request-Id', 'Retry-After', 'Location', 'Allow', 'Idempotent-Replayed', 'ETag'];

/**
 * CORS for the console: one configured origin (the CloudFront domain), never `*`. The value is
 * the same for every request, so it is safe in shared caches; browsers on any other origin get a
 * response their scripts cannot read. No origin configured (no console, or local where the
 * console is same-origin) → no CORS headers at all.
 */
export function corsHeaders(allowOrigin: string | undefined): Record<string, string> {
  if (!allowOrigin) return {};
  return {
    'Access-Control-Allow-Origin': allowOrigin,
    'Access-Control-Expose-Headers': CORS_EXPOSED_HEADERS.join(', '),
    Vary: 'Origin',
  };
}

export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
  requestId?: string,
): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { ...COMMON_HEADERS, ...(requestId ? { 'X-Request-Id': requestId } : {}), ...headers },
    body: JSON.stringify(body),
  };
}

export function errorResponse(err: HttpError, requestId?: string): APIGatewayProxyResult {
  return jsonResponse(err.statusCode, err.body, err.headers, requestId);
}

/** A text body (e.g. a kubeconfig as YAML) with the same security headers as JSON answers. */
export function textResponse(
  statusCode: number,
  body: string,
  contentType: string,
  headers: Record<string, string> = {},
  requestId?: string,
): APIGatewayProxyResult {
  return {
    statusCode,
    headers: {
      ...COMMON_HEADERS,
      'Content-Type': contentType,
      ...(requestId ? { 'X-Request-Id': requestId } : {}),
      ...headers,
    },
    body,
  };
}
