import { describe, expect, it } from 'vitest';
import { clusterDetailLines, kubectlAccessLines } from '../../../cli/cluster-details.js';

describe('status: cluster access and configuration lines', () => {
  it('lists each principal with its access and why, then what ConfigureCluster did', () => {
    const lines = clusterDetailLines({
      outputs: {
        access: [
          {
            principalArn: 'arn:aws:iam::111122223333:role/eks-provisioner-provision',
            access: 'cluster-admin',
            source: 'creator',
          },
          {
            principalArn: 'arn:aws:iam::111122223333:role/Admin',
            access: 'cluster-admin',
            source: 'adminPrincipalArns',
          },
          {
            principalArn: 'arn:aws:iam::111122223333:role/ci',
            access: 'edit',
            namespaces: ['production', 'review'],
            source: 'deployPrincipalArns',
          },
        ],
        configuration: {
          nodesReady: 3,
          nodesExpected: 3,
          storageClass: { name: 'gp3', provisioner: 'ebs.csi.aws.com', created: true, undefaulted: ['gp2'] },
          namespaces: [
            { name: 'production', created: true, serviceAccount: 'deployer', clusterRole: 'edit' },
            { name: 'review', created: false, serviceAccount: 'deployer', clusterRole: 'edit' },
          ],
          configuredAt: '2026-11-30T21:00:00.000Z',
        },
      },
    });
    expect(lines).toEqual([
      'Cluster access (EKS access entries):',
      '  arn:aws:iam::111122223333:role/eks-provisioner-provision  cluster-admin  (role B, the creator)',
      '  arn:aws:iam::111122223333:role/Admin  cluster-admin  (adminPrincipalArns)',
      '  arn:aws:iam::111122223333:role/ci  edit in production, review  (deployPrincipalArns)',
      'Configured 2026-11-30T21:00:00.000Z:',
      '  nodes ready: 3/3',
      '  default StorageClass: gp3 (ebs.csi.aws.com, created by the service; no longer default: gp2)',
      '  namespaces:',
      '    production: service account deployer bound to ClusterRole edit',
      '    review (already there): service account deployer bound to ClusterRole edit',
    ]);
  });

  it('says nothing for records made before access and configuration were recorded', () => {
    expect(clusterDetailLines({ outputs: {} })).toEqual([]);
    expect(clusterDetailLines({})).toEqual([]);
  });

  it('an unmanaged cluster has no namespaces', () => {
    const lines = clusterDetailLines({
      outputs: {
        configuration: {
          nodesReady: 2,
          nodesExpected: 2,
          storageClass: { name: 'gp3', provisioner: 'ebs.csi.aws.com', created: false, undefaulted: [] },
          namespaces: [],
          configuredAt: '2026-11-30T21:00:00.000Z',
        },
      },
    });
    expect(lines).toContain('  default StorageClass: gp3 (ebs.csi.aws.com, made by the EBS CSI add-on)');
    expect(lines).toContain('  namespaces: none (not managed)');
  });
});

describe('status: how to run kubectl (issue: kubectl works for the person who asked)', () => {
  const record = {
    id: 'c-1',
    name: 'demo',
    region: 'us-east-1',
    settings: { provisionRoleArn: 'arn:aws:iam::222222222222:role/eks-provisioner-provision', region: 'us-east-1' },
    outputs: {
      clusterName: 'demo',
      access: [
        {
          principalArn: 'arn:aws:iam::222222222222:user/admin',
          access: 'cluster-admin' as const,
          source: 'adminPrincipalArns' as const,
        },
      ],
    },
  };
  const externalId = 'a'.repeat(32);

  it("gives role B's profile with this tenant's External ID, ready to paste, and the kubeconfig command that uses it", () => {
    const text = kubectlAccessLines(record, { externalId }).join('\n');
    expect(text).toContain(
      `  [profile eks-provisioner-demo]\n  role_arn = arn:aws:iam::222222222222:role/eks-provisioner-provision\n  external_id = ${externalId}\n  source_profile = default`,
    );
    expect(text).toContain('eks-provisioner kubeconfig c-1 --assume-provision-role');
    expect(text).toContain('aws eks update-kubeconfig --region us-east-1 --name demo --profile eks-provisioner-demo');
    expect(text).toContain('aws eks --region us-east-1 create-access-entry --cluster-name demo');
    // Not named in the access entries: the own-identity line is not offered.
    expect(text).not.toContain('kubectl as yourself');
  });

  it('offers the own identity first when the caller has an access entry', () => {
    const lines = kubectlAccessLines(record, { externalId, requester: 'arn:aws:iam::222222222222:user/admin' });
    expect(lines[0]).toBe('kubectl as yourself (arn:aws:iam::222222222222:user/admin has an access entry):');
    expect(lines[1]).toBe('  eks-provisioner kubeconfig c-1');
  });
});
