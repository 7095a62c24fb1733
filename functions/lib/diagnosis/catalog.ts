/**
 * The diagnosis catalog: every code's entry, gathered from one file per phase (codes/). Each entry
 * declares the evidence it reads, so `makeDiagnosis('VPC_NOT_FOUND', { vpcId, region })` is checked
 * by the compiler: an unknown or misspelt key does not build. Evidence may hold `undefined` (the
 * fact is unknown); such keys are dropped from the Diagnosis, and templates leave them out of the
 * sentence rather than show "undefined". How to add a code: README.md next to this file.
 */
import { ACCESS } from './codes/access.js';
import { CLUSTER } from './codes/cluster.js';
import { DELETION } from './codes/deletion.js';
import { EXECUTION } from './codes/execution.js';
import { PREFLIGHT } from './codes/preflight.js';
import { STACK } from './codes/stack.js';
import { UPDATE } from './codes/update.js';
import {
  type CatalogEntry,
  type ContextEvidence,
  type DiagnosisExtras,
  Ev,
  type Evidence,
  serializeEvidence,
} from './entry.js';
import type { Diagnosis, DiagnosisCode } from './types.js';

export type { ContextEvidence, DiagnosisExtras } from './entry.js';

export const CATALOG = {
  ...ACCESS,
  ...PREFLIGHT,
  ...STACK,
  ...CLUSTER,
  ...DELETION,
  ...EXECUTION,
  ...UPDATE,
} satisfies Record<DiagnosisCode, CatalogEntry<ContextEvidence>>;

// Every entry in the catalog is a code of types.ts (the line above checks the converse).
type Uncatalogued = Exclude<keyof typeof CATALOG, DiagnosisCode>;
const everyEntryIsACode: [Uncatalogued] extends [never] ? true : Uncatalogued = true;
void everyEntryIsACode;

/** The evidence `code` accepts (a union for a union of codes). */
export type EvidenceOf<C extends DiagnosisCode> = C extends DiagnosisCode
  ? NonNullable<(typeof CATALOG)[C]['evidence']>
  : never;

/** Builds the diagnosis for `code`, filling the entry's templates from `evidence`. */
export function makeDiagnosis<C extends DiagnosisCode>(
  code: C,
  evidence: EvidenceOf<C> = {} as EvidenceOf<C>,
  extras: DiagnosisExtras = {},
): Diagnosis {
  const entry: CatalogEntry<object> = (CATALOG as Record<DiagnosisCode, CatalogEntry<object>>)[code] ?? CATALOG.UNKNOWN;
  const ev = new Ev<object>(evidence, extras);
  const diagnosis: Diagnosis = {
    code,
    title: entry.title,
    message: entry.message(ev),
    remediation: entry
      .remediation(ev)
      .map((s) => s.trim())
      .filter(Boolean),
    retryable: entry.retryable,
    docsUrl: entry.docsUrl,
    evidence: serializeEvidence(evidence),
  };
  if (extras.fields) diagnosis.fields = extras.fields;
  if (extras.problems) diagnosis.problems = extras.problems;
  if (extras.failedResource) diagnosis.failedResource = extras.failedResource;
  if (extras.cause) diagnosis.cause = extras.cause;
  return diagnosis;
}

/**
 * Several problems found at once (pre-flight) → one diagnosis: the first problem's code, every
 * problem listed in `problems`, remediation steps of all of them (duplicates dropped).
 */
export function combineDiagnoses(diagnoses: Diagnosis[]): Diagnosis | undefined {
  const [first] = diagnoses;
  if (!first) return undefined;
  if (diagnoses.length === 1) return { ...first, problems: [{ code: first.code, message: first.message }] };
  const remediation = [...new Set(diagnoses.flatMap((d) => d.remediation))];
  const fields = diagnoses.flatMap((d) => d.fields ?? []);
  const evidence: Evidence = {
    ...Object.assign({}, ...diagnoses.map((d) => d.evidence ?? {})),
    ...(first.evidence ?? {}),
  };
  return {
    ...first,
    title: `${diagnoses.length} problems found before creating anything`,
    message: diagnoses.map((d, i) => `${i + 1}) ${d.message}`).join(' '),
    remediation,
    retryable: diagnoses.every((d) => d.retryable),
    evidence,
    ...(fields.length ? { fields } : {}),
    problems: diagnoses.map((d) => ({ code: d.code, message: d.message })),
  };
}
