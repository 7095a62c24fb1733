/**
 * Reads an AWS SDK v3 error (or a Node network error) into plain facts: which AWS error code, what
 * kind of failure, and whether retrying can help. Diagnosis mapping lives in
 * diagnosis/from-aws-error.ts; this module only classifies.
 *
 * The code lists mirror the SDK's own retry classification (@smithy/core retry
 * service-error-classification) plus the codes the services this product calls actually return.
 */

export type AwsErrorKind =
  /** Rate-limited: retry with backoff. */
  | 'throttled'
  /** 5xx, timeout, connection reset, DNS hiccup: retry with backoff. */
  | 'transient'
  /** Temporary credentials expired mid-flight: drop cached credentials, then retry. */
  | 'expired-token'
  /** The service's own credentials are missing or not valid (nothing to retry). */
  | 'no-credentials'
  /** Authenticated but not allowed. */
  | 'access-denied'
  /** The region is not enabled (opt-in) for the account. */
  | 'region-disabled'
  /** A referenced resource does not exist. */
  | 'not-found'
  /** A service quota / limit. */
  | 'quota'
  /** Any other client error (bad parameter, conflict...). */
  | 'client'
  /** Not an AWS or network error at all: a bug or an unexpected shape. */
  | 'unknown';

export interface AwsErrorInfo {
  kind: AwsErrorKind;
  /** AWS error code (`error.name` for SDK v3 service exceptions), or the Node error code. */
  code: string;
  message: string;
  httpStatus?: number;
  requestId?: string;
  /** Set when the error came through the AWS SDK (it has `$metadata` / `$fault`). */
  fromSdk: boolean;
  /** True for kinds the state machine should Retry. */
  retryable: boolean;
}

export const THROTTLING_CODES = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException',
]);

export const TRANSIENT_CODES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalError',
  'InternalFailure',
  'InternalServiceError',
  'InternalServerError',
  'InternalServerException',
  'ServerException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'ServiceFailure',
  'Unavailable',
  'EC2ThrottledException',
]);

const NODE_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

export const EXPIRED_TOKEN_CODES = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'RequestExpired',
  'TokenRefreshRequired',
]);

/** The caller's own credentials are absent or rejected by AWS. */
export const NO_CREDENTIALS_CODES = new Set([
  'CredentialsProviderError',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
  'MissingAuthenticationToken',
  'MissingAuthenticationTokenException',
  'IncompleteSignature',
  'AuthFailure',
]);

export const ACCESS_DENIED_CODES = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnauthorizedAccess',
  'AuthorizationError',
  'Forbidden',
  'ForbiddenException',
  'NotAuthorized',
  'NotAuthorizedException',
]);

export const REGION_DISABLED_CODES = new Set(['RegionDisabledException', 'OptInRequired', 'InvalidRegion']);

export const QUOTA_CODES = new Set([
  'LimitExceeded',
  'ResourceLimitExceededException',
  'ServiceQuotaExceededException',
  'VcpuLimitExceeded',
  'InstanceLimitExceeded',
  'VpcLimitExceeded',
  'AddressLimitExceeded',
  'SecurityGroupLimitExceeded',
  'NetworkInterfaceLimitExceeded',
  'RulesPerSecurityGroupLimitExceeded',
  'InsufficientInstanceCapacity',
]);

/** Names ending like these are "does not exist" answers (EC2 `*.NotFound`, IAM `NoSuchEntity`, ...). */
const NOT_FOUND_PATTERN =
  /(\.NotFound$|^NoSuchEntity$|^ResourceNotFoundException$|^NotFoundException$|^NotFound$|^StackNotFound)/;

interface MaybeAwsError {
  name?: unknown;
  code?: unknown;
  Code?: unknown;
  message?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: number; requestId?: string };
  $retryable?: { throttling?: boolean };
  cause?: unknown;
}

function read(err: unknown): MaybeAwsError {
  return err && typeof err === 'object' ? (err as MaybeAwsError) : { message: String(err) };
}

/** Modeled exception class names whose wire code differs (IAM's NoSuchEntity). */
const CODE_ALIASES: Record<string, string> = { NoSuchEntityException: 'NoSuchEntity' };

/** AWS error code of an SDK exception (query protocols set `Code`; otherwise its `name`). */
export function awsErrorCode(err: unknown): string {
  const e = read(err);
  if (typeof e.Code === 'string' && e.Code) return e.Code;
  if (typeof e.name === 'string' && e.name && e.name !== 'Error') return CODE_ALIASES[e.name] ?? e.name;
  if (typeof e.code === 'string' && e.code) return e.code;
  return typeof e.name === 'string' ? e.name : 'Error';
}

export function isSdkError(err: unknown): boolean {
  const e = read(err);
  return e.$metadata !== undefined || e.$fault !== undefined;
}

/** Classifies any thrown value. Never throws. */
export function classifyAwsError(err: unknown, depth = 0): AwsErrorInfo {
  const e = read(err);
  const code = awsErrorCode(err);
  const message = redactSecrets(typeof e.message === 'string' ? e.message : '');
  const httpStatus = e.$metadata?.httpStatusCode;
  const requestId = e.$metadata?.requestId;
  const nodeCode = typeof e.code === 'string' ? e.code : '';
  const fromSdk = isSdkError(err);
  const info = (kind: AwsErrorKind): AwsErrorInfo => ({
    kind,
    code,
    message,
    ...(httpStatus !== undefined ? { httpStatus } : {}),
    ...(requestId ? { requestId } : {}),
    fromSdk,
    retryable: kind === 'throttled' || kind === 'transient' || kind === 'expired-token',
  });

  // Order matters: a 400 ThrottlingException is throttling, not a client error; an expired token
  // is checked before the generic credential codes.
  if (httpStatus === 429 || THROTTLING_CODES.has(code) || e.$retryable?.throttling === true) return info('throttled');
  if (EXPIRED_TOKEN_CODES.has(code) || /security token included in the request is expired/i.test(message)) {
    return info('expired-token');
  }
  if (code === 'LimitExceededException') {
    // CloudFormation and EKS use it for quotas ("Limit for stacks exceeded"); elsewhere it is rate.
    return info(/quota|limit .*(exceeded|reached)|maximum number/i.test(message) ? 'quota' : 'throttled');
  }
  if (REGION_DISABLED_CODES.has(code)) return info('region-disabled');
  if (code === 'CredentialsProviderError' || /could not load credentials/i.test(message)) return info('no-credentials');
  if (NO_CREDENTIALS_CODES.has(code)) return info('no-credentials');
  if (ACCESS_DENIED_CODES.has(code)) return info('access-denied');
  if (QUOTA_CODES.has(code)) return info('quota');
  if (NOT_FOUND_PATTERN.test(code)) return info('not-found');
  if (TRANSIENT_CODES.has(code) || NODE_NETWORK_CODES.has(nodeCode) || NODE_NETWORK_CODES.has(code)) {
    return info('transient');
  }
  if (httpStatus !== undefined && httpStatus >= 500) return info('transient');
  if (e.$fault === 'server') return info('transient');
  if (code === 'ERR_HTTP2_STREAM_ERROR' || nodeCode === 'ERR_HTTP2_STREAM_ERROR') return info('transient');
  if (httpStatus === 403) return info('access-denied');
  if (fromSdk) return info('client');
  // A network error wrapped by another error: look through `cause`.
  if (e.cause !== undefined && depth < 5) {
    const inner = classifyAwsError(e.cause, depth + 1);
    if (inner.kind !== 'unknown') return { ...inner, code: inner.code, message: message || inner.message };
  }
  return info('unknown');
}

/**
 * The IAM action an AccessDenied names, e.g. "... is not authorized to perform: ec2:DescribeVpcs
 * on resource ..." or "You are not authorized to perform this operation" (EC2, no action: fallback).
 */
export function deniedAction(message: string): string | undefined {
  const m = /not authorized to perform:?\s+([a-z0-9-]+:[A-Za-z0-9*]+)/i.exec(message);
  return m?.[1];
}

/** The resource an AccessDenied names ("on resource: arn:..."), if any. */
export function deniedResource(message: string): string | undefined {
  const m = /on resource:?\s+"?(arn:[^\s"]+?)"?(?:\s|$|\bbecause\b|,)/i.exec(message);
  return m?.[1]?.replace(/[.,]$/, '');
}

/**
 * Access key ids, and anything following a secret/token label, never leave the process. Labels in
 * every spelling they come in: JSON/JS (`secretAccessKey: '…'`), STS's XML answer
 * (`<SessionToken>…`), env/ini files (`AWS_SECRET_ACCESS_KEY=…`), SigV4 headers and presigned URLs
 * (`X-Amz-Security-Token=…`, whose value may be percent-encoded).
 */
const ACCESS_KEY_ID = /\b(?:AKIA|ASIA|AROA|AIDA)[A-Z0-9]{16}\b/g;
const SECRET_LABELLED =
  /((?:secret(?:[_-]?access[_-]?key)?|session[_-]?token|security[_-]?token)["'=:>\s]+)[A-Za-z0-9/+=%]{16,}/gi;

/** An EKS bearer token (`aws eks get-token`): a presigned STS URL, base64url; whoever holds it is role B. */
const EKS_TOKEN = /\bk8s-aws-v1\.[A-Za-z0-9_-]+/g;

export function redactSecrets(text: string): string {
  return text
    .replace(ACCESS_KEY_ID, '<redacted-access-key>')
    .replace(SECRET_LABELLED, '$1<redacted>')
    .replace(EKS_TOKEN, 'k8s-aws-v1.<redacted>');
}

/**
 * One line for a log or an outcome list about an error caught in a sweep (`Name: message`), redacted and
 * clipped: raw SDK errors carry AWS's words, and a SignatureDoesNotMatch repeats the canonical request,
 * session token header included.
 */
export function errorSummary(e: unknown, max = 300): string {
  const err = e as { name?: unknown; message?: unknown } | null | undefined;
  const name = typeof err?.name === 'string' ? err.name : 'Error';
  const message = typeof err?.message === 'string' ? err.message : String(e);
  return redactSecrets(`${name}: ${message}`).slice(0, max);
}
