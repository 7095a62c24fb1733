/**
 * Policy document parsing with IAM's `MalformedPolicyDocument` wording. Identity policies need Action and
 * Resource and must not name a Principal; trust policies need a valid Principal (or NotPrincipal) and no
 * Resource. Both: only IAM's statement elements, and known condition operators with scalar values.
 */
import { SandboxAwsError } from '../protocol/types.js';
import type { PolicyDocument, PolicyStatement } from '../world/types.js';

function malformed(message: string): SandboxAwsError {
  return new SandboxAwsError('MalformedPolicyDocument', message, 400);
}

/** The elements IAM's grammar allows in a statement (case-sensitive); anything else is a syntax error. */
const STATEMENT_ELEMENTS = new Set([
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
]);

/** Every condition operator IAM accepts (before the ForAnyValue:/ForAllValues: prefix and IfExists suffix), by lower-case name. */
const CONDITION_OPERATORS = new Set(
  [
    'StringEquals',
    'StringNotEquals',
    'StringEqualsIgnoreCase',
    'StringNotEqualsIgnoreCase',
    'StringLike',
    'StringNotLike',
    'NumericEquals',
    'NumericNotEquals',
    'NumericLessThan',
    'NumericLessThanEquals',
    'NumericGreaterThan',
    'NumericGreaterThanEquals',
    'DateEquals',
    'DateNotEquals',
    'DateLessThan',
    'DateLessThanEquals',
    'DateGreaterThan',
    'DateGreaterThanEquals',
    'Bool',
    'BinaryEquals',
    'IpAddress',
    'NotIpAddress',
    'ArnEquals',
    'ArnLike',
    'ArnNotEquals',
    'ArnNotLike',
    'Null',
  ].map((op) => op.toLowerCase()),
);

/** `{ Operator: { key: scalar | [scalars] } }` with a known operator (names in any case, as IAM reads them). */
function checkCondition(condition: unknown): void {
  if (condition === undefined) return;
  if (!condition || typeof condition !== 'object' || Array.isArray(condition))
    throw malformed('Syntax errors in policy.');
  for (const [operator, block] of Object.entries(condition)) {
    const base = operator
      .toLowerCase()
      .replace(/^for(anyvalue|allvalues):/, '')
      .replace(/(.)ifexists$/, '$1');
    if (!CONDITION_OPERATORS.has(base)) throw malformed('Syntax errors in policy.');
    if (!block || typeof block !== 'object' || Array.isArray(block)) throw malformed('Syntax errors in policy.');
    for (const value of Object.values(block as Record<string, unknown>)) {
      const scalars = Array.isArray(value) ? value : [value];
      if (!scalars.every((v) => ['string', 'boolean', 'number'].includes(typeof v)))
        throw malformed('Syntax errors in policy.');
    }
  }
}

/**
 * A trust policy's principal: `"*"` or `{ AWS | Service | Federated | CanonicalUser: value(s) }`. An AWS value is
 * `*`, a 12-digit account, an IAM/STS principal ARN (no wildcards) or a unique id (what IAM shows for a deleted one).
 */
function checkPrincipal(principal: unknown): void {
  if (principal === '*') return;
  if (!principal || typeof principal !== 'object' || Array.isArray(principal))
    throw malformed(`Invalid principal in policy: ${JSON.stringify(principal)}`);
  for (const [type, raw] of Object.entries(principal as Record<string, unknown>)) {
    const values = Array.isArray(raw) ? raw : [raw];
    for (const v of values) {
      const invalid = () => malformed(`Invalid principal in policy: ${JSON.stringify(type)}:${JSON.stringify(v)}`);
      if (typeof v !== 'string') throw invalid();
      if (type === 'AWS') {
        const ok =
          v === '*' ||
          /^\d{12}$/.test(v) ||
          /^arn:aws[a-z-]*:iam::\d{12}:(root|user\/[\w+=,.@/-]+|role\/[\w+=,.@/-]+)$/.test(v) ||
          /^arn:aws[a-z-]*:sts::\d{12}:(assumed-role\/[\w+=,.@/-]+|federated-user\/[\w+=,.@-]+)$/.test(v) ||
          /^A[A-Z0-9]{15,127}$/.test(v);
        if (!ok) throw invalid();
      } else if (type === 'Service') {
        if (!/^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$/.test(v) && !/^[a-z0-9.-]+\.amazon\.com$/.test(v)) throw invalid();
      } else if (type !== 'Federated' && type !== 'CanonicalUser') {
        throw invalid();
      }
    }
  }
}

export function parsePolicyDocument(text: string, kind: 'identity' | 'trust'): PolicyDocument {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw malformed('This policy contains invalid Json');
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw malformed('Syntax errors in policy.');
  const d = doc as Record<string, unknown>;
  if (d.Version !== undefined && d.Version !== '2012-10-17' && d.Version !== '2008-10-17') {
    throw malformed('The policy failed legacy parsing');
  }
  if (d.Statement === undefined) throw malformed('Syntax errors in policy.');
  const statements = (Array.isArray(d.Statement) ? d.Statement : [d.Statement]) as PolicyStatement[];
  if (statements.length === 0) throw malformed('Syntax errors in policy.');
  for (const st of statements) {
    if (!st || typeof st !== 'object' || Array.isArray(st)) throw malformed('Syntax errors in policy.');
    if (Object.keys(st).some((k) => !STATEMENT_ELEMENTS.has(k))) throw malformed('Syntax errors in policy.');
    if (st.Effect !== 'Allow' && st.Effect !== 'Deny') throw malformed('Syntax errors in policy.');
    checkCondition(st.Condition);
    if (st.Action === undefined && st.NotAction === undefined)
      throw malformed('Policy statement must contain actions.');
    if (kind === 'identity') {
      if (st.Principal !== undefined || st.NotPrincipal !== undefined)
        throw malformed('Policy document should not specify a principal.');
      if (st.Resource === undefined && st.NotResource === undefined)
        throw malformed('Policy statement must contain resources.');
    } else {
      if (st.Principal === undefined && st.NotPrincipal === undefined)
        throw malformed('AssumeRolepolicy contained an invalid principal: missing required field Principal.');
      if (st.Resource !== undefined || st.NotResource !== undefined) throw malformed('Has prohibited field Resource');
      checkPrincipal(st.Principal ?? st.NotPrincipal);
    }
  }
  return d as unknown as PolicyDocument;
}

/** IAM returns policy documents URL-encoded (RFC 3986) in GetRole/GetRolePolicy/ListRoles. */
export function encodePolicyDocument(doc: PolicyDocument): string {
  return encodeURIComponent(JSON.stringify(doc));
}
