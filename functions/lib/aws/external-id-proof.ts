/**
 * The confused-deputy check: role B must demand *this tenant's* External ID. A role whose trust
 * policy trusts the service's account without that condition can be assumed through the service by
 * anyone who learns its ARN — exactly what External IDs exist to stop.
 *
 * Proof by asking STS twice, after the real AssumeRole (with the right External ID) succeeded:
 *   1. AssumeRole with no External ID,
 *   2. AssumeRole with a random wrong External ID.
 * Both must be denied. Neither probe alone is sound:
 *   - `StringLike sts:ExternalId "*"` (or `Null sts:ExternalId false`) denies an absent External ID
 *     but allows any value, so probe 1 alone would pass it;
 *   - `StringEqualsIfExists sts:ExternalId <id>` (or a second statement with `Null … true`) denies
 *     every wrong value but allows an absent one, so probe 2 alone would pass it.
 * A trust policy with no condition at all fails both. So a correct role costs exactly one extra,
 * denied, call per probe (two per check, sent in parallel); a denial is never retried. What cannot
 * be found by probing — a policy that also lists another specific External ID — is outside reach
 * of any caller that does not know that value.
 *
 * Whatever the probes obtain is dropped at once: nothing is ever done with those credentials.
 */
import { randomBytes } from 'node:crypto';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { makeDiagnosis, type Evidence } from '../diagnosis/catalog.js';
import { toStepError } from '../diagnosis/from-aws-error.js';
import { DiagnosedError } from '../errors.js';
import { classifyAwsError } from './aws-error.js';
import { serviceSts } from './clients.js';

export interface ExternalIdProofInput {
  roleArn: string;
  externalId: string;
  region: string;
  /** The session name of the real session; the probes say they are the External ID check. */
  sessionName: string;
  evidence?: Evidence;
}

/** What each probe sends. `undefined` = no External ID at all. */
export type Probe = { kind: 'absent'; externalId?: undefined } | { kind: 'wrong'; externalId: string };

/** A fresh random External ID that is not the tenant's (same alphabet and length as real ones). */
export function wrongExternalId(rightOne: string): string {
  for (;;) {
    const candidate = randomBytes(20).toString('hex');
    if (candidate !== rightOne) return candidate;
  }
}

/** Shows up in the customer's CloudTrail as the denied session: says what it was. */
export function probeSessionName(sessionName: string): string {
  return `${sessionName.replace(/[^\w+=,.@-]/g, '-').slice(0, 48)}-xid-check`;
}

/**
 * Throws EXTERNAL_ID_NOT_REQUIRED (DiagnosedError) if role B can be assumed without the tenant's
 * External ID; throttling/5xx from STS come out as retryable step errors. Resolves when both probes
 * were denied.
 */
export async function proveExternalIdRequired(o: ExternalIdProofInput): Promise<void> {
  const probes: Probe[] = [{ kind: 'absent' }, { kind: 'wrong', externalId: wrongExternalId(o.externalId) }];
  const sts = serviceSts(o.region);
  const outcomes = await Promise.all(
    probes.map(async (probe) => {
      try {
        await sts.send(
          new AssumeRoleCommand({
            RoleArn: o.roleArn,
            RoleSessionName: probeSessionName(o.sessionName),
            DurationSeconds: 900,
            ...(probe.externalId !== undefined ? { ExternalId: probe.externalId } : {}),
          }),
        );
        // Allowed: the credentials in the answer are deliberately never read.
        return { probe, allowed: true as const };
      } catch (err) {
        if (classifyAwsError(err).kind === 'access-denied') return { probe, allowed: false as const };
        return { probe, allowed: false as const, error: err };
      }
    }),
  );
  const allowed = outcomes.filter((r) => r.allowed).map((r) => r.probe.kind);
  if (allowed.length > 0) {
    const serviceAccountId = await serviceAccountOf(o.region);
    throw new DiagnosedError(
      makeDiagnosis('EXTERNAL_ID_NOT_REQUIRED', {
        roleArn: o.roleArn,
        region: o.region,
        accountId: o.roleArn.split(':')[4] ?? '',
        externalId: o.externalId,
        ...(serviceAccountId ? { serviceAccountId } : {}),
        ...(o.evidence ?? {}),
        // 'absent' and/or 'wrong': which probe STS let through.
        acceptedWithout: allowed,
      }),
    );
  }
  const failed = outcomes.find((r) => 'error' in r);
  if (failed && 'error' in failed) {
    throw toStepError(failed.error, { service: 'sts', operation: 'AssumeRole', principal: 'service', evidence: { roleArn: o.roleArn, region: o.region } });
  }
}

/** The service's own account, for the trust policy in the diagnosis (free call, never denied). */
async function serviceAccountOf(region: string): Promise<string | undefined> {
  try {
    return (await serviceSts(region).send(new GetCallerIdentityCommand({}))).Account;
  } catch {
    return undefined;
  }
}
