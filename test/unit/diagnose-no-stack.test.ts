/**
 * A diagnosis never tells a person to delete a stack that does not exist: when CreateStack itself
 * was refused, or an earlier step kept failing, no stack was created — say what was refused or what
 * kept failing instead. Once the stack exists, the stack is named as before.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { describe, expect, it } from 'vitest';
import { diagnoseFailure } from '../../functions/diagnose-failure/diagnose-failure.js';
import { awsCall } from '../../functions/lib/diagnosis/from-aws-error.js';
import type { Diagnosis } from '../../functions/lib/diagnosis/types.js';
import type { DiagnosedError } from '../../functions/lib/errors.js';

const STACK = 'eks-provisioner-demo';
const deps = {
  cloudformation: async () => new CloudFormationClient({ region: 'us-east-1' }),
  now: () => new Date('2026-01-01T00:00:00Z'),
};
const validated = {
  tenantId: 't',
  clusterId: 'c-1',
  accountId: '222222222222',
  region: 'us-east-1',
  stackName: STACK,
  cluster: { name: 'demo', provisionRoleArn: 'arn:aws:iam::222222222222:role/eks-provisioner-x' },
};
const lambdaCause = (errorType: string, errorMessage: string) => JSON.stringify({ errorType, errorMessage, trace: [] });
const text = (d: Diagnosis) => `${d.message} ${d.remediation.join(' ')}`;

async function diagnosed(state: Record<string, unknown>): Promise<Diagnosis> {
  const out = await diagnoseFailure(
    { state, executionArn: 'arn:aws:states:us-east-1:111111111111:execution:m:c-1', startedAt: '2026-01-01T00:00:00Z' },
    deps,
  );
  return out.diagnosis!;
}

describe('no stack, no stack to blame', () => {
  it('DescribeVpcResources kept failing on expired credentials: says so, names no stack, asks to delete nothing', async () => {
    const d = await diagnosed({
      ...validated,
      identity: {},
      error: {
        Error: 'AwsTransient',
        Cause: lambdaCause(
          'AwsTransient',
          'ec2:DescribeSubnets: ExpiredToken: The security token included in the request is expired',
        ),
      },
    });
    expect(text(d)).not.toContain(STACK);
    expect(text(d)).not.toMatch(/delete/i);
    expect(d.message).toMatch(/expired/i);
    expect(d.message).toMatch(/DescribeVpcResources/);
  });

  it('CreateStack refused (a ValidationError that is not about a parameter): says what was refused, names no stack to delete', async () => {
    // What create-cluster-stack does with such a refusal (its catch-all: the shared mapping, with its evidence).
    const refusal = Object.assign(
      new Error(
        "1 validation error detected: Value at 'tags.1.member.value' failed to satisfy constraint: Member must have length less than or equal to 256",
      ),
      { name: 'ValidationError', $fault: 'client', $metadata: { httpStatusCode: 400 } },
    );
    const err = await awsCall(
      {
        service: 'cloudformation',
        operation: 'CreateStack',
        principal: 'provision-role',
        evidence: { stackName: STACK, region: 'us-east-1' },
      },
      () => Promise.reject(refusal),
    ).then(
      () => undefined,
      (e: DiagnosedError) => e,
    );
    const d = err!.diagnosis;
    expect(text(d)).not.toMatch(/delete stack/i);
    expect(d.message).toMatch(/CreateStack/);
    expect(d.message).toMatch(/256/);
  });

  it('once the stack exists, a later failure still names it', async () => {
    const stackId = `arn:aws:cloudformation:us-east-1:222222222222:stack/${STACK}/1`;
    const d = await diagnosed({
      ...validated,
      preflight: {},
      stack: { stackId, stackName: STACK },
      poll: { outcome: 'IN_PROGRESS' },
      error: {
        Error: 'AwsTransient',
        Cause: lambdaCause('AwsTransient', 'cloudformation:DescribeStackEvents: InternalFailure'),
      },
    });
    expect(text(d)).toContain(STACK);
  });
});
