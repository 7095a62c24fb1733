/**
 * What a catalog entry is made of, and the helpers its templates share. Each code declares the
 * evidence it reads with `entry<{ ... }>(...)`; `makeDiagnosis` then accepts exactly those keys
 * (plus the context every code may carry), so a misspelt or foreign key is a compile error.
 */
import type { Diagnosis } from './types.js';

/** One evidence value. `undefined` is allowed while building and dropped when serialized. */
export type Fact = string | number | boolean | string[] | null | undefined;

/** Evidence as serialized in a Diagnosis (API, events, records): no undefined values. */
export type Evidence = NonNullable<Diagnosis['evidence']>;

/**
 * Facts any diagnosis may carry: who made the failing call and where, which cluster and stack it was
 * for, what AWS answered, and the stack event it was read from. The generic readers (from-aws-error,
 * from-stack-events) carry these into whichever code matches, so every code accepts them.
 */
export type ContextEvidence = {
  roleArn?: string;
  region?: string;
  accountId?: string;
  serviceAccountId?: string;
  externalId?: string;
  roleNamePrefix?: string;
  clusterId?: string;
  clusterName?: string;
  stackName?: string;
  stackId?: string;
  /** The cluster settings the failing call was about. */
  vpcId?: string;
  subnetIds?: string[];
  securityGroupIds?: string[];
  keyName?: string;
  instanceType?: string;
  kubernetesVersion?: string;
  serviceRoleArn?: string;
  /** `service:Operation` of the failing call. */
  operation?: string;
  awsErrorCode?: string;
  awsMessage?: string;
  requestId?: string;
  /** The denied IAM action and resource, when AWS named them. */
  action?: string;
  resource?: string;
  /** The failing stack resource (stack events). */
  logicalId?: string;
  resourceType?: string;
  physicalId?: string;
  status?: string;
  reason?: string;
  /** Free text that completes the message. */
  detail?: string;
};

export interface DiagnosisExtras {
  fields?: Diagnosis['fields'];
  problems?: Diagnosis['problems'];
  failedResource?: Diagnosis['failedResource'];
  cause?: Diagnosis['cause'];
}

type Key<E> = Extract<keyof E, string>;

/** Reads evidence for templates; only the keys of the entry's evidence type. */
export class Ev<E extends object> {
  constructor(
    readonly raw: E,
    readonly extras: DiagnosisExtras,
  ) {}
  has(key: Key<E>): boolean {
    return present(this.raw, key);
  }
  /** The value as text; arrays joined with ", ". */
  s(key: Key<E>, fallback = ''): string {
    return text(this.raw, key, fallback);
  }
  /** `fmt(value)` when the key is present, '' otherwise. */
  opt(key: Key<E>, fmt: (v: string) => string): string {
    return this.has(key) ? fmt(this.s(key)) : '';
  }
  /** The AWS error, quoted, when known. */
  aws(prefix = ' AWS answered: '): string {
    if (!present(this.raw, 'awsMessage') && !present(this.raw, 'awsErrorCode')) return '';
    const code = text(this.raw, 'awsErrorCode');
    const msg = text(this.raw, 'awsMessage');
    const quoted = `${prefix}${code ? `${code}: ` : ''}${msg ? `"${msg}"` : ''}`.trimEnd();
    return `${quoted}.`;
  }
  region(): string {
    return text(this.raw, 'region', 'the chosen region');
  }
  /** True when the key holds more than one value. */
  many(key: Key<E>): boolean {
    const v = (this.raw as Record<string, Fact>)[key];
    return Array.isArray(v) && v.length > 1;
  }
  /** "Subnet x does not" / "Subnets x, y do not". */
  noun(key: Key<E>, singular: string, plural: string): string {
    return this.many(key) ? plural : singular;
  }
}

function present(raw: object, key: string): boolean {
  const v = (raw as Record<string, Fact>)[key];
  return v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0);
}

function text(raw: object, key: string, fallback = ''): string {
  const v = (raw as Record<string, Fact>)[key];
  if (v === undefined || v === null || v === '') return fallback;
  return Array.isArray(v) ? v.join(', ') : String(v);
}

/** One code's entry: title, message template, ordered remediation, retryable, docs link. */
export interface CatalogEntry<E extends object> {
  title: string;
  retryable: boolean;
  docsUrl: string;
  message: (ev: Ev<E>) => string;
  remediation: (ev: Ev<E>) => string[];
  /** Type-level only: the evidence this code accepts (never set). */
  readonly evidence?: E;
}

/** Declares an entry whose evidence is `Own` plus the context every code may carry. */
export function entry<Own extends object = object>(
  e: Omit<CatalogEntry<ContextEvidence & Own>, 'evidence'>,
): CatalogEntry<ContextEvidence & Own> {
  return e;
}

/** Evidence with the undefined values dropped, keys in the order given. */
export function serializeEvidence(evidence: object): Evidence {
  const out: Evidence = {};
  for (const [k, v] of Object.entries(evidence)) if (v !== undefined) out[k] = v as Evidence[string];
  return out;
}

// ---- wording shared by several phases ----------------------------------------------------------

/** Collapses the whitespace of multi-line templates and the space before punctuation. */
export const sentence = (s: string) =>
  s
    .replace(/\s+/g, ' ')
    .replace(/\s+([.,:;])/g, '$1')
    .trim();

/** The stack is real: CloudFormation gave it an id, or its events were read. */
export const stackExists = (ev: Ev<ContextEvidence>) =>
  ev.has('stackName') && (ev.has('stackId') || ev.has('logicalId'));

/** `arn:aws:iam::123:role/path/name` → `name`. */
export function roleNameOf(arn: string): string {
  const resource = arn.split(':').slice(5).join(':');
  return (
    resource
      .replace(/^role\//, '')
      .split('/')
      .pop() ?? arn
  );
}

export function partitionOf(arn: string): string {
  const p = arn.split(':')[1];
  return p?.startsWith('aws') ? p : 'aws';
}

/** "does not exist" → "do not exist", "belongs to" → "belong to" for several ids. */
export function pluralVerb(detail: string, many: boolean): string {
  return many
    ? detail
        .replace(/^does not/, 'do not')
        .replace(/^belongs to/, 'belong to')
        .replace(/^is /, 'are ')
    : detail;
}

export const provisionPolicyHint = 'GET /v1/setup returns the exact provision policy to attach to role B.';
