/**
 * STS: AssumeRole (trust policy, sts:ExternalId, durations, session names, session policy) and
 * GetCallerIdentity.
 */
import { randomBytes } from 'node:crypto';
import { assumeRoleDeniedMessage, authorizeAssumeRole } from '../iam/evaluate.js';
import { parsePolicyDocument } from '../iam/policy-document.js';
import { type RequestContext, SandboxAwsError, type ServiceModule } from '../protocol/types.js';
import type { StsSession } from '../world/types.js';
import { parseRoleArn } from '../world/world.js';

function validation(message: string): SandboxAwsError {
  return new SandboxAwsError('ValidationError', message, 400);
}

/** `1 validation error detected: Value 'x' at 'field' failed to satisfy constraint: …` (AWS wording). */
function constraint(value: unknown, field: string, rule: string): SandboxAwsError {
  return validation(
    `1 validation error detected: Value '${String(value)}' at '${field}' failed to satisfy constraint: ${rule}`,
  );
}

function checkString(
  value: unknown,
  field: string,
  min: number,
  max: number,
  pattern: RegExp,
  patternText: string,
): string {
  if (typeof value !== 'string')
    throw validation(
      `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`,
    );
  if (value.length < min) throw constraint(value, field, `Member must have length greater than or equal to ${min}`);
  if (value.length > max) throw constraint(value, field, `Member must have length less than or equal to ${max}`);
  if (!pattern.test(value))
    throw constraint(value, field, `Member must satisfy regular expression pattern: ${patternText}`);
  return value;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: AWS's own RoleArn pattern admits tab, LF and CR
const ROLE_ARN_PATTERN = /^[\u0009\u000A\u000D\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD]+$/;

function assumeRole(ctx: RequestContext, input: Record<string, unknown>) {
  const { world, caller } = ctx;
  const roleArn = checkString(
    input.RoleArn,
    'roleArn',
    20,
    2048,
    ROLE_ARN_PATTERN,
    '[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]+',
  );
  const sessionName = checkString(input.RoleSessionName, 'roleSessionName', 2, 64, /^[\w+=,.@-]*$/, '[\\w+=,.@-]*');
  const externalId =
    input.ExternalId === undefined
      ? undefined
      : checkString(input.ExternalId, 'externalId', 2, 1224, /^[\w+=,.@:/-]*$/, '[\\w+=,.@:\\/-]*');

  const duration = input.DurationSeconds === undefined ? 3600 : Number(input.DurationSeconds);
  if (duration < 900)
    throw constraint(duration, 'durationSeconds', 'Member must have value greater than or equal to 900');
  if (duration > 43200)
    throw constraint(duration, 'durationSeconds', 'Member must have value less than or equal to 43200');

  const parsed = parseRoleArn(roleArn);
  if (!parsed) throw validation(`${roleArn} is invalid`);

  let sessionPolicy;
  if (input.Policy !== undefined) {
    sessionPolicy = parsePolicyDocument(String(input.Policy), 'identity');
    if (String(input.Policy).length > 2048) {
      throw new SandboxAwsError(
        'PackedPolicyTooLarge',
        'Packed size of session policy exceeds the maximum allowed size.',
        400,
      );
    }
  }

  // A missing role answers exactly like a refused one: AWS does not reveal which roles exist.
  const role = world.role(parsed.accountId, parsed.name);
  const denied = () => new SandboxAwsError('AccessDenied', assumeRoleDeniedMessage(caller, roleArn), 403);
  if (!role || role.arn !== roleArn) throw denied();
  // STS deactivated in this region for the account whose credentials are being generated (the role's).
  if (world.account(role.accountId)?.stsInactiveRegions?.includes(ctx.region)) {
    throw new SandboxAwsError(
      'RegionDisabledException',
      `STS is not activated in this region for account:${role.accountId}. Your account administrator can activate STS in this region using the IAM Console.`,
      403,
    );
  }
  // The request's own keys, as STS puts them in the context of the trust policy.
  const verdict = authorizeAssumeRole(world, caller, role, {
    region: ctx.region,
    keys: { 'sts:ExternalId': externalId, 'sts:RoleSessionName': sessionName },
  });
  if (!verdict.allowed) throw denied();

  if (duration > role.maxSessionDuration) {
    throw validation('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
  }
  if (caller.kind === 'assumed-role' && duration > 3600) {
    throw validation(
      'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
    );
  }

  const session: StsSession = {
    accessKeyId: world.uniqueId('ASIA', 16),
    secretAccessKey: randomBytes(30).toString('base64').slice(0, 40),
    sessionToken: `IQoJb3JpZ2luX2VjE${randomBytes(96).toString('base64')}`,
    accountId: role.accountId,
    roleArn: role.arn,
    roleName: role.name,
    roleId: role.roleId,
    sessionName,
    assumedRoleArn: `arn:aws:sts::${role.accountId}:assumed-role/${role.name}/${sessionName}`,
    expiration: new Date(world.now() + duration * 1000).toISOString(),
    sessionPolicy,
    sourceArn: caller.arn,
    externalId,
  };
  world.data.stsSessions.push(session);
  return {
    Credentials: {
      AccessKeyId: session.accessKeyId,
      SecretAccessKey: session.secretAccessKey,
      SessionToken: session.sessionToken,
      Expiration: session.expiration,
    },
    AssumedRoleUser: { AssumedRoleId: `${role.roleId}:${sessionName}`, Arn: session.assumedRoleArn },
    PackedPolicySize: sessionPolicy ? Math.min(100, Math.ceil(String(input.Policy).length / 20)) : undefined,
  };
}

export const service: ServiceModule = {
  operations: {
    AssumeRole: assumeRole,
    // Needs no permission: AWS answers it even when every action is denied.
    GetCallerIdentity: (ctx) => ({ UserId: ctx.caller.userId, Account: ctx.caller.accountId, Arn: ctx.caller.arn }),
  },
};
