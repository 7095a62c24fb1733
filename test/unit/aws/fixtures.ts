/**
 * AWS errors shaped exactly as SDK v3 deserialises them from the wire (checked against a loopback
 * server in wire-errors.test.ts): `name` and `Code` = the AWS error code, `$fault`, `$metadata`.
 * Messages are AWS's own wording.
 */
import { CloudFormationServiceException } from '@aws-sdk/client-cloudformation';
import { EC2ServiceException } from '@aws-sdk/client-ec2';
import { EKSServiceException } from '@aws-sdk/client-eks';
import { IAMServiceException } from '@aws-sdk/client-iam';
import { STSServiceException } from '@aws-sdk/client-sts';
import { provisionRoleTrustPolicy } from '../../../functions/lib/policy/trust-policy.js';

type Base = typeof EC2ServiceException;
const bases = {
  ec2: EC2ServiceException,
  sts: STSServiceException,
  iam: IAMServiceException,
  eks: EKSServiceException,
  cloudformation: CloudFormationServiceException,
} as const;

export function awsError(service: keyof typeof bases, code: string, message: string, status = 400): Error {
  const Cls = bases[service] as unknown as Base;
  const err = new Cls({
    name: code,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status, requestId: 'req-0001' },
    message,
  });
  // Query/EC2 protocols also carry the code as `Code`; REST-JSON (EKS) does not.
  if (service !== 'eks') Object.assign(err, { Code: code });
  return err;
}

export const FIXTURES = {
  unauthorizedSecurityGroups: () =>
    awsError(
      'ec2',
      'UnauthorizedOperation',
      'You are not authorized to perform this operation. User: arn:aws:sts::222222222222:assumed-role/eks-provisioner-provision/eks-provisioner-c-abc is not authorized to perform: ec2:DescribeSecurityGroups because no identity-based policy allows the ec2:DescribeSecurityGroups action',
      403,
    ),
  vpcNotFound: (id = 'vpc-0a1b2c3d4e5f60009') =>
    awsError('ec2', 'InvalidVpcID.NotFound', `The vpc ID '${id}' does not exist`),
  subnetNotFound: (id = 'subnet-0a1b2c3d4e5f60019') =>
    awsError('ec2', 'InvalidSubnetID.NotFound', `The subnet ID '${id}' does not exist`),
  groupNotFound: (id = 'sg-0a1b2c3d4e5f60029') =>
    awsError('ec2', 'InvalidGroup.NotFound', `The security group '${id}' does not exist`),
  keyPairNotFound: (name = 'demo-key') =>
    awsError('ec2', 'InvalidKeyPair.NotFound', `The key pair '${name}' does not exist`),
  ec2RequestLimit: () => awsError('ec2', 'RequestLimitExceeded', 'Request limit exceeded.', 503),
  assumeDenied: () =>
    awsError(
      'sts',
      'AccessDenied',
      'User: arn:aws:iam::111111111111:user/eks-provisioner is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::222222222222:role/eks-provisioner-provision',
      403,
    ),
  stsThrottling: () => awsError('sts', 'Throttling', 'Rate exceeded', 400),
  expiredToken: () => awsError('sts', 'ExpiredToken', 'The security token included in the request is expired', 400),
  invalidClientToken: () =>
    awsError('sts', 'InvalidClientTokenId', 'The security token included in the request is invalid.', 403),
  regionDisabled: () =>
    awsError(
      'sts',
      'RegionDisabledException',
      'STS is not activated in this region for account:222222222222. Your account administrator can activate STS in this region using the IAM Console.',
      403,
    ),
  noSuchRole: (name = 'eks-cluster-role') =>
    awsError('iam', 'NoSuchEntity', `The role with name ${name} cannot be found.`, 404),
  iamDenied: (action = 'iam:GetRole') =>
    awsError(
      'iam',
      'AccessDenied',
      `User: arn:aws:sts::222222222222:assumed-role/eks-provisioner-provision/eks-provisioner-c-abc is not authorized to perform: ${action} on resource: role eks-cluster-role because no identity-based policy allows the ${action} action`,
      403,
    ),
  stackMissing: (name = 'eks-provisioner-demo') =>
    awsError('cloudformation', 'ValidationError', `Stack with id ${name} does not exist`),
  eksClusterMissing: (name = 'demo') =>
    awsError('eks', 'ResourceNotFoundException', `No cluster found for name: ${name}.`, 404),
  eksServerError: () => awsError('eks', 'ServerException', 'An internal error occurred.', 500),
  cfnAlreadyExists: (name = 'eks-provisioner-demo') =>
    awsError('cloudformation', 'AlreadyExistsException', `Stack [${name}] already exists`),
  cfnLimit: () => awsError('cloudformation', 'LimitExceededException', 'Limit for stacks exceeded: 2000', 400),
  eksUnsupportedAz: () =>
    awsError(
      'eks',
      'UnsupportedAvailabilityZoneException',
      "Cannot create cluster 'demo' because us-east-1d, the targeted availability zone, does not currently have sufficient capacity to support the cluster. Retry and choose from these availability zones: us-east-1a, us-east-1b, us-east-1c, us-east-1e, us-east-1f",
      400,
    ),
  credentialsMissing: () =>
    Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
      tryNextLink: false,
    }),
  networkReset: () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
};

export const FAKE_STS_CREDENTIALS = {
  AccessKeyId: 'ASIAIOSFODNN7EXAMPLE',
  SecretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY',
  SessionToken: 'IQoJb3JpZ2luX2VjEXAMPLETOKENAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
  Expiration: new Date('2099-01-01T00:00:00Z'),
};

/** Fails when `value` (serialised) holds anything credential-shaped or the fake STS secrets. */
export function credentialLeaks(value: unknown): string[] {
  const text = JSON.stringify(value) ?? '';
  const leaks: string[] = [];
  if (/\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/.test(text)) leaks.push('access key id');
  for (const v of [
    FAKE_STS_CREDENTIALS.SecretAccessKey,
    FAKE_STS_CREDENTIALS.SessionToken,
    'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  ]) {
    if (text.includes(v)) leaks.push('secret or token value');
  }
  if (
    /"(?:secretAccessKey|SecretAccessKey|sessionToken|SessionToken|accessKeyId|AccessKeyId|Credentials|credentials)"/.test(
      text,
    )
  )
    leaks.push('credential field');
  return leaks;
}

/**
 * AssumeRole as a correct role B answers it (trust policy `StringEquals sts:ExternalId <tenant's>`):
 * granted only with one of `externalIds` — without an External ID, or with any other, AccessDenied.
 * For `sts.on(AssumeRoleCommand).callsFake(…)`.
 */
export function asCorrectRoleB<I extends { ExternalId?: string | undefined; RoleArn?: string | undefined }, O>(
  externalIds: () => Iterable<string> | Promise<Iterable<string>>,
  answer: O | ((input: I) => O),
): (input: I) => Promise<O> {
  return async (input) => {
    const allowed = new Set(await externalIds());
    if (input.ExternalId === undefined || !allowed.has(input.ExternalId)) throw FIXTURES.assumeDenied();
    if (input.RoleArn) grantedTrust.set(input.RoleArn.split('/').pop()!, input.ExternalId);
    return typeof answer === 'function' ? (answer as (input: I) => O)(input) : answer;
  };
}

/** Role name → the External ID role B last granted (what its trust policy pins), for `roleBReadsItsTrust`. */
const grantedTrust = new Map<string, string>();

/**
 * GetRole as role B answers it about itself: the trust policy GET /v1/setup hands out, pinned to the
 * External ID asCorrectRoleB last granted for that role. For `iam.on(GetRoleCommand).callsFake(…)`;
 * input-specific GetRole mocks (role A) still take precedence. Unknown roles: NoSuchEntity.
 */
export function roleBReadsItsTrust(serviceAccountId = '111111111111') {
  return async (input: { RoleName?: string | undefined }) => {
    const externalId = grantedTrust.get(input.RoleName ?? '');
    if (externalId === undefined) throw FIXTURES.noSuchRole(input.RoleName);
    const arn = `arn:aws:iam::222222222222:role/${input.RoleName}`;
    return {
      Role: {
        RoleName: input.RoleName!,
        Arn: arn,
        Path: '/',
        RoleId: 'AROAEXAMPLEROLEB0001',
        CreateDate: new Date('2026-01-01T00:00:00Z'),
        AssumeRolePolicyDocument: encodeURIComponent(
          JSON.stringify(provisionRoleTrustPolicy(serviceAccountId, externalId)),
        ),
      },
    };
  };
}

/** GetRole's answer for role B with this trust policy (a loosened one, say), URL-encoded as IAM sends it. */
export function roleBGetRoleOutput(roleName: string, trustPolicy: object) {
  return {
    Role: {
      RoleName: roleName,
      Arn: `arn:aws:iam::222222222222:role/${roleName}`,
      Path: '/',
      RoleId: 'AROAEXAMPLEROLEB0001',
      CreateDate: new Date('2026-01-01T00:00:00Z'),
      AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(trustPolicy)),
    },
  };
}

/** A trust policy that trusts the service's account with no External ID condition at all. */
export const UNCONDITIONED_TRUST = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: 'sts:AssumeRole' }],
};
