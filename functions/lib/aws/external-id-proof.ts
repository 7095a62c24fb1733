/**
 * The confused-deputy check: role B must demand *this tenant's* External ID. A role whose trust
 * policy trusts the service's account without pinning that value can be assumed through the service
 * by another tenant — exactly what External IDs exist to stop.
 *
 * Proven, not sampled: role B reads its own trust policy (iam:GetRole on itself, part of the provision
 * policy) and `proveTrustPolicy` checks every statement (../policy/trust-policy-proof.ts). Probing STS
 * with a random wrong External ID cannot prove it — `StringLike "3*"` lets one tenant in 16 through and
 * a random probe misses it 15 times in 16 — and probes can be told apart from real calls by a trust
 * policy conditioned on the session name. The real AssumeRole (with the right External ID, same session
 * name and duration as every call) already proved the role is usable; no other call is made to STS.
 */
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { type ContextEvidence, makeDiagnosis } from '../diagnosis/catalog.js';
import { toStepError } from '../diagnosis/from-aws-error.js';
import { DiagnosedError } from '../errors.js';
import { proveTrustPolicy } from '../policy/trust-policy-proof.js';
import { classifyAwsError } from './aws-error.js';
import { iamClient, type RoleSession } from './clients.js';
import { serviceIdentity } from './service-identity.js';

export interface ExternalIdProofInput {
  roleArn: string;
  externalId: string;
  region: string;
  evidence?: ContextEvidence;
}

/**
 * Throws EXTERNAL_ID_NOT_REQUIRED (DiagnosedError) if role B's trust policy lets the service in
 * without exactly this tenant's External ID, TRUST_POLICY_UNREADABLE if role B may not read itself;
 * throttling/5xx come out as retryable step errors. `session` is role B's own (just assumed).
 */
export async function proveExternalIdRequired(o: ExternalIdProofInput, session: RoleSession): Promise<void> {
  const accountId = o.roleArn.split(':')[4] ?? '';
  const base: ContextEvidence = {
    roleArn: o.roleArn,
    region: o.region,
    accountId,
    externalId: o.externalId,
    ...(o.evidence ?? {}),
  };
  let document: string | undefined;
  try {
    document = (await iamClient(session).send(new GetRoleCommand({ RoleName: roleNameOf(o.roleArn) }))).Role
      ?.AssumeRolePolicyDocument;
  } catch (err) {
    const info = classifyAwsError(err);
    if (info.kind === 'access-denied') {
      throw new DiagnosedError(
        makeDiagnosis('TRUST_POLICY_UNREADABLE', { ...base, awsErrorCode: info.code, awsMessage: info.message }),
      );
    }
    throw toStepError(err, { service: 'iam', operation: 'GetRole', principal: 'provision-role', evidence: base });
  }
  const serviceAccountId = (await serviceIdentity()).accountId;
  const proof = proveTrustPolicy({ document: document ?? '', externalId: o.externalId, serviceAccountId });
  if (proof.ok) return;
  const { problem } = proof;
  throw new DiagnosedError(
    makeDiagnosis('EXTERNAL_ID_NOT_REQUIRED', {
      ...base,
      serviceAccountId,
      trustProblem: problem.kind,
      why: problem.why,
      ...(problem.statementIndex !== undefined ? { statementIndex: problem.statementIndex } : {}),
      ...(problem.statement !== undefined ? { offendingStatement: JSON.stringify(problem.statement) } : {}),
    }),
  );
}

/** `arn:aws:iam::1:role/path/name` → `name` (GetRole takes the name without the path). */
function roleNameOf(roleArn: string): string {
  return roleArn.split('/').pop() ?? roleArn;
}
