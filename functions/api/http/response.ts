/** JSON responses with the headers every answer carries. */
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { HttpError } from './errors.js';

const COMMON_HEADERS = {
  'Content-Type': 'application/json; charset=utf-8',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
};

export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}, requestId?: string): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { ...COMMON_HEADERS, ...(requestId ? { 'X-Request-Id': requestId } : {}), ...headers },
    body: JSON.stringify(body),
  };
}

export function errorResponse(err: HttpError, requestId?: string): APIGatewayProxyResult {
  return jsonResponse(err.statusCode, err.body, err.headers, requestId);
}
