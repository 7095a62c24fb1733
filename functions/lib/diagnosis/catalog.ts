/**
 * The diagnosis catalog: one entry per code (title, message template, ordered remediation,
 * retryable, docs link). OWNER: foundation issue — fill every entry; keep `makeDiagnosis`'s
 * signature, other handlers call it.
 */
import type { Diagnosis, DiagnosisCode } from './types.js';

export type Evidence = NonNullable<Diagnosis['evidence']>;

export interface DiagnosisExtras {
  fields?: Diagnosis['fields'];
  problems?: Diagnosis['problems'];
  failedResource?: Diagnosis['failedResource'];
  cause?: Diagnosis['cause'];
}

/** Builds the diagnosis for `code`, filling the entry's templates from `evidence`. */
export function makeDiagnosis(code: DiagnosisCode, evidence: Evidence = {}, extras: DiagnosisExtras = {}): Diagnosis {
  return {
    code,
    title: code,
    message: code,
    remediation: [],
    retryable: false,
    evidence,
    ...extras,
  };
}
