/**
 * Deploy-time options, read from CDK context (`cdk.json`, or `-c key=value` on the command line).
 * Every option is validated here so a typo fails `cdk synth` with the option's name and the fix,
 * instead of deploying something other than what the operator asked for.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import type { Node } from 'constructs';
import { DEFAULTS } from '../functions/lib/config.js';
import { PROVISIONING_SECONDS_BOUNDS } from '../functions/lib/polling/budget.js';

export interface ServiceSettings {
  /** CloudFormation stack name (also the name of the stack's own event bus). */
  stackName: string;
  /** Existing bus to publish completion events on; undefined → the stack creates its own bus. */
  eventBusName?: string;
  /** Role B names must start with this; the service may assume no other role. */
  rolePrefix: string;
  /** Removal policy for the table and the log groups. */
  removalPolicy: RemovalPolicy;
  /** Table encryption: AWS managed key (default) or a customer managed KMS key made by the stack. */
  tableEncryption: 'aws-managed' | 'customer-managed';
  logRetentionDays: number;
  /** Powertools log level for the functions. */
  logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** API stage throttling (steady requests per second, burst). */
  apiRateLimit: number;
  apiBurstLimit: number;
  /** Create the account-wide API Gateway → CloudWatch Logs role (off when the account already has one). */
  apiCloudWatchRole: boolean;
  /**
   * Reserved (and so maximum) concurrency of the api function: a burst of API calls cannot take the
   * account's Lambda concurrency from the provisioning pipeline's functions. 0: not reserved.
   */
  apiReservedConcurrency: number;
  /** Only these AWS accounts may call the API from outside the service account (empty: any account). */
  apiAllowedAccounts: string[];
  /** Only principals of this AWS Organization may call the API from outside the service account. */
  apiAllowedOrgId?: string;
  /** Optional WAFv2 web ACL (regional) to associate with the API stage. */
  webAclArn?: string;
  /** Optional SNS topic that receives alarm and OK notifications. */
  alarmTopicArn?: string;
  /** Give up following a cluster stack after this many seconds. */
  maxProvisioningSeconds: number;
  /** Role B may delete what it made (changes the generated provision policy). */
  allowDelete: boolean;
  /** Let the service assume prefixed roles in its own account too (off: only other accounts). */
  allowServiceAccountRoles: boolean;
  /** Deploy the web console (S3 + CloudFront) and its sign-in (Cognito user pool + identity pool). */
  console: boolean;
  /** Multi-factor sign-in for console users: off, optional (users may enrol a TOTP app) or required. */
  consoleMfa: 'off' | 'optional' | 'required';
  /** Let anyone with the console URL create a user (off: administrators create users). */
  consoleSelfSignUp: boolean;
}

/** Context keys and defaults, in one place for the README and the tests. */
export const CONTEXT_DEFAULTS = {
  stackName: 'eks-provisioner',
  rolePrefix: DEFAULTS.roleNamePrefix,
  removalPolicy: 'retain',
  tableEncryption: 'aws-managed',
  logRetentionDays: 90,
  logLevel: 'INFO',
  apiRateLimit: 50,
  apiBurstLimit: 100,
  apiCloudWatchRole: true,
  apiReservedConcurrency: 50,
  maxProvisioningSeconds: DEFAULTS.maxProvisioningSeconds,
  allowDelete: false,
  allowServiceAccountRoles: false,
  console: true,
  consoleMfa: 'optional',
  consoleSelfSignUp: false,
} as const;

/** CloudWatch Logs accepts only these retention periods. */
const RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
  constructor(key: string, value: unknown, fix: string) {
    super(
      `CDK context "${key}" = ${JSON.stringify(value)} is not valid: ${fix} (set it with -c ${key}=... or in cdk.json).`,
    );
  }
}

export function readSettings(node: Node): ServiceSettings {
  const raw = (key: string): unknown => node.tryGetContext(key);

  const str = (key: string, fallback?: string): string | undefined => {
    const v = raw(key);
    if (v === undefined || v === null || v === '') return fallback;
    if (typeof v !== 'string') throw new SettingsError(key, v, 'use a string');
    return v;
  };
  const int = (key: string, fallback: number, min: number, max: number): number => {
    const v = raw(key);
    if (v === undefined || v === null || v === '') return fallback;
    const n = typeof v === 'number' ? v : Number(v);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new SettingsError(key, v, `use a whole number from ${min} to ${max}`);
    return n;
  };
  // `-c flag=true` arrives as the string "true"; cdk.json gives a boolean.
  const bool = (key: string, fallback: boolean): boolean => {
    const v = raw(key);
    if (v === undefined || v === null || v === '') return fallback;
    if (v === true || v === 'true') return true;
    if (v === false || v === 'false') return false;
    throw new SettingsError(key, v, 'use true or false');
  };
  const oneOf = <T extends string>(key: string, fallback: T, allowed: readonly T[]): T => {
    const v = str(key, fallback)!;
    if (!(allowed as readonly string[]).includes(v))
      throw new SettingsError(key, v, `use one of ${allowed.join(', ')}`);
    return v as T;
  };

  const stackName = str('stackName', CONTEXT_DEFAULTS.stackName)!;
  if (!/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(stackName)) {
    throw new SettingsError(
      'stackName',
      stackName,
      'start with a letter; letters, digits and hyphens only, at most 128 characters',
    );
  }
  const eventBusName = str('eventBusName');
  if (eventBusName !== undefined && !/^[/.\-_A-Za-z0-9]{1,256}$/.test(eventBusName)) {
    throw new SettingsError(
      'eventBusName',
      eventBusName,
      'give the name (not the ARN) of an existing event bus in the same account and region',
    );
  }
  const rolePrefix = str('rolePrefix', CONTEXT_DEFAULTS.rolePrefix)!;
  // The prefix ends up inside an IAM resource ARN: role-name characters only, and never empty
  // (an empty prefix would let the service assume every role in every account).
  if (!/^[\w+=,.@-]{3,40}$/.test(rolePrefix)) {
    throw new SettingsError('rolePrefix', rolePrefix, 'use 3–40 characters of letters, digits and + = , . @ _ -');
  }
  const removal = oneOf('removalPolicy', CONTEXT_DEFAULTS.removalPolicy, ['retain', 'destroy'] as const);
  const logRetentionDays = int('logRetentionDays', CONTEXT_DEFAULTS.logRetentionDays, 1, 3653);
  if (!RETENTION_DAYS.includes(logRetentionDays)) {
    throw new SettingsError(
      'logRetentionDays',
      logRetentionDays,
      `use one of CloudWatch Logs' periods: ${RETENTION_DAYS.join(', ')}`,
    );
  }
  const apiRateLimit = int('apiRateLimit', CONTEXT_DEFAULTS.apiRateLimit, 1, 10_000);
  const apiBurstLimit = int('apiBurstLimit', CONTEXT_DEFAULTS.apiBurstLimit, 1, 5_000);
  const apiAllowedAccounts = accountList('apiAllowedAccounts', raw('apiAllowedAccounts'));
  const apiAllowedOrgId = str('apiAllowedOrgId');
  if (apiAllowedOrgId !== undefined && !/^o-[a-z0-9]{10,32}$/.test(apiAllowedOrgId)) {
    throw new SettingsError(
      'apiAllowedOrgId',
      apiAllowedOrgId,
      'give an AWS Organizations id (o- and 10–32 lower-case letters or digits, e.g. o-a1b2c3d4e5)',
    );
  }
  const webAclArn = str('webAclArn');
  if (webAclArn !== undefined && !/^arn:aws[a-z-]*:wafv2:[a-z0-9-]+:\d{12}:regional\/webacl\/.+/.test(webAclArn)) {
    throw new SettingsError('webAclArn', webAclArn, 'give the ARN of a REGIONAL WAFv2 web ACL');
  }
  const alarmTopicArn = str('alarmTopicArn');
  if (alarmTopicArn !== undefined && !/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:.+/.test(alarmTopicArn)) {
    throw new SettingsError('alarmTopicArn', alarmTopicArn, 'give the ARN of an SNS topic');
  }

  return {
    stackName,
    ...(eventBusName !== undefined ? { eventBusName } : {}),
    rolePrefix,
    removalPolicy: removal === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    tableEncryption: oneOf('tableEncryption', CONTEXT_DEFAULTS.tableEncryption, [
      'aws-managed',
      'customer-managed',
    ] as const),
    logRetentionDays,
    logLevel: oneOf('logLevel', CONTEXT_DEFAULTS.logLevel, ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const),
    apiRateLimit,
    apiBurstLimit,
    apiCloudWatchRole: bool('apiCloudWatchRole', CONTEXT_DEFAULTS.apiCloudWatchRole),
    apiAllowedAccounts,
    apiReservedConcurrency: int('apiReservedConcurrency', CONTEXT_DEFAULTS.apiReservedConcurrency, 0, 10_000),
    ...(apiAllowedOrgId !== undefined ? { apiAllowedOrgId } : {}),
    ...(webAclArn !== undefined ? { webAclArn } : {}),
    ...(alarmTopicArn !== undefined ? { alarmTopicArn } : {}),
    maxProvisioningSeconds: int(
      'maxProvisioningSeconds',
      CONTEXT_DEFAULTS.maxProvisioningSeconds,
      PROVISIONING_SECONDS_BOUNDS.min,
      PROVISIONING_SECONDS_BOUNDS.max,
    ),
    allowDelete: bool('allowDelete', CONTEXT_DEFAULTS.allowDelete),
    allowServiceAccountRoles: bool('allowServiceAccountRoles', CONTEXT_DEFAULTS.allowServiceAccountRoles),
    console: bool('console', CONTEXT_DEFAULTS.console),
    consoleMfa: oneOf('consoleMfa', CONTEXT_DEFAULTS.consoleMfa, ['off', 'optional', 'required'] as const),
    consoleSelfSignUp: bool('consoleSelfSignUp', CONTEXT_DEFAULTS.consoleSelfSignUp),
  };
}

/**
 * `apiAllowedAccounts`: a JSON array in cdk.json, or `-c apiAllowedAccounts=111111111111,222222222222`
 * on the command line. Each entry is a 12-digit account id; duplicates are dropped.
 */
function accountList(key: string, v: unknown): string[] {
  if (v === undefined || v === null || v === '') return [];
  const items = Array.isArray(v)
    ? v
    : typeof v === 'string'
      ? v
          .split(',')
          .map((x) => x.trim())
          .filter((x) => x !== '')
      : undefined;
  if (!items || items.some((x) => typeof x !== 'string' || !/^\d{12}$/.test(x))) {
    throw new SettingsError(
      key,
      v,
      'give 12-digit AWS account ids, comma-separated (-c) or as a JSON array (cdk.json)',
    );
  }
  return [...new Set(items as string[])];
}
