/**
 * Every error the API answers with, and how a thrown error becomes an HTTP response.
 * Body shape: `{ "error": { code, message, fields?, remediation? } }`.
 * A client's input must never reach the 5xx branch: anything we cannot classify is logged and
 * answered with a generic 500 that carries a request id only (never a stack or an AWS message).
 */
import { classifyAwsError } from '../../lib/aws/aws-error.js';
import type { Diagnosis, FieldProblem } from '../../lib/diagnosis/types.js';
import { AwsThrottledError, AwsTransientError, DiagnosedError, ERROR_NAMES } from '../../lib/errors.js';

/** API error codes that are not diagnoses (diagnosis codes pass through unchanged). */
export type ApiErrorCode =
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'PAYLOAD_TOO_LARGE'
  | 'MALFORMED_JSON'
  | 'BAD_REQUEST'
  | 'INVALID_QUERY'
  | 'INVALID_HEADER'
  | 'INVALID_NEXT_TOKEN'
  | 'UNAUTHENTICATED'
  // Console (Cognito identity pool) callers: another pool, a guest identity, the shared role without an identity.
  | 'FOREIGN_IDENTITY_POOL'
  | 'SIGN_IN_REQUIRED'
  | 'IDENTITY_REQUIRED'
  | 'SETUP_REQUIRED'
  | 'ROLE_NOT_REGISTERED'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'CLUSTER_BUSY'
  | 'CLUSTER_NOT_READY'
  // PATCH /v1/clusters/{id} with an If-Match that is not the record's version.
  | 'PRECONDITION_FAILED'
  | 'AWS_THROTTLED'
  | 'AWS_UNAVAILABLE'
  | 'INTERNAL_ERROR';

export interface ErrorBody {
  error: {
    code: string;
    message: string;
    title?: string;
    fields?: FieldProblem[];
    remediation?: string[];
    docsUrl?: string;
    retryable?: boolean;
    problems?: Array<{ code: string; message: string }>;
  };
}

/** An error that already knows its HTTP status and body. Routes throw these. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly statusCode: number,
    readonly body: ErrorBody,
    readonly headers: Record<string, string> = {},
  ) {
    super(body.error.message);
  }
}

export function httpError(
  statusCode: number,
  code: ApiErrorCode | Diagnosis['code'],
  message: string,
  extra: Omit<ErrorBody['error'], 'code' | 'message'> = {},
  headers: Record<string, string> = {},
): HttpError {
  return new HttpError(statusCode, { error: { code, message, ...stripUndefined(extra) } }, headers);
}

/** A diagnosis as an API error (422 unless the caller says otherwise). */
export function diagnosisError(diagnosis: Diagnosis, statusCode = 422): HttpError {
  return new HttpError(statusCode, {
    error: stripUndefined({
      code: diagnosis.code,
      message: diagnosis.message,
      title: diagnosis.title,
      fields: diagnosis.fields,
      remediation: diagnosis.remediation,
      docsUrl: diagnosis.docsUrl,
      retryable: diagnosis.retryable,
      problems: diagnosis.problems,
    }),
  });
}

export const notFound = (what = 'No such resource.') => httpError(404, 'NOT_FOUND', what);

/** Status for a diagnosis thrown from deeper code (store, role assumption, form data). */
function statusForDiagnosis(d: Diagnosis): number {
  switch (d.code) {
    case 'NAME_ALREADY_IN_USE':
      return 409;
    case 'VALIDATION_FAILED':
      return 400;
    // The service's own set-up is broken: not the caller's fault, but say exactly what to fix.
    case 'CREDENTIALS_NOT_CONFIGURED':
      return 503;
    default:
      return 422;
  }
}

/** Turns anything thrown inside a route into the HTTP error to answer with. */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof DiagnosedError) return diagnosisError(err.diagnosis, statusForDiagnosis(err.diagnosis));
  const name = (err as { name?: unknown } | null)?.name;
  // An AWS error that escaped unclassified (e.g. from the store): throttling and outages are retryable.
  const kind =
    err instanceof Error && !(err instanceof AwsThrottledError || err instanceof AwsTransientError)
      ? classifyAwsError(err).kind
      : undefined;
  if (err instanceof AwsThrottledError || name === ERROR_NAMES.throttled || kind === 'throttled') {
    return httpError(
      429,
      'AWS_THROTTLED',
      'AWS is throttling requests right now; retry after a short wait.',
      { retryable: true },
      { 'Retry-After': '5' },
    );
  }
  if (err instanceof AwsTransientError || name === ERROR_NAMES.transient || kind === 'transient') {
    return httpError(
      503,
      'AWS_UNAVAILABLE',
      'AWS did not answer in time; retry after a short wait.',
      { retryable: true },
      { 'Retry-After': '5' },
    );
  }
  if (name === ERROR_NAMES.diagnosed && err instanceof Error) {
    // A Diagnosed error from another copy of the errors module (bundling): the message is the JSON.
    try {
      const d = JSON.parse(err.message) as Diagnosis;
      if (d && typeof d.code === 'string') return diagnosisError(d, statusForDiagnosis(d));
    } catch {
      /* fall through */
    }
  }
  return httpError(
    500,
    'INTERNAL_ERROR',
    'The service failed to answer this request. It has been logged; retry later.',
  );
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
