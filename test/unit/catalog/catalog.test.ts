import { describe, expect, it } from 'vitest';
import { CATALOG, combineDiagnoses, makeDiagnosis } from '../../../functions/lib/diagnosis/catalog.js';
import { DIAGNOSIS_CODES } from '../../../functions/lib/diagnosis/types.js';

const FULL_EVIDENCE = {
  roleArn: 'arn:aws:iam::222222222222:role/eks-provisioner-provision',
  serviceRoleArn: 'arn:aws:iam::222222222222:role/eks-cluster-role',
  region: 'us-east-1',
  accountId: '222222222222',
  serviceAccountId: '111111111111',
  externalId: '0123456789abcdef0123456789abcdef01234567',
  stackName: 'eks-provisioner-demo',
  clusterName: 'demo',
  keyName: 'demo-key',
  vpcId: 'vpc-0a1b2c3d4e5f60001',
  subnetIds: ['subnet-0a1b2c3d4e5f60014'],
  securityGroupIds: ['sg-0a1b2c3d4e5f60021'],
  instanceType: 't3.medium',
  kubernetesVersion: '1.20',
  supportedVersions: ['1.33', '1.32'],
  unsupportedZones: ['us-east-1d (use1-az3)'],
  validZones: ['us-east-1a', 'us-east-1b'],
  action: 'ec2:DescribeSecurityGroups',
  awsErrorCode: 'AccessDenied',
  awsMessage: 'denied',
};

describe('the catalog', () => {
  it('has a complete entry for every code', () => {
    expect(Object.keys(CATALOG).sort()).toEqual([...DIAGNOSIS_CODES].sort());
    for (const code of DIAGNOSIS_CODES) {
      for (const evidence of [{}, FULL_EVIDENCE]) {
        const d = makeDiagnosis(code, evidence);
        expect(d.code).toBe(code);
        expect(d.title.length, code).toBeGreaterThan(5);
        expect(d.title).not.toBe(code);
        expect(d.message.length, code).toBeGreaterThan(15);
        expect(d.remediation.length, code).toBeGreaterThan(0);
        expect(typeof d.retryable).toBe('boolean');
        expect(d.docsUrl, code).toMatch(/^https:\/\/(docs\.aws\.amazon\.com)\//);
        // A missing fact never shows up as "undefined" / "null" / "[object".
        expect(JSON.stringify([d.message, d.remediation]), code).not.toMatch(/undefined|null|\[object/);
      }
    }
  });

  it('fills the message from evidence', () => {
    expect(makeDiagnosis('VPC_NOT_FOUND', { vpcId: 'vpc-0a1b2c3d4e5f60009', region: 'us-west-2' }).message).toBe(
      'VPC vpc-0a1b2c3d4e5f60009 does not exist in us-west-2.',
    );
    expect(
      makeDiagnosis('KUBERNETES_VERSION_UNSUPPORTED', {
        kubernetesVersion: '1.20',
        supportedVersions: ['1.33', '1.32'],
        region: 'us-east-1',
      }).message,
    ).toBe('Amazon EKS does not offer Kubernetes 1.20 in us-east-1. Offered: 1.33, 1.32.');
  });
});

describe("the seed's six troubleshooting entries", () => {
  it('INVALID_ROLE_ARN shows a valid example and the prefix rule', () => {
    const d = makeDiagnosis('INVALID_ROLE_ARN', {
      roleArn: 'arn:aws:iam::1:role/x',
      roleNamePrefix: 'eks-provisioner-',
    });
    expect(d.remediation.join(' ')).toContain('arn:aws:iam::123456789012:role/');
    expect(d.remediation.join(' ')).toContain('"eks-provisioner-"');
  });

  it("ASSUME_ROLE_DENIED gives the seed's three checks, naming the account id and External ID", () => {
    const d = makeDiagnosis('ASSUME_ROLE_DENIED', FULL_EVIDENCE);
    // The tenant's causes first; the service's own credentials last, for self-managed installs.
    const [trust, name, region] = d.remediation;
    const policy = d.remediation[d.remediation.length - 1];
    expect(name).toMatch(/role B exists under exactly this name/);
    expect(policy).toMatch(/^Self-managed installs only[\s\S]*AssumeRole policy/);
    expect(policy).toContain('sts:AssumeRole');
    expect(region).toMatch(/region us-east-1/);
    expect(trust).toMatch(/Trust relationships/);
    expect(trust).toContain('111111111111');
    expect(trust).toContain('"sts:ExternalId" must equal "0123456789abcdef0123456789abcdef01234567"');
    expect(d.retryable).toBe(false);
  });

  it('SECURITY_GROUPS_NOT_LOADED says the role was assumed but lacks read permissions', () => {
    const d = makeDiagnosis('SECURITY_GROUPS_NOT_LOADED', FULL_EVIDENCE);
    expect(d.message).toMatch(/was assumed successfully, but it does not have enough permissions/);
    expect(d.message).toContain('ec2:DescribeSecurityGroups');
  });

  it('KEY_PAIR_NOT_FOUND says key pairs are regional', () => {
    const d = makeDiagnosis('KEY_PAIR_NOT_FOUND', { keyName: 'demo-key', region: 'us-west-2' });
    expect(d.message).toBe(
      'Key pair "demo-key" does not exist in us-west-2. Key pairs are regional: a key pair made in another region cannot be used for nodes here.',
    );
    expect(d.remediation[0]).toContain('--region us-west-2');
  });

  it('ROLLBACK_FAILED names the stack to delete by hand and how, with the original failure', () => {
    const cause = makeDiagnosis('CLUSTER_ROLE_MISSING_EKS_POLICY', { serviceRoleArn: FULL_EVIDENCE.serviceRoleArn });
    const d = makeDiagnosis(
      'ROLLBACK_FAILED',
      { stackName: 'eks-provisioner-demo', region: 'us-east-1', accountId: '222222222222', logicalId: 'Cluster' },
      { cause },
    );
    expect(d.message).toContain('eks-provisioner-demo');
    expect(d.message).toContain("The provided role doesn't have the Amazon EKS Managed Policies associated with it.");
    const steps = d.remediation.join('\n');
    expect(steps).toContain('aws cloudformation delete-stack --stack-name eks-provisioner-demo --region us-east-1');
    expect(steps).toContain('DELETE_FAILED');
    expect(steps).toContain('(Cluster)');
    expect(d.cause?.code).toBe('CLUSTER_ROLE_MISSING_EKS_POLICY');
  });

  it('DELETE_FAILED points at the failed resource only when one failed; a stack still deleting gets describe-stacks', () => {
    const failed = makeDiagnosis('DELETE_FAILED', {
      stackName: 'eks-provisioner-demo',
      region: 'us-east-1',
      status: 'DELETE_FAILED',
      logicalId: 'NodeRole',
      reason: 'boom',
    });
    expect(failed.remediation[0]).toContain('for the DELETE_FAILED resource');
    const deleting = makeDiagnosis('DELETE_FAILED', {
      stackName: 'eks-provisioner-demo',
      region: 'us-east-1',
      status: 'DELETE_IN_PROGRESS',
      detail: 'AWS kept throttling',
    });
    expect(deleting.remediation[0]).toBe(
      'See where the stack stands: aws cloudformation describe-stacks --stack-name eks-provisioner-demo --region us-east-1 (DELETE_IN_PROGRESS: let it finish; DELETE_FAILED: its Events tab names the resource).',
    );
  });

  it("CLUSTER_ROLE_MISSING_EKS_POLICY quotes AWS and gives the attach command in the role's partition", () => {
    const d = makeDiagnosis('CLUSTER_ROLE_MISSING_EKS_POLICY', {
      serviceRoleArn: 'arn:aws-cn:iam::222222222222:role/path/eks-cluster-role',
    });
    expect(d.message).toContain(
      '"The provided role doesn\'t have the Amazon EKS Managed Policies associated with it."',
    );
    expect(d.remediation[0]).toBe(
      'Attach the AWS managed policy AmazonEKSClusterPolicy to eks-cluster-role: aws iam attach-role-policy --role-name eks-cluster-role --policy-arn arn:aws-cn:iam::aws:policy/AmazonEKSClusterPolicy',
    );
  });
});

describe('combineDiagnoses', () => {
  it('keeps every problem, the first code, and all remediation once', () => {
    const a = makeDiagnosis('VPC_NOT_FOUND', { vpcId: 'vpc-0a1b2c3d4e5f60009', region: 'us-east-1' });
    const b = makeDiagnosis('KEY_PAIR_NOT_FOUND', { keyName: 'k', region: 'us-east-1' });
    const c = combineDiagnoses([a, b]);
    expect(c?.code).toBe('VPC_NOT_FOUND');
    expect(c?.problems).toEqual([
      { code: 'VPC_NOT_FOUND', message: a.message },
      { code: 'KEY_PAIR_NOT_FOUND', message: b.message },
    ]);
    expect(c?.message).toBe(`1) ${a.message} 2) ${b.message}`);
    expect(c?.remediation).toEqual([...a.remediation, ...b.remediation]);
    expect(combineDiagnoses([])).toBeUndefined();
    expect(combineDiagnoses([a])?.problems).toHaveLength(1);
  });
});

describe('access denials with a stack in the evidence (a create, but also an update, dry run or deletion)', () => {
  // The update pre-flight and change-set calls carry the live cluster's stackName: "delete the failed
  // stack" there would have the user delete a working cluster.
  for (const code of ['PERMISSION_DENIED', 'PASS_ROLE_DENIED'] as const) {
    it(`${code}: deletes the stack only in the states a never-created cluster leaves`, () => {
      const d = makeDiagnosis(code, {
        stackName: 'eks-provisioner-prod',
        roleArn: 'arn:aws:iam::222222222222:role/eks-provisioner-provision',
        action: 'eks:ListInsights',
      });
      const steps = d.remediation.join('\n');
      expect(steps).not.toMatch(/Delete the failed stack/);
      const last = d.remediation.at(-1)!;
      expect(last).toMatch(/Only if stack eks-provisioner-prod is in CREATE_FAILED or ROLLBACK_COMPLETE/);
      expect(last).toMatch(/keep it/);
      expect(makeDiagnosis(code, {}).remediation.at(-1)).toBe('Then try again.');
    });
  }
});
