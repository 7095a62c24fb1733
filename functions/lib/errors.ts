/**
 * Typed errors thrown by the handlers.
 *
 * Step Functions matches Retry/Catch on `error.name`, so every name here is a string literal set
 * explicitly (class names do not survive minification). Lambda serialises a thrown error as
 * `{ errorType: name, errorMessage: message }`; that pair is all DiagnoseFailure gets back, so a
 * diagnosis travels as JSON in the message of a `Diagnosed` error.
 */
import type { Diagnosis } from './diagnosis/types.js';

export const ERROR_NAMES = {
  /** AWS answered with throttling; safe to retry with backoff. */
  throttled: 'AwsThrottled',
  /** AWS 5xx, network failure, timeout; safe to retry with backoff. */
  transient: 'AwsTransient',
  /** A known failure with its diagnosis attached (JSON in the message). Not retried. */
  diagnosed: 'Diagnosed',
} as const;

export class AwsThrottledError extends Error {
  override readonly name = ERROR_NAMES.throttled;
  constructor(
    message: string,
    readonly service?: string,
    readonly operation?: string,
  ) {
    super(message);
  }
}

export class AwsTransientError extends Error {
  override readonly name = ERROR_NAMES.transient;
  constructor(
    message: string,
    readonly service?: string,
    readonly operation?: string,
  ) {
    super(message);
  }
}

/** Carries a finished diagnosis out of a handler. `message` is the diagnosis as JSON. */
export class DiagnosedError extends Error {
  override readonly name = ERROR_NAMES.diagnosed;
  constructor(readonly diagnosis: Diagnosis) {
    super(JSON.stringify(diagnosis));
  }
}

/** Reads a diagnosis back from a Step Functions `{ Error, Cause }` pair, if it carries one. */
export function diagnosisFromCause(error: string | undefined, cause: string | undefined): Diagnosis | undefined {
  if (error !== ERROR_NAMES.diagnosed || !cause) return undefined;
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string };
    const body = typeof parsed.errorMessage === 'string' ? JSON.parse(parsed.errorMessage) : parsed;
    return body && typeof body === 'object' && typeof body.code === 'string' ? (body as Diagnosis) : undefined;
  } catch {
    return undefined;
  }
}
