/**
 * The confused-deputy proof, done on the policy text instead of by sampling STS: role B's trust policy
 * is safe for this tenant iff every Allow statement that could let the service's account call
 * sts:AssumeRole pins sts:ExternalId to exactly this tenant's External ID, and no statement trusts
 * everyone (`*`, NotPrincipal). Probing with a wrong value cannot prove that: `StringLike "3*"` lets
 * one tenant in 16 through and a random probe misses it 15 times in 16.
 *
 * Why one pinning condition is enough: within a statement, IAM ANDs every operator and every key, so
 * one `StringEquals {"sts:ExternalId": ours}` block admits only requests carrying our External ID,
 * whatever else the statement says; further conditions and Deny statements only narrow.
 *
 * Pure: no AWS. The caller reads the document with iam:GetRole (URL-encoded JSON) and passes the text.
 */

export interface TrustProofInput {
  /** The trust policy as GetRole returns it (URL-encoded JSON) or already decoded. */
  document: string;
  externalId: string;
  /** The service's own account: the principal role B must name. */
  serviceAccountId: string;
}

export type TrustProblemKind =
  | 'unreadable'
  | 'duplicate-key'
  | 'wildcard-principal'
  | 'not-principal'
  | 'external-id-not-pinned'
  | 'service-not-trusted';

export interface TrustProblem {
  kind: TrustProblemKind;
  /** Index in the Statement list (0-based) of the offending statement, when one is at fault. */
  statementIndex?: number;
  /** The offending statement as written. */
  statement?: unknown;
  /** One sentence: what is wrong with it. */
  why: string;
}

export type TrustProof = { ok: true } | { ok: false; problem: TrustProblem };

type Statement = Record<string, unknown>;

const ASSUME_ROLE = 'sts:AssumeRole';

function asList(v: unknown): unknown[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** IAM wildcard match (`*`, `?`), case-insensitive as IAM matches action names. */
function actionPatternMatches(pattern: string, action: string): boolean {
  const body = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 'is').test(action);
}

/** Could this statement cover sts:AssumeRole (Action with wildcards, or a NotAction that leaves it in)? */
function coversAssumeRole(st: Statement): boolean {
  if (st.Action !== undefined)
    return asList(st.Action).some((p) => typeof p === 'string' && actionPatternMatches(p, ASSUME_ROLE));
  if (st.NotAction !== undefined)
    return !asList(st.NotAction).some((p) => typeof p === 'string' && actionPatternMatches(p, ASSUME_ROLE));
  return false;
}

/** How a Principal element relates to the service: names everyone, could name the service, or cannot. */
function principalReach(principal: unknown, serviceAccountId: string): 'everyone' | 'service' | 'other' {
  if (principal === '*') return 'everyone';
  if (!principal || typeof principal !== 'object' || Array.isArray(principal)) return 'other';
  let reach: 'service' | 'other' = 'other';
  for (const [type, raw] of Object.entries(principal as Record<string, unknown>)) {
    // Service, Federated and CanonicalUser principals are never the service's IAM identity.
    if (type !== 'AWS') continue;
    for (const v of asList(raw)) {
      const s = String(v);
      if (s.includes('*') || s.includes('?')) return 'everyone';
      if (s === serviceAccountId) reach = 'service';
      // Any IAM or STS principal of the service's account: its root, roles, users, sessions.
      else if (new RegExp(`^arn:aws[a-z-]*:(iam|sts)::${serviceAccountId}:`).test(s)) reach = 'service';
      // A unique id (AIDA…, AROA…) names no account we can read: it might be the service's own identity.
      else if (/^A[A-Z0-9]{15,}$/.test(s)) reach = 'service';
    }
  }
  return reach;
}

/** Does one condition block force sts:ExternalId to be exactly ours? Plain StringEquals, literal values, all ours. */
function pinsExternalId(condition: unknown, externalId: string): boolean {
  if (!condition || typeof condition !== 'object') return false;
  return Object.entries(condition as Record<string, unknown>).some(([op, block]) => {
    // IAM reads operator names and condition keys case-insensitively.
    if (op.toLowerCase() !== 'stringequals' || !block || typeof block !== 'object') return false;
    return Object.entries(block as Record<string, unknown>).some(([key, raw]) => {
      if (key.toLowerCase() !== 'sts:externalid') return false;
      const values = asList(raw);
      return values.length > 0 && values.every((v) => v === externalId);
    });
  });
}

/** Why a statement that reaches the service does not pin the External ID — the first loophole found. */
function loophole(condition: unknown, externalId: string): string {
  const mentions: Array<{ op: string; values: string[] }> = [];
  if (condition && typeof condition === 'object') {
    for (const [op, block] of Object.entries(condition as Record<string, unknown>)) {
      if (!block || typeof block !== 'object') continue;
      for (const [key, raw] of Object.entries(block as Record<string, unknown>)) {
        if (key.toLowerCase() === 'sts:externalid') mentions.push({ op, values: asList(raw).map(String) });
      }
    }
  }
  if (mentions.length === 0) return 'it has no sts:ExternalId condition, so the service can assume it for any tenant';
  const m = mentions[0]!;
  const op = m.op.toLowerCase();
  const base = op.replace(/^for(any|all)value:/, '').replace(/ifexists$/, '');
  if (/^for(any|all)value:/.test(op))
    return `"${m.op}" is a set operator: sts:ExternalId has one value, so use plain "StringEquals"`;
  if (op.endsWith('ifexists')) return `"${m.op}" lets a request without any External ID through`;
  if (base === 'null') return `"Null" on sts:ExternalId only checks that some External ID is sent, not which one`;
  if (base.includes('not'))
    return `"${m.op}" on sts:ExternalId admits every External ID it does not list, including other tenants'`;
  if (base === 'stringlike' || base === 'arnlike' || base === 'arnequals')
    return `"${m.op}" ${JSON.stringify(m.values.length === 1 ? m.values[0] : m.values)} is a pattern: other tenants' External IDs can match it`;
  if (base === 'stringequalsignorecase')
    return `"${m.op}" admits other spellings of the External ID; use "StringEquals"`;
  if (base === 'stringequals') {
    const others = m.values.filter((v) => v !== externalId);
    if (m.values.includes(externalId))
      return `it also admits other External IDs (${others.join(', ')}): the tenants they belong to could use this role`;
    return `it requires a different External ID (${others.join(', ')}), not yours`;
  }
  return `"${m.op}" on sts:ExternalId does not pin it to your External ID`;
}

/**
 * The first key that appears twice in one JSON object (case-insensitively), or undefined. Parsers
 * disagree on which duplicate wins, so a document with one cannot be proven to mean what we read.
 */
export function duplicateKey(text: string): string | undefined {
  const stack: Array<Set<string> | null> = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const top = stack[stack.length - 1];
      if (expectKey && top) {
        const key = (JSON.parse(text.slice(i, j + 1)) as string).toLowerCase();
        if (top.has(key)) return key;
        top.add(key);
        expectKey = false;
      }
      i = j;
    } else if (c === '{') {
      stack.push(new Set());
      expectKey = true;
    } else if (c === '[') {
      stack.push(null);
    } else if (c === '}' || c === ']') {
      stack.pop();
    } else if (c === ',') {
      expectKey = stack[stack.length - 1] != null;
    }
  }
  return undefined;
}

/** GetRole's AssumeRolePolicyDocument is URL-encoded; accept decoded text too. */
function decode(document: string): string {
  const t = document.trim();
  if (t.startsWith('{')) return t;
  try {
    return decodeURIComponent(t);
  } catch {
    return t;
  }
}

export function proveTrustPolicy(o: TrustProofInput): TrustProof {
  const fail = (problem: TrustProblem): TrustProof => ({ ok: false, problem });
  const text = decode(o.document);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return fail({ kind: 'unreadable', why: 'the trust policy is not valid JSON' });
  }
  const dup = duplicateKey(text);
  if (dup !== undefined)
    return fail({
      kind: 'duplicate-key',
      why: `the key "${dup}" appears twice in one object, so what AWS enforces cannot be read unambiguously`,
    });
  const statements =
    doc && typeof doc === 'object' && !Array.isArray(doc) ? asList((doc as Record<string, unknown>).Statement) : [];
  if (statements.length === 0) return fail({ kind: 'unreadable', why: 'the trust policy has no statements' });

  let trustsService = false;
  for (const [statementIndex, raw] of statements.entries()) {
    const st = (raw && typeof raw === 'object' ? raw : {}) as Statement;
    // Deny statements only take away; a statement that cannot grant sts:AssumeRole is not a way in.
    if (st.Effect === 'Deny' || !coversAssumeRole(st)) continue;
    const at = { statementIndex, statement: raw };
    if (st.NotPrincipal !== undefined) {
      return fail({
        kind: 'not-principal',
        ...at,
        why: 'NotPrincipal in an Allow statement trusts every principal it does not list, in every AWS account',
      });
    }
    const reach = principalReach(st.Principal, o.serviceAccountId);
    if (reach === 'everyone') {
      return fail({
        kind: 'wildcard-principal',
        ...at,
        why: 'its Principal is "*": an External ID is not a secret, so anyone who learns yours could assume the role directly',
      });
    }
    if (reach === 'other') continue;
    if (!pinsExternalId(st.Condition, o.externalId))
      return fail({ kind: 'external-id-not-pinned', ...at, why: loophole(st.Condition, o.externalId) });
    trustsService = true;
  }
  if (!trustsService) {
    return fail({
      kind: 'service-not-trusted',
      why: `no Allow statement for sts:AssumeRole names the service's account ${o.serviceAccountId} as its principal`,
    });
  }
  return { ok: true };
}
