/**
 * API Gateway's own errors (bad signature, access denied, throttled…) in the API's error shape
 * `{ error: { code, message, requestId } }`, as plain data: the stack turns each into a gateway
 * response, and the local API's IAM-authorization mode answers with the same bodies. No CDK import
 * here (the local stack loads this file).
 */

/** The deployed stage; the resource policy's routes and the local IAM mode's resource ARNs use it. */
export const API_STAGE_NAME = 'prod';

export interface GatewayError {
  /** API Gateway's response type (`ResponseType.of(type)`). */
  type: string;
  /** Status API Gateway answers for this type (locally; the stack keeps API Gateway's default). */
  status: number;
  code: string;
  /** A fixed message, or undefined: API Gateway's own `$context.error.messageString`. */
  message?: string;
}

export const GATEWAY_ERRORS: readonly GatewayError[] = [
  {
    type: 'BAD_REQUEST_BODY',
    status: 400,
    code: 'BAD_REQUEST',
    message: 'The request body must be a JSON object (Content-Type: application/json).',
  },
  { type: 'BAD_REQUEST_PARAMETERS', status: 400, code: 'INVALID_QUERY' },
  // REST APIs answer 403 "Missing Authentication Token" for unknown paths; say what it is.
  {
    type: 'MISSING_AUTHENTICATION_TOKEN',
    status: 403,
    code: 'NOT_FOUND_OR_UNSIGNED',
    message:
      'No such route, or the request is not signed: sign it with AWS Signature Version 4 and check the method and path (see GET /v1/openapi.json).',
  },
  {
    type: 'ACCESS_DENIED',
    status: 403,
    code: 'ACCESS_DENIED',
    message:
      "The calling principal may not call this API: allow execute-api:Invoke on it in the caller's IAM policy (and, from another AWS account, the API's resource policy must allow that account: see docs/api-access.md).",
  },
  {
    type: 'INVALID_SIGNATURE',
    status: 403,
    code: 'INVALID_SIGNATURE',
    message:
      'The SigV4 signature does not match: sign for service "execute-api" in the API\'s region, and check the clock and credentials.',
  },
  {
    type: 'EXPIRED_TOKEN',
    status: 403,
    code: 'EXPIRED_TOKEN',
    message: "The session token has expired: refresh the caller's credentials.",
  },
  { type: 'THROTTLED', status: 429, code: 'THROTTLED', message: 'Too many requests: retry with backoff.' },
  { type: 'DEFAULT_4XX', status: 400, code: 'BAD_REQUEST' },
  {
    type: 'DEFAULT_5XX',
    status: 500,
    code: 'INTERNAL_ERROR',
    message: 'The service could not answer; retry later and quote the request id.',
  },
];

/** The body API Gateway sends for `type`, with `messageString` standing in for `$context.error.messageString`. */
export function gatewayErrorBody(type: string, requestId: string, messageString?: string): string {
  const e = GATEWAY_ERRORS.find((g) => g.type === type) ?? GATEWAY_ERRORS.find((g) => g.type === 'DEFAULT_4XX')!;
  return JSON.stringify({ error: { code: e.code, message: e.message ?? messageString ?? '', requestId } });
}
