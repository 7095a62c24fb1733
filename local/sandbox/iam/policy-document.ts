/**
 * Policy document parsing with IAM's `MalformedPolicyDocument` wording. Identity policies need Action and
 * Resource and must not name a Principal; trust policies need a Principal and no Resource.
 */
import { SandboxAwsError } from '../protocol/types.js';
import type { PolicyDocument, PolicyStatement } from '../world/types.js';

function malformed(message: string): SandboxAwsError {
  return new SandboxAwsError('MalformedPolicyDocument', message, 400);
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
    if (!st || typeof st !== 'object') throw malformed('Syntax errors in policy.');
    if (st.Effect !== 'Allow' && st.Effect !== 'Deny') throw malformed('Syntax errors in policy.');
    if (st.Action === undefined && st.NotAction === undefined) throw malformed('Policy statement must contain actions.');
    if (kind === 'identity') {
      if (st.Principal !== undefined || st.NotPrincipal !== undefined) throw malformed('Policy document should not specify a principal.');
      if (st.Resource === undefined && st.NotResource === undefined) throw malformed('Policy statement must contain resources.');
    } else {
      if (st.Principal === undefined && st.NotPrincipal === undefined) throw malformed('AssumeRolepolicy contained an invalid principal: missing required field Principal.');
      if (st.Resource !== undefined) throw malformed('Has prohibited field Resource');
    }
  }
  return d as unknown as PolicyDocument;
}

/** IAM returns policy documents URL-encoded (RFC 3986) in GetRole/GetRolePolicy/ListRoles. */
export function encodePolicyDocument(doc: PolicyDocument): string {
  return encodeURIComponent(JSON.stringify(doc));
}
