/**
 * Role B for API requests, through the one module that assumes it (lib/aws/provision-role.ts),
 * always with the read-only session policy: the API only reads the customer's account. That module
 * already turns STS failures into diagnoses (ASSUME_ROLE_DENIED with the seed's three checks,
 * CREDENTIALS_NOT_CONFIGURED, REGION_NOT_ENABLED) or retryable errors.
 */
import { createHash } from 'node:crypto';
import { classifyAwsError } from '../../lib/aws/aws-error.js';
import { proveExternalIdRequired } from '../../lib/aws/external-id-proof.js';
import { provisionSession } from '../../lib/aws/provision-role.js';
import { makeDiagnosis } from '../../lib/diagnosis/catalog.js';
import { toStepError } from '../../lib/diagnosis/from-aws-error.js';
import { DiagnosedError, ERROR_NAMES } from '../../lib/errors.js';
import { READ_ONLY_SESSION_POLICY } from '../aws-form/session-policy.js';

export interface AssumeForTenant {
  tenantId: string;
  roleArn: string;
  externalId: string;
  region: string;
  roleNamePrefix: string;
  /** See provision-role.ts: registration proves it every time, form data when not proven in the last minutes. */
  proveExternalId: 'always' | 'if-stale';
}

/** Session names show up in the customer's CloudTrail: say it is the API, not who the tenant is. */
function sessionName(tenantId: string): string {
  return `api-${createHash('sha256').update(tenantId).digest('hex').slice(0, 16)}`;
}

export async function assumeReadOnly(o: AssumeForTenant) {
  try {
    return await provisionSession({
      roleArn: o.roleArn,
      externalId: o.externalId,
      region: o.region,
      sessionName: sessionName(o.tenantId),
      sessionPolicy: READ_ONLY_SESSION_POLICY,
      evidence: { roleNamePrefix: o.roleNamePrefix },
      proveExternalId: { when: o.proveExternalId, prove: proveExternalIdRequired },
    });
  } catch (err) {
    const e = err as { name?: string; message?: string } | null;
    // No DNS name for the region's STS endpoint: the region does not exist (the caller's input).
    if (
      classifyAwsError(err).code === 'ENOTFOUND' ||
      (e?.name === ERROR_NAMES.transient && /\bENOTFOUND\b/.test(e.message ?? ''))
    ) {
      throw new DiagnosedError(
        makeDiagnosis('REGION_NOT_ENABLED', { region: o.region, roleArn: o.roleArn, reason: 'unknown region' }),
      );
    }
    if (err instanceof DiagnosedError || (e?.name && Object.values(ERROR_NAMES).includes(e.name as never))) throw err;
    throw toStepError(err, {
      service: 'sts',
      operation: 'AssumeRole',
      principal: 'service',
      evidence: { roleArn: o.roleArn, region: o.region },
    });
  }
}
