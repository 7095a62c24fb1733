/**
 * Turns any error a step meets into either a diagnosis (a failure with a known fix) or a retryable
 * AwsThrottled / AwsTransient error. Also reads a bare AWS failure text (a stack event's status
 * reason) into a diagnosis, so stack failures and API failures share one set of rules.
 */
import { type AwsErrorInfo, classifyAwsError, deniedAction, deniedResource, redactSecrets } from '../aws/aws-error.js';
import { AwsThrottledError, AwsTransientError, DiagnosedError, ERROR_NAMES } from '../errors.js';
import { type ContextEvidence, makeDiagnosis } from './catalog.js';
import type { Diagnosis } from './types.js';

export interface AwsCallContext {
  /** e.g. 'sts', 'ec2', 'eks', 'iam', 'cloudformation'. */
  service?: string;
  /** SDK operation name without "Command", e.g. 'AssumeRole', 'DescribeSecurityGroups'. */
  operation?: string;
  /** Whose credentials made the call: the service's own, or role B's. */
  principal?: 'service' | 'provision-role';
  /** Facts to carry into the diagnosis (roleArn, region, vpcId, stackName...). */
  evidence?: ContextEvidence;
}

const quoted = (re: RegExp, text: string): string | undefined => re.exec(text)?.[1];

/**
 * Reads an AWS failure (error code and/or message) into a diagnosis. Used for SDK errors and for
 * CloudFormation stack event reasons alike. Returns undefined when no rule matches.
 */
export function matchAwsFailure(code: string, message: string, ctx: AwsCallContext = {}): Diagnosis | undefined {
  // An empty code or message is unknown: undefined hides any the context carried, and is not serialized.
  const ev: ContextEvidence = { ...ctx.evidence, awsErrorCode: code || undefined, awsMessage: message || undefined };
  // The `...(x ? { k: x } : {})` below stay spreads: a fact read from the message adds to the
  // context's evidence, and when the message has none the context's value (vpcId, resource…) stands.
  const text = `${code} ${message}`;

  if (/doesn't have the Amazon EKS Managed Policies|does not have the Amazon EKS Managed Polic/i.test(message)) {
    return makeDiagnosis('CLUSTER_ROLE_MISSING_EKS_POLICY', ev);
  }
  if (/iam:PassRole/i.test(message)) {
    const resource = deniedResource(message);
    return makeDiagnosis('PASS_ROLE_DENIED', { ...ev, action: 'iam:PassRole', ...(resource ? { resource } : {}) });
  }
  if (
    code === 'UnsupportedAvailabilityZoneException' ||
    /does not currently have sufficient capacity to support the cluster/i.test(message)
  ) {
    const target = quoted(/because ([a-z0-9-]+), the targeted availability zone/i, message);
    const list = quoted(/choose from these availability zones:\s*([a-z0-9,\s-]+)/i, message);
    const validZones = list
      ? list
          .split(',')
          .map((z) => z.trim().replace(/\.$/, ''))
          .filter(Boolean)
      : undefined;
    return makeDiagnosis('UNSUPPORTED_AVAILABILITY_ZONE', {
      ...ev,
      ...(target ? { unsupportedZones: [target] } : {}),
      ...(validZones ? { validZones } : {}),
    });
  }
  if (code === 'InvalidKeyPair.NotFound') {
    const keyName = quoted(/key pair '([^']+)'/i, message);
    return makeDiagnosis('KEY_PAIR_NOT_FOUND', { ...ev, ...(keyName ? { keyName } : {}) });
  }
  if (code === 'InvalidVpcID.NotFound') {
    const vpcId = quoted(/(vpc-[0-9a-f]+)/i, message);
    return makeDiagnosis('VPC_NOT_FOUND', { ...ev, ...(vpcId ? { vpcId } : {}) });
  }
  if (code === 'InvalidSubnetID.NotFound' || code === 'InvalidSubnetId.NotFound') {
    const ids = message.match(/subnet-[0-9a-f]+/gi);
    return makeDiagnosis('SUBNET_NOT_FOUND', { ...ev, ...(ids ? { subnetIds: [...new Set(ids)] } : {}) });
  }
  if (code === 'InvalidGroup.NotFound' || code === 'InvalidGroupId.NotFound') {
    const ids = message.match(/sg-[0-9a-f]+/gi);
    return makeDiagnosis('SECURITY_GROUP_NOT_IN_VPC', {
      ...ev,
      ...(ids ? { securityGroupIds: [...new Set(ids)] } : {}),
      detail: `does not exist in ${typeof ev.region === 'string' ? ev.region : 'this region'}`,
    });
  }
  if (
    code === 'AlreadyExistsException' ||
    code === 'ResourceInUseException' ||
    (/already exists/i.test(message) && /stack|cluster/i.test(message))
  ) {
    return makeDiagnosis('NAME_ALREADY_IN_USE', {
      ...ev,
      detail: /stack/i.test(message) ? 'an existing CloudFormation stack' : 'an existing EKS cluster',
    });
  }
  if (
    /unsupported Kubernetes version|Kubernetes version .* is not supported|version .* not supported|Requested Kubernetes version/i.test(
      message,
    )
  ) {
    return makeDiagnosis('KUBERNETES_VERSION_UNSUPPORTED', ev);
  }
  if (
    /instance type .*not supported|not supported in your requested Availability Zone|requested configuration is currently not supported/i.test(
      message,
    )
  ) {
    return makeDiagnosis('INSTANCE_TYPE_NOT_OFFERED', ev);
  }
  if (/NodeCreationFailure|Instances failed to join the kubernetes cluster/i.test(text)) {
    const instanceIds = message.match(/i-[0-9a-f]{8,17}/g);
    return makeDiagnosis('NODE_CREATION_FAILURE', {
      ...ev,
      ...(instanceIds ? { instanceIds: [...new Set(instanceIds)] } : {}),
      reason: message,
    });
  }
  if (
    /RegionDisabled|OptInRequired|not activated in this region|is not enabled for this account|You are not subscribed to this service/i.test(
      text,
    )
  ) {
    return makeDiagnosis('REGION_NOT_ENABLED', ev);
  }
  return undefined;
}

/** EC2 reads behind the seed's "Could not load security groups for this VPC" (and its siblings). */
const VPC_READS = new Set([
  'DescribeVpcs',
  'DescribeSubnets',
  'DescribeSecurityGroups',
  'DescribeKeyPairs',
  'DescribeAvailabilityZones',
  'DescribeInstanceTypeOfferings',
  'DescribeInstanceTypes',
]);

function diagnosisFor(info: AwsErrorInfo, ctx: AwsCallContext): Diagnosis {
  const matched = matchAwsFailure(info.code, info.message, ctx);
  if (matched) return matched;
  const ev: ContextEvidence = {
    ...(ctx.evidence ?? {}),
    awsErrorCode: info.code,
    ...(info.message ? { awsMessage: info.message } : {}),
    ...(ctx.service && ctx.operation ? { operation: `${ctx.service}:${ctx.operation}` } : {}),
    ...(info.requestId ? { requestId: info.requestId } : {}),
  };
  const isAssume = ctx.operation === 'AssumeRole' || /sts:AssumeRole/.test(info.message);

  switch (info.kind) {
    case 'access-denied': {
      if (isAssume) {
        // "User: arn:aws:iam::111111111111:user/x is not authorized to perform: sts:AssumeRole on resource: ..."
        const caller = quoted(/User:\s*arn:aws[\w-]*:(?:iam|sts)::(\d{12}):/, info.message);
        return makeDiagnosis('ASSUME_ROLE_DENIED', { ...(caller ? { serviceAccountId: caller } : {}), ...ev });
      }
      const action =
        deniedAction(info.message) ?? (ctx.service && ctx.operation ? `${ctx.service}:${ctx.operation}` : undefined);
      const resource = deniedResource(info.message);
      const withAction: ContextEvidence = { ...ev, ...(action ? { action } : {}), ...(resource ? { resource } : {}) };
      // Seed: "Could not load security groups for this VPC" = role assumed, but reads are denied.
      if (ctx.service === 'ec2' && ctx.operation && VPC_READS.has(ctx.operation))
        return makeDiagnosis('SECURITY_GROUPS_NOT_LOADED', withAction);
      return makeDiagnosis('PERMISSION_DENIED', withAction);
    }
    case 'no-credentials':
      return makeDiagnosis('CREDENTIALS_NOT_CONFIGURED', ev);
    case 'region-disabled':
      return makeDiagnosis('REGION_NOT_ENABLED', ev);
    case 'quota': {
      const quotaName = quoted(
        /(Limit for [^.]+|limit of [^.]+|quota for [^.]+|maximum number of [^.]+)/i,
        info.message,
      );
      return makeDiagnosis('QUOTA_EXCEEDED', { ...ev, ...(quotaName ? { quotaName } : {}) });
    }
    case 'not-found':
      if (info.code === 'NoSuchEntity' && ctx.service === 'iam') {
        return makeDiagnosis('INVALID_ROLE_ARN', { ...ev, detail: 'The role does not exist in that account' });
      }
      return makeDiagnosis('UNKNOWN', ev);
    default:
      return makeDiagnosis('UNKNOWN', ev);
  }
}

function describe(info: AwsErrorInfo, ctx: AwsCallContext): string {
  const where =
    ctx.service && ctx.operation ? `${ctx.service}:${ctx.operation}` : (ctx.operation ?? ctx.service ?? 'AWS call');
  return `${where} failed: ${info.code}${info.message ? `: ${info.message}` : ''}`;
}

/**
 * The one mapping from a thrown value to what a step reports: a Diagnosis, or a retryable
 * AwsThrottled / AwsTransient error. Errors that are already ours pass through unchanged.
 */
export function diagnoseAwsError(
  err: unknown,
  ctx: AwsCallContext = {},
): Diagnosis | AwsThrottledError | AwsTransientError {
  if (err instanceof AwsThrottledError || err instanceof AwsTransientError) return err;
  if (err instanceof DiagnosedError) return err.diagnosis;
  const named = err as { name?: string; diagnosis?: Diagnosis; message?: string } | undefined;
  if (named?.name === ERROR_NAMES.diagnosed && named.diagnosis) return named.diagnosis;
  if (named?.name === ERROR_NAMES.throttled)
    return new AwsThrottledError(redactSecrets(named.message ?? ''), ctx.service, ctx.operation);
  if (named?.name === ERROR_NAMES.transient)
    return new AwsTransientError(redactSecrets(named.message ?? ''), ctx.service, ctx.operation);

  const info = classifyAwsError(err);
  if (info.kind === 'throttled') return new AwsThrottledError(describe(info, ctx), ctx.service, ctx.operation);
  if (info.kind === 'transient') return new AwsTransientError(describe(info, ctx), ctx.service, ctx.operation);
  // Role B's temporary credentials went stale: retryable, since the session that met it has already
  // dropped them from the cache (RoleSession's `forget`), so the retry assumes the role again.
  if (info.kind === 'expired-token' || (info.kind === 'no-credentials' && ctx.principal === 'provision-role')) {
    return new AwsTransientError(describe(info, ctx), ctx.service, ctx.operation);
  }
  return diagnosisFor(info, ctx);
}

/** Same as diagnoseAwsError, as a throwable error whose `name` the state machine matches on. */
export function toStepError(
  err: unknown,
  ctx: AwsCallContext = {},
): AwsThrottledError | AwsTransientError | DiagnosedError {
  if (err instanceof DiagnosedError || err instanceof AwsThrottledError || err instanceof AwsTransientError) return err;
  const out = diagnoseAwsError(err, ctx);
  return out instanceof Error ? out : new DiagnosedError(out);
}

/** Runs one AWS call; any failure comes out as a step error (for `await aws(ctx, () => client.send(...))`). */
export async function awsCall<T>(ctx: AwsCallContext, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toStepError(err, ctx);
  }
}
