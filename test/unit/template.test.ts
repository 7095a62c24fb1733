import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderTemplateFile, TEMPLATE_FILE } from '../../functions/lib/template/build.js';
import { ATTACHED_MANAGED_POLICIES, ROLE_PATH, TAG_KEYS } from '../../functions/lib/template/constants.js';
import {
  amiTypeFor,
  CLUSTER_TEMPLATE,
  clusterStackParameters,
  clusterTemplateBody,
  clusterTemplateResourceTypes,
  MAX_ADMIN_PRINCIPALS,
  MAX_DEPLOY_PRINCIPALS,
  OUTPUT_KEYS,
} from '../../functions/lib/template/index.js';
import { requireTool } from '../support/tools.js';

const resources = Object.entries(CLUSTER_TEMPLATE.Resources);
const ofType = (type: string) => resources.filter(([, r]) => r.Type === type);
const values = {
  clusterId: 'c-123',
  tenantId: 't-1',
  name: 'demo',
  kubernetesVersion: '1.33',
  serviceRoleArn: 'arn:aws:iam::222222222222:role/eks-cluster-role',
  subnetIds: ['subnet-1', 'subnet-2'],
  securityGroupIds: ['sg-1'],
  instanceType: 'm5.large',
  nodeCount: 3,
  adminPrincipalArns: ['arn:aws:iam::222222222222:role/admin'],
};

describe('cluster template', () => {
  it('the committed template is what the CDK definition synthesizes (run functions/lib/template/build.ts)', () => {
    expect(readFileSync(TEMPLATE_FILE, 'utf8')).toBe(renderTemplateFile());
  }, 120_000);

  it('has no CDK bootstrap/metadata leftovers', () => {
    const t = CLUSTER_TEMPLATE as unknown as Record<string, unknown>;
    expect(Object.keys(t).sort()).toEqual(['Conditions', 'Description', 'Outputs', 'Parameters', 'Resources']);
    expect(JSON.stringify(t)).not.toMatch(/BootstrapVersion|CDKMetadata|aws:cdk:path|CheckBootstrapVersion/);
  });

  it('fits in CreateStack TemplateBody (51,200 bytes)', () => {
    expect(Buffer.byteLength(clusterTemplateBody())).toBeLessThan(51_200);
  });

  const cfnLint = requireTool('cfn-lint', 'the cfn-lint check of the cluster template (test/unit/template)');
  it.skipIf(!cfnLint)(
    'is clean under cfn-lint',
    () => {
      const run = spawnSync('cfn-lint', ['--', TEMPLATE_FILE], { encoding: 'utf8', timeout: 120_000 });
      expect(run.stdout + run.stderr).toBe('');
      expect(run.status).toBe(0);
    },
    180_000,
  );

  it('builds modern EKS: access entries auth mode, managed node group, no launch configurations', () => {
    const [, cluster] = ofType('AWS::EKS::Cluster')[0]!;
    expect(cluster.Properties?.AccessConfig).toMatchObject({ AuthenticationMode: 'API_AND_CONFIG_MAP' });
    expect(ofType('AWS::EKS::Nodegroup')).toHaveLength(1);
    expect(clusterTemplateResourceTypes()).not.toContain('AWS::AutoScaling::LaunchConfiguration');
    expect(clusterTemplateResourceTypes()).not.toContain('AWS::AutoScaling::AutoScalingGroup');
  });

  it('installs the four add-ons plus the Pod Identity agent; EBS CSI makes the default storage class', () => {
    const addons = Object.fromEntries(ofType('AWS::EKS::Addon').map(([, r]) => [r.Properties?.AddonName as string, r]));
    expect(Object.keys(addons).sort()).toEqual([
      'aws-ebs-csi-driver',
      'coredns',
      'eks-pod-identity-agent',
      'kube-proxy',
      'vpc-cni',
    ]);
    const ebs = addons['aws-ebs-csi-driver']!;
    expect(JSON.parse(ebs.Properties?.ConfigurationValues as string)).toEqual({
      defaultStorageClass: { enabled: true },
    });
    expect(ebs.Properties?.PodIdentityAssociations).toEqual([
      { ServiceAccount: 'ebs-csi-controller-sa', RoleArn: { 'Fn::GetAtt': ['EbsCsiDriverRole', 'Arn'] } },
    ]);
    // coredns and the CSI controller are Deployments: they wait for nodes.
    expect(addons.coredns!.DependsOn).toContain('Nodegroup');
    expect(ebs.DependsOn).toEqual(expect.arrayContaining(['Nodegroup', 'PodIdentityAgentAddon']));
  });

  it('creates roles only under the role path, with only the expected managed policies', () => {
    const roles = ofType('AWS::IAM::Role');
    expect(roles.length).toBeGreaterThan(0);
    const allowed = ATTACHED_MANAGED_POLICIES.map((p) => ({
      'Fn::Sub': `arn:\${AWS::Partition}:iam::aws:policy/${p}`,
    }));
    for (const [, role] of roles) {
      expect(role.Properties?.Path).toBe(ROLE_PATH);
      expect(role.Properties?.RoleName).toBeUndefined(); // CAPABILITY_IAM is enough
      for (const arn of role.Properties!.ManagedPolicyArns as unknown[]) expect(allowed).toContainEqual(arn);
      expect(role.Properties?.Policies).toBeUndefined();
    }
  });

  it('tags every taggable resource with cluster id and tenant', () => {
    for (const [id, r] of resources) {
      const tags = r.Properties?.Tags;
      expect(tags, id).toBeDefined();
      const keys = Array.isArray(tags)
        ? (tags as Array<{ Key: string }>).map((t) => t.Key)
        : Object.keys(tags as object);
      expect(keys, id).toEqual(expect.arrayContaining([TAG_KEYS.clusterId, TAG_KEYS.tenant]));
    }
  });

  it('gives an access entry slot per admin principal, each switched on by a condition', () => {
    const entries = ofType('AWS::EKS::AccessEntry').filter(([id]) => id.startsWith('AdminAccessEntry'));
    expect(entries).toHaveLength(MAX_ADMIN_PRINCIPALS);
    for (const [, e] of entries) expect(e.Condition).toMatch(/^HasAdminPrincipal\d$/);
  });

  it('gives deploy roles edit in the managed namespaces only (namespace-scoped AmazonEKSEditPolicy), one conditional slot each', () => {
    const entries = ofType('AWS::EKS::AccessEntry').filter(([id]) => id.startsWith('DeployAccessEntry'));
    expect(entries).toHaveLength(MAX_DEPLOY_PRINCIPALS);
    for (const [, e] of entries) {
      expect(e.Condition).toMatch(/^HasDeployPrincipal\d$/);
      const policies = (e.Properties as { AccessPolicies: Array<{ PolicyArn: unknown; AccessScope: unknown }> })
        .AccessPolicies;
      expect(policies).toEqual([
        {
          PolicyArn: { 'Fn::Sub': 'arn:${AWS::Partition}:eks::aws:cluster-access-policy/AmazonEKSEditPolicy' },
          AccessScope: { Type: 'namespace', Namespaces: { Ref: 'DeployNamespaces' } },
        },
      ]);
    }
    const params = Object.fromEntries(
      clusterStackParameters({
        ...values,
        deployPrincipalArns: ['arn:aws:iam::222222222222:role/ci'],
        deployNamespaces: ['production', 'staging'],
      }).map((p) => [p.ParameterKey, p.ParameterValue]),
    );
    expect(params).toMatchObject({
      DeployPrincipalArn1: 'arn:aws:iam::222222222222:role/ci',
      DeployPrincipalArn2: '',
      DeployNamespaces: 'production,staging',
    });
    expect(() =>
      clusterStackParameters({
        ...values,
        deployPrincipalArns: ['arn:aws:iam::222222222222:role/ci'],
        deployNamespaces: [],
      }),
    ).toThrow(/namespace/);
  });

  it('outputs everything FinalizeCluster reads', () => {
    expect(Object.keys(CLUSTER_TEMPLATE.Outputs ?? {}).sort()).toEqual(Object.values(OUTPUT_KEYS).sort());
  });

  it('stack parameters fill exactly the template parameters', () => {
    const params = clusterStackParameters({ ...values, keyName: 'demo-key' });
    const keys = params.map((p) => p.ParameterKey).sort();
    expect(keys).toEqual(Object.keys(CLUSTER_TEMPLATE.Parameters).sort());
    const byKey = Object.fromEntries(params.map((p) => [p.ParameterKey, p.ParameterValue]));
    expect(byKey).toMatchObject({
      SubnetIds: 'subnet-1,subnet-2',
      NodeCount: '3',
      NodeAmiType: 'AL2023_x86_64_STANDARD',
      KeyName: 'demo-key',
      AdminPrincipalArn1: 'arn:aws:iam::222222222222:role/admin',
      AdminPrincipalArn2: '',
    });
    // Never SSH open to 0.0.0.0/0, even if a caller skipped the settings schema.
    expect(() => clusterStackParameters({ ...values, keyName: 'demo-key', securityGroupIds: [] })).toThrow(
      /0\.0\.0\.0\/0/,
    );
    expect(() =>
      clusterStackParameters({
        ...values,
        adminPrincipalArns: Array(MAX_ADMIN_PRINCIPALS + 1).fill('arn:aws:iam::1:role/x'),
      }),
    ).toThrow(/adminPrincipalArns: at most/);
  });

  it('sets an explicit support policy (default STANDARD) from the UpgradePolicy parameter', () => {
    const [, cluster] = ofType('AWS::EKS::Cluster')[0]!;
    expect(cluster.Properties?.UpgradePolicy).toEqual({ SupportType: { Ref: 'UpgradePolicy' } });
    expect(CLUSTER_TEMPLATE.Parameters.UpgradePolicy).toMatchObject({
      Default: 'STANDARD',
      AllowedValues: ['STANDARD', 'EXTENDED'],
    });
    const byKey = (v: Parameters<typeof clusterStackParameters>[0]) =>
      Object.fromEntries(clusterStackParameters(v).map((p) => [p.ParameterKey, p.ParameterValue]));
    expect(byKey(values).UpgradePolicy).toBe('STANDARD');
    expect(byKey({ ...values, upgradePolicy: 'EXTENDED' }).UpgradePolicy).toBe('EXTENDED');
  });

  it('gives the node group its own version (staged upgrades; empty: the control plane version) and lets it be replaced (no custom name: CloudFormation cannot replace a named resource)', () => {
    const [, nodegroup] = ofType('AWS::EKS::Nodegroup')[0]!;
    expect(nodegroup.Properties?.Version).toEqual({
      'Fn::If': ['HasNodegroupVersion', { Ref: 'NodegroupVersion' }, { Ref: 'KubernetesVersion' }],
    });
    // A stack made before the parameter existed can still take a change set that leaves it out.
    expect(CLUSTER_TEMPLATE.Parameters.NodegroupVersion).toMatchObject({ Type: 'String', Default: '' });
    expect(CLUSTER_TEMPLATE.Conditions?.HasNodegroupVersion).toEqual({
      'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'NodegroupVersion' }, ''] }],
    });
    expect(nodegroup.Properties).not.toHaveProperty('NodegroupName');
  });

  it('picks the AMI family the instance type needs', () => {
    expect(amiTypeFor('m5.large')).toBe('AL2023_x86_64_STANDARD');
    expect(amiTypeFor('t3.medium')).toBe('AL2023_x86_64_STANDARD');
    expect(amiTypeFor('m7g.large')).toBe('AL2023_ARM_64_STANDARD');
    expect(amiTypeFor('c6gn.xlarge')).toBe('AL2023_ARM_64_STANDARD');
    expect(amiTypeFor('t4g.small')).toBe('AL2023_ARM_64_STANDARD');
    expect(amiTypeFor('a1.large')).toBe('AL2023_ARM_64_STANDARD');
    expect(amiTypeFor('g5.xlarge')).toBe('AL2023_x86_64_NVIDIA');
    expect(amiTypeFor('p4d.24xlarge')).toBe('AL2023_x86_64_NVIDIA');
    expect(amiTypeFor('g5g.xlarge')).toBe('AL2023_ARM_64_NVIDIA');
    expect(amiTypeFor('inf2.xlarge')).toBe('AL2023_x86_64_NEURON');
    expect(amiTypeFor('trn1.2xlarge')).toBe('AL2023_x86_64_NEURON');
  });
});
