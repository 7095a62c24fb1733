/**
 * POST /v1/roles { roleArn, region }: the seed's "Authenticate with AWS". The ARN is checked, role B
 * is assumed now with the tenant's External ID (and proven to demand it: a role that can be assumed
 * without it is refused with EXTERNAL_ID_NOT_REQUIRED), the region is checked to be enabled for role B's
 * account, and only then is the role stored for the tenant.
 */
import * as z from 'zod/mini';
import { ec2Client } from '../../lib/aws/clients.js';
import { makeDiagnosis } from '../../lib/diagnosis/catalog.js';
import { REGION_RE } from '../../lib/schema/cluster-settings.js';
import { checkRegionEnabled } from '../aws-form/form-data.js';
import type { ApiDeps } from '../deps.js';
import { diagnosisError, httpError } from '../http/errors.js';
import { fieldsFromZod } from '../http/zod-fields.js';
import { assumeReadOnly } from './assume.js';
import { checkRoleArn, EXAMPLE_ROLE_ARN } from './role-arn.js';
import '../../../shared/settings/zod-locale.js';

/** AWS region names: us-east-1, ap-southeast-5, us-gov-west-1, eu-isoe-west-1 … (the settings' rule). */
export const REGION_PATTERN = REGION_RE;

export const registerRoleSchema = z.strictObject({
  roleArn: z.string().check(z.minLength(1)),
  region: z.string().check(z.regex(REGION_PATTERN, 'Must be an AWS region name such as us-east-1.')),
});

export async function registerRole(deps: ApiDeps, tenantId: string, body: Record<string, unknown>) {
  const parsed = registerRoleSchema.safeParse(body);
  if (!parsed.success) {
    const fields = fieldsFromZod(parsed.error);
    throw httpError(
      400,
      'VALIDATION_FAILED',
      `The request body is not valid: ${fields.map((f) => `${f.path}: ${f.message}`).join('; ')}`,
      {
        fields,
        remediation: ['Send { "roleArn": "<role B ARN>", "region": "<AWS region>" } and nothing else.'],
      },
    );
  }
  const { roleArn, region } = parsed.data;
  const prefix = deps.config.roleNamePrefix;

  const arn = checkRoleArn(roleArn, prefix);
  if ('problem' in arn) {
    throw diagnosisError(
      // The one reason, in the message too: the field and the alert never say two different things.
      makeDiagnosis(
        'INVALID_ROLE_ARN',
        {
          roleArn: roleArn.slice(0, 300),
          roleNamePrefix: prefix,
          exampleArn: EXAMPLE_ROLE_ARN(prefix),
          detail: arn.problem.replace(/\.$/, ''),
        },
        { fields: [{ path: 'roleArn', message: arn.problem }] },
      ),
    );
  }

  const tenant = await deps.store.getTenant(tenantId);
  if (!tenant) {
    throw httpError(
      422,
      'SETUP_REQUIRED',
      'You have no External ID yet, so role B cannot trust this service. Call GET /v1/setup first.',
      {
        remediation: [
          'Call GET /v1/setup to get the Account ID and your External ID.',
          'Create role B with the returned trust policy (Account ID + External ID) and permissions policy.',
          'Register it again with POST /v1/roles.',
        ],
      },
    );
  }

  const { session, identity } = await assumeReadOnly({
    tenantId,
    roleArn,
    externalId: tenant.externalId,
    region,
    roleNamePrefix: prefix,
    proveExternalId: 'always',
  });
  await checkRegionEnabled(ec2Client(session), region, roleArn);

  const accountId = identity.accountId || arn.accountId;
  await deps.store.putRole({ tenantId, roleArn, region, accountId, registeredAt: deps.now().toISOString() });
  return { roleArn, region, accountId };
}
