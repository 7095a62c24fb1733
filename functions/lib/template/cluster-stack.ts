/**
 * The CloudFormation template the service deploys into the customer's account, typed with
 * aws-cdk-lib L1 constructs. Build-time only: `build.ts` synthesizes it to cluster-template.json,
 * which the functions import (no aws-cdk-lib in a Lambda bundle); a test keeps both in step.
 *
 * One template for every cluster: everything per cluster is a Parameter.
 *
 * EBS CSI credentials: **EKS Pod Identity**, not IRSA. An IRSA trust policy needs the cluster's OIDC
 * issuer host as a *condition key* (`oidc.eks.<region>.amazonaws.com/id/<id>:sub`), which plain
 * CloudFormation cannot compute (keys cannot be intrinsic functions; CDK works around it with a custom
 * resource Lambda — more code and more permissions in the customer's account), plus an
 * AWS::IAM::OIDCProvider per cluster. Pod Identity's trust policy is static
 * (`pods.eks.amazonaws.com`), the association is a property of the add-on, and the cost is one more
 * add-on (`eks-pod-identity-agent`). Every Kubernetes version EKS still offers supports it.
 */
import { App, CfnCondition, CfnOutput, CfnParameter, DefaultStackSynthesizer, Fn, Stack, Token } from 'aws-cdk-lib';
import { CfnAccessEntry, CfnAddon, CfnCluster, CfnNodegroup } from 'aws-cdk-lib/aws-eks';
import { CfnRole } from 'aws-cdk-lib/aws-iam';
import { EBS_CSI_MANAGED_POLICIES, NODE_ROLE_MANAGED_POLICIES, ROLE_PATH, TAG_KEYS } from './constants.js';
import {
  ADDON_VERSION_PARAMETERS,
  type AddonName,
  AMI_TYPES,
  DEFAULT_UPGRADE_POLICY,
  MAX_ADMIN_PRINCIPALS,
  MAX_DEPLOY_PRINCIPALS,
  OUTPUT_KEYS,
  PARAMETER_KEYS,
  UPGRADE_POLICIES,
} from './parameters.js';
import { TENANT_TAG_PATTERN } from './tenant-tag.js';

const managed = (name: string) => Fn.sub(`arn:\${AWS::Partition}:iam::aws:policy/${name}`);

export function buildClusterStack(): Stack {
  const app = new App({ analyticsReporting: false });
  const stack = new Stack(app, 'EksProvisionerCluster', {
    synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
    description: 'EKS cluster, managed node group and add-ons created by eks-provisioner',
  });

  const p = PARAMETER_KEYS;
  const param = (id: string, props: ConstructorParameters<typeof CfnParameter>[2]) =>
    new CfnParameter(stack, id, props);

  const clusterName = param(p.clusterName, {
    type: 'String',
    description: 'EKS cluster name',
    allowedPattern: '^[0-9A-Za-z][A-Za-z0-9\\-_]*$',
    minLength: 1,
    maxLength: 100,
  });
  const version = param(p.kubernetesVersion, {
    type: 'String',
    description: 'Kubernetes version of the control plane, e.g. 1.33',
  });
  // The nodes' version on its own, so an upgrade runs in stages like eksctl's (control plane, then
  // nodes): a blocked node roll rolls back alone, leaving a supported skew instead of a control plane
  // CloudFormation cannot take back. '' (a stack made before this parameter): the control plane's.
  const nodegroupVersion = param(p.nodegroupVersion, {
    type: 'String',
    description: 'Kubernetes version of the node group (empty: the control plane version)',
    default: '',
  });
  const hasNodegroupVersion = new CfnCondition(stack, 'HasNodegroupVersion', {
    expression: Fn.conditionNot(Fn.conditionEquals(nodegroupVersion.valueAsString, '')),
  });
  const clusterRoleArn = param(p.clusterRoleArn, { type: 'String', description: 'Cluster service role (role A)' });
  const subnetIds = param(p.subnetIds, {
    type: 'List<AWS::EC2::Subnet::Id>',
    description: 'Subnets for control plane ENIs and nodes',
  });
  // CommaDelimitedList, not List<AWS::EC2::SecurityGroup::Id>: CloudFormation refuses an empty value for an
  // AWS-specific list, and no extra security groups (the settings' default) is valid. DescribeVpcResources
  // has already checked every group exists in the VPC.
  const securityGroupIds = param(p.securityGroupIds, {
    type: 'CommaDelimitedList',
    description: 'Security groups for the EKS-managed ENIs (empty: none)',
  });
  const instanceType = param(p.instanceType, { type: 'String', description: 'Node instance type' });
  const amiType = param(p.amiType, { type: 'String', description: 'Node AMI type', allowedValues: [...AMI_TYPES] });
  const nodeCount = param(p.nodeCount, { type: 'Number', description: 'Number of nodes', minValue: 1, maxValue: 450 });
  const keyName = param(p.keyName, {
    type: 'String',
    description: 'SSH key pair for nodes (empty: none)',
    default: '',
  });
  // Explicit, never EKS's default (EXTENDED, billed): a stack made before this parameter existed gains it
  // with the default when an update brings the stack up to this template.
  const upgradePolicy = param(p.upgradePolicy, {
    type: 'String',
    description: 'Support at the end of standard support: STANDARD (auto-upgrade) or EXTENDED (billed extra)',
    allowedValues: [...UPGRADE_POLICIES],
    default: DEFAULT_UPGRADE_POLICY,
  });
  // EKS refuses a version update while an upgrade insight is ERROR unless the update is forced; the
  // service forces only when the person asked to (PATCH ?force=true), and omits Force otherwise.
  const forceUpgrade = param(p.forceUpgrade, {
    type: 'String',
    description: 'Force a version update past ERROR upgrade insights (true only when asked for)',
    allowedValues: ['true', 'false'],
    default: 'false',
  });
  const isForced = new CfnCondition(stack, 'IsForceUpgrade', {
    expression: Fn.conditionEquals(forceUpgrade.valueAsString, 'true'),
  });
  const clusterId = param(p.clusterId, { type: 'String', description: 'eks-provisioner cluster id' });
  const tenantTag = param(p.tenantTag, {
    type: 'String',
    description: 'SHA-256 of the eks-provisioner tenant id (a tenant id may not fit a tag value)',
    allowedPattern: TENANT_TAG_PATTERN,
  });

  const hasKeyName = new CfnCondition(stack, 'HasKeyName', {
    expression: Fn.conditionNot(Fn.conditionEquals(keyName.valueAsString, '')),
  });
  // An empty CommaDelimitedList cannot be compared directly; joined it is ''.
  const hasSecurityGroups = new CfnCondition(stack, 'HasSecurityGroups', {
    expression: Fn.conditionNot(Fn.conditionEquals(Fn.join(',', securityGroupIds.valueAsList), '')),
  });
  // SSH only with source security groups: remote access without them opens port 22 to the internet.
  const hasRemoteAccess = new CfnCondition(stack, 'HasRemoteAccess', {
    expression: Fn.conditionAnd(hasKeyName, hasSecurityGroups),
  });
  const securityGroupsOrNone = Token.asList(
    Fn.conditionIf(hasSecurityGroups.logicalId, securityGroupIds.valueAsList, Fn.ref('AWS::NoValue')),
  );

  const tagList = [
    { key: TAG_KEYS.clusterId, value: clusterId.valueAsString },
    { key: TAG_KEYS.tenant, value: tenantTag.valueAsString },
    { key: TAG_KEYS.managedBy, value: 'eks-provisioner' },
  ];
  const tagMap = Object.fromEntries(tagList.map((t) => [t.key, t.value]));

  const nodeRole = new CfnRole(stack, 'NodeRole', {
    path: ROLE_PATH,
    description: 'EKS managed node group instances',
    assumeRolePolicyDocument: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    },
    managedPolicyArns: NODE_ROLE_MANAGED_POLICIES.map(managed),
    tags: tagList,
  });

  const ebsCsiRole = new CfnRole(stack, 'EbsCsiDriverRole', {
    path: ROLE_PATH,
    description: 'EBS CSI driver controller (EKS Pod Identity)',
    assumeRolePolicyDocument: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'pods.eks.amazonaws.com' },
          Action: ['sts:AssumeRole', 'sts:TagSession'],
        },
      ],
    },
    managedPolicyArns: EBS_CSI_MANAGED_POLICIES.map(managed),
    tags: tagList,
  });

  const cluster = new CfnCluster(stack, 'Cluster', {
    name: clusterName.valueAsString,
    version: version.valueAsString,
    roleArn: clusterRoleArn.valueAsString,
    resourcesVpcConfig: {
      subnetIds: subnetIds.valueAsList,
      securityGroupIds: securityGroupsOrNone,
      // Nodes reach the API server inside the VPC; people and the platform reach it publicly.
      endpointPrivateAccess: true,
      endpointPublicAccess: true,
    },
    accessConfig: {
      authenticationMode: 'API_AND_CONFIG_MAP',
      // Role B (the creator) stays cluster admin: a `managed` cluster's namespaces and service
      // accounts are created through it.
      bootstrapClusterCreatorAdminPermissions: true,
    },
    upgradePolicy: { supportType: upgradePolicy.valueAsString },
    force: Fn.conditionIf(isForced.logicalId, true, Fn.ref('AWS::NoValue')),
    tags: tagList,
  });

  // DaemonSet add-ons are healthy with zero nodes, so they go first and nodes start on managed versions.
  const addon = (id: string, name: AddonName, extra: Partial<ConstructorParameters<typeof CfnAddon>[2]> = {}) => {
    // No default, like the access-entry slots: the service always passes it ('' = EKS's default version),
    // and a '' default trips the synth-time length check although the property is conditional.
    const versionParam = param(ADDON_VERSION_PARAMETERS[name], {
      type: 'String',
      description: `${name} add-on version (empty: EKS's default for the cluster's Kubernetes version)`,
    });
    const hasVersion = new CfnCondition(stack, `Has${ADDON_VERSION_PARAMETERS[name]}`, {
      expression: Fn.conditionNot(Fn.conditionEquals(versionParam.valueAsString, '')),
    });
    const a = new CfnAddon(stack, id, {
      clusterName: cluster.ref,
      addonName: name,
      addonVersion: Token.asString(
        Fn.conditionIf(hasVersion.logicalId, versionParam.valueAsString, Fn.ref('AWS::NoValue')),
      ),
      // Take over the self-managed copies EKS bootstraps.
      resolveConflicts: 'OVERWRITE',
      tags: tagList,
      ...extra,
    });
    return a;
  };
  const vpcCni = addon('VpcCniAddon', 'vpc-cni');
  const kubeProxy = addon('KubeProxyAddon', 'kube-proxy');
  const podIdentityAgent = addon('PodIdentityAgentAddon', 'eks-pod-identity-agent');

  const nodegroup = new CfnNodegroup(stack, 'Nodegroup', {
    clusterName: cluster.ref,
    nodeRole: nodeRole.attrArn,
    subnets: subnetIds.valueAsList,
    instanceTypes: [instanceType.valueAsString],
    amiType: amiType.valueAsString,
    // Explicit, so raising NodegroupVersion rolls the nodes (EKS does not follow the cluster's version
    // on its own) and the stack says which version the nodes run.
    version: Token.asString(
      Fn.conditionIf(hasNodegroupVersion.logicalId, nodegroupVersion.valueAsString, version.valueAsString),
    ),
    capacityType: 'ON_DEMAND',
    scalingConfig: {
      minSize: nodeCount.valueAsNumber,
      desiredSize: nodeCount.valueAsNumber,
      maxSize: nodeCount.valueAsNumber,
    },
    // SSH only from the chosen security groups: without SourceSecurityGroups EKS opens port 22 to
    // 0.0.0.0/0, so the settings schema refuses a keyName without securityGroupIds.
    remoteAccess: Fn.conditionIf(
      hasRemoteAccess.logicalId,
      { Ec2SshKey: keyName.valueAsString, SourceSecurityGroups: securityGroupIds.valueAsList },
      Fn.ref('AWS::NoValue'),
    ),
    tags: tagMap,
  });
  nodegroup.addResourceDependency(vpcCni);
  nodegroup.addResourceDependency(kubeProxy);

  // Deployments need nodes to become ACTIVE.
  const coreDns = addon('CoreDnsAddon', 'coredns');
  coreDns.addResourceDependency(nodegroup);
  const ebsCsi = addon('EbsCsiDriverAddon', 'aws-ebs-csi-driver', {
    // Replaces the seed's manual "create a default storage class" step.
    configurationValues: JSON.stringify({ defaultStorageClass: { enabled: true } }),
    podIdentityAssociations: [{ serviceAccount: 'ebs-csi-controller-sa', roleArn: ebsCsiRole.attrArn }],
  });
  ebsCsi.addResourceDependency(nodegroup);
  ebsCsi.addResourceDependency(podIdentityAgent);

  // Fixed slots: plain CloudFormation has no loops (Fn::ForEach would need a transform and CAPABILITY_AUTO_EXPAND).
  // Each slot is a parameter and an access entry that exists only when the parameter is not empty.
  const accessEntrySlots = (
    kind: 'Admin' | 'Deploy',
    count: number,
    paramPrefix: string,
    description: (i: number) => string,
    policy: string,
    accessScope: { type: string; namespaces?: string[] },
  ) => {
    for (let i = 1; i <= count; i++) {
      const principal = param(`${paramPrefix}${i}`, {
        // No default (CreateClusterStack always passes every slot, '' for unused ones): a '' default
        // trips the synth-time check that PrincipalArn is non-empty, although the entry is conditional.
        type: 'String',
        description: description(i),
      });
      const has = new CfnCondition(stack, `Has${kind}Principal${i}`, {
        expression: Fn.conditionNot(Fn.conditionEquals(principal.valueAsString, '')),
      });
      const entry = new CfnAccessEntry(stack, `${kind}AccessEntry${i}`, {
        clusterName: cluster.ref,
        principalArn: principal.valueAsString,
        type: 'STANDARD',
        accessPolicies: [
          { policyArn: Fn.sub(`arn:\${AWS::Partition}:eks::aws:cluster-access-policy/${policy}`), accessScope },
        ],
        tags: tagList,
      });
      entry.cfnOptions.condition = has;
    }
  };
  accessEntrySlots(
    'Admin',
    MAX_ADMIN_PRINCIPALS,
    p.adminPrincipalArnPrefix,
    (i) => `IAM principal given cluster-admin through an access entry (slot ${i}; empty: none)`,
    'AmazonEKSClusterAdminPolicy',
    { type: 'cluster' },
  );

  // Deploy roles (CI systems): edit in the managed namespaces only, through access entries — no
  // long-lived Kubernetes token is ever made. The namespaces themselves are created by ConfigureCluster.
  const deployNamespaces = param(p.deployNamespaces, {
    type: 'CommaDelimitedList',
    description: 'Managed namespaces the deploy roles may edit (empty: no deploy roles)',
  });
  accessEntrySlots(
    'Deploy',
    MAX_DEPLOY_PRINCIPALS,
    p.deployPrincipalArnPrefix,
    (i) => `IAM role given edit in the managed namespaces through an access entry (slot ${i}; empty: none)`,
    'AmazonEKSEditPolicy',
    { type: 'namespace', namespaces: deployNamespaces.valueAsList },
  );

  const out = (id: string, value: string, description: string) => new CfnOutput(stack, id, { value, description });
  out(OUTPUT_KEYS.clusterName, cluster.ref, 'EKS cluster name');
  out(OUTPUT_KEYS.clusterArn, cluster.attrArn, 'EKS cluster ARN');
  out(OUTPUT_KEYS.endpoint, cluster.attrEndpoint, 'Kubernetes API server endpoint');
  out(OUTPUT_KEYS.certificateAuthorityData, cluster.attrCertificateAuthorityData, 'Cluster CA (base64)');
  out(OUTPUT_KEYS.oidcIssuer, cluster.attrOpenIdConnectIssuerUrl, 'OIDC issuer URL');
  out(OUTPUT_KEYS.clusterSecurityGroupId, cluster.attrClusterSecurityGroupId, 'Cluster security group EKS created');
  out(OUTPUT_KEYS.kubernetesVersion, version.valueAsString, 'Kubernetes version requested');
  out(OUTPUT_KEYS.nodeRoleArn, nodeRole.attrArn, 'Node IAM role');
  out(OUTPUT_KEYS.nodegroupName, nodegroup.attrNodegroupName, 'Managed node group name');
  out(OUTPUT_KEYS.ebsCsiRoleArn, ebsCsiRole.attrArn, 'EBS CSI driver role (Pod Identity)');

  return stack;
}

/** The template as a plain object (build time). */
export function synthesizeClusterTemplate(): Record<string, unknown> {
  const stack = buildClusterStack();
  const assembly = (stack.node.root as App).synth();
  return assembly.getStackByName(stack.stackName).template as Record<string, unknown>;
}
