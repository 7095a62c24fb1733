import { describe, expect, it } from 'vitest';
import { clusterDetailLines } from '../../../local/cli/cluster-details.js';

describe('status: cluster access and configuration lines', () => {
  it('lists each principal with its access and why, then what ConfigureCluster did', () => {
    const lines = clusterDetailLines({
      outputs: {
        access: [
          { principalArn: 'arn:aws:iam::111122223333:role/eks-provisioner-provision', access: 'cluster-admin', source: 'creator' },
          { principalArn: 'arn:aws:iam::111122223333:role/Admin', access: 'cluster-admin', source: 'adminPrincipalArns' },
          { principalArn: 'arn:aws:iam::111122223333:role/ci', access: 'edit', namespaces: ['production', 'review'], source: 'deployPrincipalArns' },
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
