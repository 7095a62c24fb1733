/**
 * AssumeProvisionRole: proves the service can assume role B with the tenant's External ID (the
 * seed's "Authenticate with AWS"), that role B refuses anyone without that External ID
 * (EXTERNAL_ID_NOT_REQUIRED otherwise) and that the cluster's region is enabled for the account. Returns
 * who we are in the customer's account — never the credentials.
 */
import { DescribeRegionsCommand } from '@aws-sdk/client-ec2';
import { ec2Client } from '../lib/aws/clients.js';
import { proveExternalIdRequired } from '../lib/aws/external-id-proof.js';
import { roleBSession } from '../lib/aws/tenant-role.js';
import type { ServiceConfig } from '../lib/config.js';
import { makeDiagnosis } from '../lib/diagnosis/catalog.js';
import { diagnoseAwsError } from '../lib/diagnosis/from-aws-error.js';
import { DiagnosedError } from '../lib/errors.js';
import type { ProvisionIdentity, ValidatedRequest } from '../lib/state.js';
import type { Store } from '../lib/store/types.js';

export interface AssumeProvisionRoleDeps {
  store: Store;
  config: Pick<ServiceConfig, 'roleNamePrefix'>;
}

export async function assumeProvisionRole(
  req: ValidatedRequest,
  deps: AssumeProvisionRoleDeps,
): Promise<ProvisionIdentity> {
  // The trust policy may have changed since POST /v1/roles: prove again, before anything is done.
  const { session, identity } = await roleBSession(req, deps, {
    proveExternalId: { when: 'always', prove: proveExternalIdRequired },
  });
  const evidence = {
    roleArn: req.cluster.provisionRoleArn,
    region: req.region,
    accountId: identity.accountId || req.accountId,
  };

  if (identity.accountId && identity.accountId !== req.accountId) {
    // STS answered for another account than the ARN names: never act on it.
    throw new DiagnosedError(
      makeDiagnosis('INVALID_ROLE_ARN', {
        ...evidence,
        field: 'provisionRoleArn',
        detail: `Assuming it returned a session in account ${identity.accountId}, not ${req.accountId}`,
      }),
    );
  }

  // Region check: the seed's "GitLab checks it has access to this region when authenticating".
  let optIn: string | undefined;
  let known = false;
  try {
    const out = await ec2Client(session).send(
      new DescribeRegionsCommand({ AllRegions: true, RegionNames: [req.region] }),
    );
    const region = out.Regions?.find((r) => r.RegionName === req.region);
    known = region !== undefined;
    optIn = region?.OptInStatus;
  } catch (err) {
    const out = diagnoseAwsError(err, {
      service: 'ec2',
      operation: 'DescribeRegions',
      principal: 'provision-role',
      evidence,
    });
    if (out instanceof Error) throw out;
    // "Invalid region" answers (InvalidParameterValue) mean the region does not exist.
    if (
      /InvalidParameterValue|Invalid region/i.test(
        `${out.evidence?.awsErrorCode ?? ''} ${out.evidence?.awsMessage ?? ''}`,
      )
    )
      known = false;
    else if (out.code === 'SECURITY_GROUPS_NOT_LOADED' || out.code === 'PERMISSION_DENIED') {
      throw new DiagnosedError(
        makeDiagnosis('PERMISSION_DENIED', { ...evidence, action: 'ec2:DescribeRegions', ...pick(out.evidence) }),
      );
    } else throw new DiagnosedError(out);
  }
  if (!known || optIn === 'not-opted-in') {
    throw new DiagnosedError(
      makeDiagnosis('REGION_NOT_ENABLED', { ...evidence, ...(optIn ? { optInStatus: optIn } : {}) }),
    );
  }
  return { accountId: identity.accountId || req.accountId, assumedRoleArn: identity.assumedRoleArn };
}

function pick(ev: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ['awsErrorCode', 'awsMessage'] as const) if (typeof ev?.[k] === 'string') out[k] = ev[k] as string;
  return out;
}
