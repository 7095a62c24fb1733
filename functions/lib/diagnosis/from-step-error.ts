/**
 * A Step Functions caught error (`$.error` = `{ Error, Cause }`) → diagnosis. Our handlers throw
 * `Diagnosed` errors carrying their diagnosis; everything else is a failure of the machinery
 * (Lambda, Step Functions, DynamoDB, EventBridge) or a bug, kept as UNKNOWN with the raw facts.
 */
import { redactSecrets } from '../aws/aws-error.js';
import { diagnosisFromCause, ERROR_NAMES } from '../errors.js';
import type { CaughtError } from '../state.js';
import { type ContextEvidence, makeDiagnosis } from './catalog.js';
import type { Diagnosis } from './types.js';

const clip = (s: string, n = 600) => (s.length > n ? `${s.slice(0, n)}…` : s);

/** Lambda's Cause: JSON `{ errorType, errorMessage, trace }`; Step Functions' own: plain text. */
export function readCause(cause: string | undefined): { errorType?: string; errorMessage: string } {
  if (!cause) return { errorMessage: '' };
  try {
    const parsed = JSON.parse(cause) as { errorType?: unknown; errorMessage?: unknown };
    if (parsed && typeof parsed === 'object') {
      return {
        ...(typeof parsed.errorType === 'string' ? { errorType: parsed.errorType } : {}),
        errorMessage: typeof parsed.errorMessage === 'string' ? parsed.errorMessage : clip(cause),
      };
    }
  } catch {
    /* plain text */
  }
  return { errorMessage: cause };
}

/** UNKNOWN with the detail as the catalog's `reason` (the message shows it) plus AWS's words. */
function unknown(evidence: ContextEvidence, retryable: boolean): Diagnosis {
  const detail = typeof evidence.detail === 'string' ? evidence.detail : '';
  const said = typeof evidence.awsMessage === 'string' && evidence.awsMessage ? `: ${evidence.awsMessage}` : '';
  return {
    ...makeDiagnosis('UNKNOWN', {
      ...evidence,
      reason: clip(`${detail || String(evidence.awsErrorCode ?? 'error')}${said}`, 400),
    }),
    retryable,
  };
}

export function diagnoseStepError(error: CaughtError | undefined, base: ContextEvidence = {}): Diagnosis {
  const name = typeof error?.Error === 'string' ? error.Error : '';
  const cause = typeof error?.Cause === 'string' ? error.Cause : undefined;
  const carried = diagnosisFromCause(name, cause);
  if (carried) return carried;

  const { errorType, errorMessage } = readCause(cause);
  const ev: ContextEvidence = {
    ...base,
    awsErrorCode: name || 'unknown',
    ...(errorMessage ? { awsMessage: clip(redactSecrets(errorMessage)) } : {}),
  };

  if (name === ERROR_NAMES.throttled)
    return unknown({ ...ev, detail: 'AWS kept throttling the requests after several retries' }, true);
  if (name === ERROR_NAMES.transient) {
    // Expired role-B credentials are re-assumed on each retry; say so rather than "5xx".
    const expired = /expired|ExpiredToken|RequestExpired/i.test(errorMessage);
    return unknown(
      {
        ...ev,
        detail: expired
          ? "role B's temporary credentials kept expiring, even though each retry assumed the role again"
          : 'AWS kept failing (5xx or network errors) after several retries',
      },
      true,
    );
  }
  if (name === ERROR_NAMES.diagnosed)
    return unknown({ ...ev, detail: 'a step reported a diagnosis that could not be read' }, false);
  if (name === 'States.Timeout') return unknown({ ...ev, detail: 'a step took longer than its time limit' }, true);
  if (name === 'States.HeartbeatTimeout') return unknown({ ...ev, detail: 'a step stopped reporting progress' }, true);
  if (name.startsWith('Lambda.'))
    return unknown({ ...ev, detail: `the service's function could not run (${name})` }, true);
  if (name.startsWith('DynamoDB.')) {
    const detail =
      name === 'DynamoDB.ConditionalCheckFailedException'
        ? 'the cluster record is missing or already finished'
        : 'the cluster record could not be written';
    return unknown({ ...ev, detail }, name !== 'DynamoDB.ConditionalCheckFailedException');
  }
  if (name.startsWith('EventBridge.'))
    return unknown({ ...ev, detail: 'the completion event could not be sent' }, true);
  if (name.startsWith('States.'))
    return unknown({ ...ev, detail: `the state machine failed (${name}): a defect in the service` }, false);
  // A plain Error / TypeError from a handler: a bug; keep its type and message.
  return unknown({ ...ev, ...(errorType ? { errorType } : {}), detail: 'an unexpected error in the service' }, false);
}
