/**
 * The one module that gets role B credentials. Each handler that touches the customer's account
 * calls `provisionSession`, which assumes role B with the tenant's External ID and caches the
 * credentials in memory (per role, External ID, session policy and session name) until shortly before they
 * expire. The credentials stay inside a RoleSession, from which the handler builds only the SDK
 * clients it uses (clients.ts): nothing here returns them to a handler's output.
 *
 * Errors: AccessDenied → ASSUME_ROLE_DENIED (the seed's three checks), no service credentials →
 * CREDENTIALS_NOT_CONFIGURED, STS not active in the region → REGION_NOT_ENABLED, a role that does
 * not demand the External ID → EXTERNAL_ID_NOT_REQUIRED, one that may not read its own trust policy →
 * TRUST_POLICY_UNREADABLE (external-id-proof.ts, passed in by the callers that prove), throttling →
 * AwsThrottled, 5xx/network → AwsTransient. Role-B credentials that a later call still finds expired
 * (after its renewals) or invalid are dropped from the cache by the session (RoleSession's `forget`),
 * so the retry assumes the role again.
 */
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { type ContextEvidence, makeDiagnosis } from '../diagnosis/catalog.js';
import { toStepError } from '../diagnosis/from-aws-error.js';
import { DiagnosedError } from '../errors.js';
import { classifyAwsError } from './aws-error.js';
import { RoleSession, serviceSts } from './clients.js';
import type { ExternalIdProofInput } from './external-id-proof.js';

/**
 * The External ID proof (external-id-proof.ts `proveExternalIdRequired`), handed in by the few callers
 * that prove rather than imported here: it needs the IAM client, which every function that assumes
 * role B would otherwise bundle (~33 KiB minified with the proof) for a call only AssumeProvisionRole
 * and the API make.
 */
export type ExternalIdProver = (o: ExternalIdProofInput, session: RoleSession) => Promise<void>;

export interface AssumeOptions {
  roleArn: string;
  externalId: string;
  region: string;
  /** Usually derived from the cluster id; clipped to STS's 64 characters of [\w+=,.@-]. */
  sessionName: string;
  /** Optional session policy (JSON object) that narrows what the credentials may do. */
  sessionPolicy?: object;
  /** Facts for a diagnosis if the role cannot be assumed (serviceAccountId, roleNamePrefix...). */
  evidence?: ContextEvidence;
  /**
   * Prove role B demands this External ID (`prove`: external-id-proof.ts) before the credentials are
   * used, `when`: `always` — every call (registration, the start of each run); `if-stale` — unless these
   * credentials were proven in the last PROOF_TTL_MS (form data: a form load lists ~8 things, and
   * each proof is an iam:GetRole call in the customer's account). Absent: no proof (the
   * steps after AssumeProvisionRole, which proved it at the start of the same run).
   */
  proveExternalId?: ExternalIdProof;
}

export interface ExternalIdProof {
  when: 'always' | 'if-stale';
  prove: ExternalIdProver;
}

export interface AssumedIdentity {
  accountId: string;
  assumedRoleArn: string;
  expiresAt: Date;
}

interface CacheEntry {
  credentials: AwsCredentialIdentity;
  identity: AssumedIdentity;
  /** When role B was last proven to demand the External ID (epoch ms). */
  provenAt?: number;
}

/** How long an External ID proof holds for `if-stale` callers. */
export const PROOF_TTL_MS = 5 * 60 * 1000;

async function prove(o: AssumeOptions, entry: CacheEntry, now: () => number): Promise<number | undefined> {
  if (!o.proveExternalId) return entry.provenAt;
  if (o.proveExternalId.when === 'if-stale' && entry.provenAt !== undefined && now() - entry.provenAt < PROOF_TTL_MS)
    return entry.provenAt;
  // Role B reads its own trust policy with the credentials just obtained (nothing else is done with them yet).
  // Renewable like every role-B session: a session cut short under the proof is assumed again (and kept).
  const renew = async (): Promise<AwsCredentialIdentity> => {
    const fresh = await stsAssume(o);
    entry.credentials = fresh.credentials;
    entry.identity = fresh.identity;
    return fresh.credentials;
  };
  await o.proveExternalId.prove(o, new RoleSession(o.region, entry.credentials, renew));
  return now();
}

/** Refresh this long before STS's expiry so no call runs on a dying token. */
const REFRESH_MARGIN_MS = 5 * 60 * 1000;
const cache = new Map<string, CacheEntry>();

export function sessionNameFor(id: string): string {
  const cleaned = `eks-provisioner-${id}`.replace(/[^\w+=,.@-]/g, '-');
  return cleaned.slice(0, 64);
}

/**
 * Everything the session says: the role, External ID, session policy and the session name (it is
 * what CloudTrail credits every call to, so one cluster never runs on another cluster's session).
 */
function cacheKey(o: AssumeOptions): string {
  return JSON.stringify([o.roleArn, o.externalId, o.sessionPolicy ?? null, sessionNameFor(o.sessionName)]);
}

async function assume(o: AssumeOptions, now: () => number): Promise<CacheEntry> {
  const key = cacheKey(o);
  const hit = cache.get(key);
  if (hit && hit.identity.expiresAt.getTime() - REFRESH_MARGIN_MS > now()) {
    try {
      hit.provenAt = await prove(o, hit, now);
    } catch (err) {
      // A role found open is forgotten: no later step may reuse its credentials.
      if (err instanceof DiagnosedError) cache.delete(key);
      throw err;
    }
    return hit;
  }

  const entry = await stsAssume(o);
  // Before the credentials are kept or handed out: a role open to other tenants is never used.
  const provenAt = await prove(o, entry, now);
  if (provenAt !== undefined) entry.provenAt = provenAt;
  cache.set(key, entry);
  return entry;
}

/** sts:AssumeRole as role B (service credentials), failures as diagnoses or retryable step errors. */
async function stsAssume(o: AssumeOptions): Promise<CacheEntry> {
  let out;
  try {
    out = await serviceSts(o.region).send(
      new AssumeRoleCommand({
        RoleArn: o.roleArn,
        ExternalId: o.externalId,
        RoleSessionName: sessionNameFor(o.sessionName),
        DurationSeconds: 3600,
        ...(o.sessionPolicy ? { Policy: JSON.stringify(o.sessionPolicy) } : {}),
      }),
    );
  } catch (err) {
    const evidence: ContextEvidence = {
      roleArn: o.roleArn,
      region: o.region,
      accountId: o.roleArn.split(':')[4] ?? '',
      externalId: o.externalId,
      ...(o.evidence ?? {}),
    };
    // In a region that is not enabled, STS rejects even valid keys ("The security token included
    // in the request is invalid"). Ask STS in the partition's home region whether the keys work.
    const info = classifyAwsError(err);
    if (info.kind === 'no-credentials' && info.fromSdk && (await credentialsWorkInHomeRegion(o.region))) {
      throw new DiagnosedError(
        makeDiagnosis('REGION_NOT_ENABLED', {
          ...evidence,
          awsErrorCode: info.code,
          awsMessage: info.message,
          detail: 'STS does not accept the service credentials there',
        }),
      );
    }
    throw toStepError(err, { service: 'sts', operation: 'AssumeRole', principal: 'service', evidence });
  }
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
    // A malformed STS answer: worth one more try, not a diagnosis.
    throw toStepError(
      Object.assign(new Error('STS AssumeRole returned no credentials'), { name: 'InternalFailure', $fault: 'server' }),
      {
        service: 'sts',
        operation: 'AssumeRole',
      },
    );
  }
  const assumedRoleArn = out.AssumedRoleUser?.Arn ?? o.roleArn;
  return {
    credentials: {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: c.Expiration,
    },
    identity: {
      accountId: assumedRoleArn.split(':')[4] ?? '',
      assumedRoleArn,
      expiresAt: c.Expiration,
    },
  };
}

/** A region of each partition that is enabled in every account. */
const HOME_REGION: Record<string, string> = {
  'cn-': 'cn-north-1',
  'us-gov-': 'us-gov-west-1',
  'us-isob-': 'us-isob-east-1',
  'us-isof-': 'us-isof-south-1',
  'us-iso-': 'us-iso-east-1',
  'eu-isoe-': 'eu-isoe-west-1',
  'eusc-': 'eusc-de-east-1',
};
function homeRegionOf(region: string): string {
  const hit = Object.entries(HOME_REGION).find(([prefix]) => region.startsWith(prefix));
  return hit ? hit[1] : 'us-east-1';
}

async function credentialsWorkInHomeRegion(region: string): Promise<boolean> {
  const home = homeRegionOf(region);
  if (home === region) return false;
  try {
    await serviceSts(home).send(new GetCallerIdentityCommand({}));
    return true;
  } catch {
    return false;
  }
}

/** Assumes role B (or reuses cached credentials) and returns a session bound to them plus who we are. */
export async function provisionSession(
  o: AssumeOptions,
  now: () => number = Date.now,
): Promise<{ session: RoleSession; identity: AssumedIdentity }> {
  const entry = await assume(o, now);
  let used = entry;
  // An expired-token answer mid-invocation: drop this session (unless already replaced) and assume again.
  const forget = (): void => {
    const key = cacheKey(o);
    if (cache.get(key) === used) cache.delete(key);
  };
  const renew = async (): Promise<AwsCredentialIdentity> => {
    forget();
    used = await assume(o, now);
    return used.credentials;
  };
  return { session: new RoleSession(o.region, entry.credentials, renew, forget), identity: entry.identity };
}

/** Forget every cached credential (tests). */
export function clearCredentialCache(): void {
  cache.clear();
}
