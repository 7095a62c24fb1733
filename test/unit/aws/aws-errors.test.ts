/** AWS error classification and the one mapping from an error to a diagnosis or a retryable error. */
import { describe, expect, it } from 'vitest';
import { classifyAwsError, deniedAction, redactSecrets } from '../../../functions/lib/aws/aws-error.js';
import { diagnoseAwsError, matchAwsFailure, toStepError } from '../../../functions/lib/diagnosis/from-aws-error.js';
import {
  AwsThrottledError,
  AwsTransientError,
  DiagnosedError,
  diagnosisFromCause,
} from '../../../functions/lib/errors.js';
import { awsError, FIXTURES } from './fixtures.js';

const codeOf = (err: unknown, ctx = {}) => {
  const out = diagnoseAwsError(err, ctx);
  return out instanceof Error ? out.name : out.code;
};

describe('classifyAwsError', () => {
  it.each([
    [FIXTURES.stsThrottling(), 'throttled'],
    [FIXTURES.ec2RequestLimit(), 'throttled'],
    [awsError('eks', 'ThrottlingException', 'Rate exceeded'), 'throttled'],
    [awsError('cloudformation', 'Throttling', 'Rate exceeded'), 'throttled'],
    [FIXTURES.eksServerError(), 'transient'],
    [awsError('ec2', 'Unavailable', 'The server is overloaded and cannot handle the request.', 503), 'transient'],
    [FIXTURES.networkReset(), 'transient'],
    [Object.assign(new Error('Request timed out'), { name: 'TimeoutError' }), 'transient'],
    [FIXTURES.expiredToken(), 'expired-token'],
    [FIXTURES.credentialsMissing(), 'no-credentials'],
    [FIXTURES.invalidClientToken(), 'no-credentials'],
    [FIXTURES.assumeDenied(), 'access-denied'],
    [FIXTURES.unauthorizedSecurityGroups(), 'access-denied'],
    [FIXTURES.regionDisabled(), 'region-disabled'],
    [FIXTURES.vpcNotFound(), 'not-found'],
    [FIXTURES.noSuchRole(), 'not-found'],
    [FIXTURES.cfnLimit(), 'quota'],
    [FIXTURES.cfnAlreadyExists(), 'client'],
    [new TypeError("Cannot read properties of undefined (reading 'x')"), 'unknown'],
  ])('%s → %s', (err, kind) => {
    const info = classifyAwsError(err);
    expect(info.kind).toBe(kind);
    expect(info.retryable).toBe(['throttled', 'transient', 'expired-token'].includes(kind));
  });

  it('reads the denied action', () => {
    expect(deniedAction(FIXTURES.unauthorizedSecurityGroups().message)).toBe('ec2:DescribeSecurityGroups');
    expect(deniedAction(FIXTURES.assumeDenied().message)).toBe('sts:AssumeRole');
    expect(deniedAction('You are not authorized to perform this operation.')).toBeUndefined();
  });

  it('redacts access keys and labelled secrets from messages', () => {
    const text = redactSecrets(
      'Credential=AKIAIOSFODNN7EXAMPLE/20260101 SecretAccessKey=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    );
    expect(text).not.toContain('AKIAIOSFODNN7EXAMPLE');
    expect(text).not.toContain('wJalrXUtnFEMI');
    const info = classifyAwsError(
      awsError(
        'sts',
        'SignatureDoesNotMatch',
        'Credential should be scoped to a valid region. Credential=ASIAIOSFODNN7EXAMPLE',
      ),
    );
    expect(info.message).not.toContain('ASIAIOSFODNN7EXAMPLE');
  });

  it('redacts secrets in XML, env-file and percent-encoded spellings, and keeps plain AWS wording', () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const token = 'IQoJb3JpZ2luX2VjEAbCdEfGhIjKlMnOpQrStUvWxYz0123456789/abc+def==';
    const texts = [
      `<Credentials><SecretAccessKey>${secret}</SecretAccessKey><SessionToken>${token}</SessionToken></Credentials>`,
      `AWS_SECRET_ACCESS_KEY=${secret}\naws_session_token = ${token}`,
      `https://sts.amazonaws.com/?X-Amz-Security-Token=${encodeURIComponent(token)}&X-Amz-Date=20260101T000000Z`,
    ];
    for (const text of texts) {
      const out = redactSecrets(text);
      expect(out).not.toContain('wJalrXUtnFEMI');
      expect(out).not.toContain('K7MDENG');
      expect(out).not.toContain('IQoJb3JpZ2lu');
      expect(out).not.toMatch(/abc|def%3D/);
    }
    const bearer = `Authorization: Bearer k8s-aws-v1.${Buffer.from('https://sts.us-east-1.amazonaws.com/?Action=GetCallerIdentity').toString('base64url')}`;
    expect(redactSecrets(bearer)).toBe('Authorization: Bearer k8s-aws-v1.<redacted>');
    const plain =
      'The security token included in the request is expired. Check your AWS Secret Access Key and signing method.';
    expect(redactSecrets(plain)).toBe(plain);
  });
});

describe('diagnoseAwsError: AWS errors → diagnosis codes', () => {
  it.each([
    [
      'AccessDenied on sts:AssumeRole',
      FIXTURES.assumeDenied(),
      { service: 'sts', operation: 'AssumeRole' },
      'ASSUME_ROLE_DENIED',
    ],
    [
      'UnauthorizedOperation on a VPC read',
      FIXTURES.unauthorizedSecurityGroups(),
      { service: 'ec2', operation: 'DescribeSecurityGroups' },
      'SECURITY_GROUPS_NOT_LOADED',
    ],
    [
      'AccessDenied elsewhere',
      FIXTURES.iamDenied('iam:GetRole'),
      { service: 'iam', operation: 'GetRole' },
      'PERMISSION_DENIED',
    ],
    [
      'PassRole denied',
      awsError(
        'eks',
        'AccessDeniedException',
        'User: arn:aws:sts::222222222222:assumed-role/eks-provisioner-provision/x is not authorized to perform: iam:PassRole on resource: arn:aws:iam::222222222222:role/eks-cluster-role',
      ),
      {},
      'PASS_ROLE_DENIED',
    ],
    ['InvalidVpcID.NotFound', FIXTURES.vpcNotFound(), {}, 'VPC_NOT_FOUND'],
    ['InvalidSubnetID.NotFound', FIXTURES.subnetNotFound(), {}, 'SUBNET_NOT_FOUND'],
    ['InvalidGroup.NotFound', FIXTURES.groupNotFound(), {}, 'SECURITY_GROUP_NOT_IN_VPC'],
    ['InvalidKeyPair.NotFound', FIXTURES.keyPairNotFound(), {}, 'KEY_PAIR_NOT_FOUND'],
    ['NoSuchEntity for a role', FIXTURES.noSuchRole(), { service: 'iam', operation: 'GetRole' }, 'INVALID_ROLE_ARN'],
    [
      'NoSuchEntityException (modeled class name)',
      Object.assign(new Error('The role with name x cannot be found.'), {
        name: 'NoSuchEntityException',
        $fault: 'client',
        $metadata: { httpStatusCode: 404 },
      }),
      { service: 'iam' },
      'INVALID_ROLE_ARN',
    ],
    [
      'no credentials at all',
      FIXTURES.credentialsMissing(),
      { service: 'sts', operation: 'AssumeRole', principal: 'service' },
      'CREDENTIALS_NOT_CONFIGURED',
    ],
    [
      'invalid service credentials',
      FIXTURES.invalidClientToken(),
      { service: 'sts', operation: 'AssumeRole', principal: 'service' },
      'CREDENTIALS_NOT_CONFIGURED',
    ],
    [
      'STS not active in the region',
      FIXTURES.regionDisabled(),
      { service: 'sts', operation: 'AssumeRole' },
      'REGION_NOT_ENABLED',
    ],
    ['stack name taken', FIXTURES.cfnAlreadyExists(), {}, 'NAME_ALREADY_IN_USE'],
    [
      'EKS cluster name taken',
      awsError('eks', 'ResourceInUseException', 'Cluster already exists with name: demo'),
      {},
      'NAME_ALREADY_IN_USE',
    ],
    ['stack limit', FIXTURES.cfnLimit(), {}, 'QUOTA_EXCEEDED'],
    ['EKS unsupported AZ', FIXTURES.eksUnsupportedAz(), {}, 'UNSUPPORTED_AVAILABILITY_ZONE'],
    [
      'role A without the policy',
      awsError(
        'eks',
        'InvalidParameterException',
        "The provided role doesn't have the Amazon EKS Managed Policies associated with it. Please ensure the following policy is attached: arn:aws:iam::aws:policy/AmazonEKSClusterPolicy",
      ),
      {},
      'CLUSTER_ROLE_MISSING_EKS_POLICY',
    ],
    [
      'unsupported version',
      awsError('eks', 'InvalidParameterException', 'unsupported Kubernetes version 1.20'),
      {},
      'KUBERNETES_VERSION_UNSUPPORTED',
    ],
    [
      'anything else',
      awsError('ec2', 'InvalidParameterCombination', 'The parameter is not valid'),
      { service: 'ec2', operation: 'DescribeVpcs' },
      'UNKNOWN',
    ],
    ['a bug', new TypeError('x is not a function'), {}, 'UNKNOWN'],
  ] as const)('%s', (_label, err, ctx, code) => {
    expect(codeOf(err, ctx)).toBe(code);
  });

  it('throttling → AwsThrottled, 5xx/network → AwsTransient, with the operation named', () => {
    const t = diagnoseAwsError(FIXTURES.stsThrottling(), { service: 'sts', operation: 'AssumeRole' });
    expect(t).toBeInstanceOf(AwsThrottledError);
    expect((t as Error).name).toBe('AwsThrottled');
    expect((t as Error).message).toBe('sts:AssumeRole failed: Throttling: Rate exceeded');
    expect(diagnoseAwsError(FIXTURES.eksServerError())).toBeInstanceOf(AwsTransientError);
    expect(diagnoseAwsError(FIXTURES.networkReset())).toBeInstanceOf(AwsTransientError);
  });

  it('stale role-B credentials (expired, or invalid) come out retryable', () => {
    const out = diagnoseAwsError(FIXTURES.expiredToken(), {
      service: 'ec2',
      operation: 'DescribeVpcs',
      principal: 'provision-role',
    });
    expect(out).toBeInstanceOf(AwsTransientError);
  });

  it('keeps the evidence: who was denied, the AWS code and message', () => {
    const d = diagnoseAwsError(FIXTURES.assumeDenied(), {
      service: 'sts',
      operation: 'AssumeRole',
      evidence: { roleArn: 'arn:aws:iam::222222222222:role/eks-provisioner-provision', externalId: 'ext-123' },
    });
    expect(d).toMatchObject({
      code: 'ASSUME_ROLE_DENIED',
      evidence: { serviceAccountId: '111111111111', awsErrorCode: 'AccessDenied', externalId: 'ext-123' },
    });
    const s = diagnoseAwsError(FIXTURES.unauthorizedSecurityGroups(), {
      service: 'ec2',
      operation: 'DescribeSecurityGroups',
    });
    expect(s).toMatchObject({ evidence: { action: 'ec2:DescribeSecurityGroups' } });
  });

  it('parses the zones EKS offers instead', () => {
    const d = diagnoseAwsError(FIXTURES.eksUnsupportedAz());
    expect(d).toMatchObject({
      evidence: {
        unsupportedZones: ['us-east-1d'],
        validZones: ['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1e', 'us-east-1f'],
      },
    });
  });

  it('passes our own errors through', () => {
    const diag = new DiagnosedError(matchAwsFailure('InvalidKeyPair.NotFound', "The key pair 'k' does not exist")!);
    expect(toStepError(diag)).toBe(diag);
    const thr = new AwsThrottledError('x');
    expect(toStepError(thr)).toBe(thr);
  });

  it('round-trips a diagnosis through the Step Functions error shape', () => {
    const err = toStepError(FIXTURES.keyPairNotFound('demo-key'), { evidence: { region: 'us-west-2' } });
    expect(err.name).toBe('Diagnosed');
    const cause = JSON.stringify({ errorType: err.name, errorMessage: err.message });
    expect(diagnosisFromCause('Diagnosed', cause)?.message).toContain('Key pairs are regional');
  });
});

describe('matchAwsFailure on stack event reasons', () => {
  it('reads resource failure reasons', () => {
    expect(
      matchAwsFailure(
        '',
        'Resource handler returned message: "The provided role doesn\'t have the Amazon EKS Managed Policies associated with it. (Service: Eks, Status Code: 400)"',
      )?.code,
    ).toBe('CLUSTER_ROLE_MISSING_EKS_POLICY');
    expect(
      matchAwsFailure('', '[NodeCreationFailure]: Instances failed to join the kubernetes cluster: i-0123456789abcdef0')
        ?.evidence?.instanceIds,
    ).toEqual(['i-0123456789abcdef0']);
    expect(matchAwsFailure('', 'Resource creation cancelled')).toBeUndefined();
  });
});
