/**
 * The cluster template at run time: the committed synthesis (cluster-template.json) plus the
 * parameters one cluster fills in. No aws-cdk-lib here, so Lambda bundles stay small.
 */
import template from './cluster-template.json' with { type: 'json' };
import {
  ADDON_VERSION_PARAMETERS,
  type AddonName,
  amiTypeFor,
  DEFAULT_UPGRADE_POLICY,
  MAX_ADMIN_PRINCIPALS,
  MAX_DEPLOY_PRINCIPALS,
  PARAMETER_KEYS,
  type UpgradePolicy,
} from './parameters.js';
import { tenantTagValue } from './tenant-tag.js';

export {
  ADDON_VERSION_PARAMETERS,
  amiTypeFor,
  MAX_ADMIN_PRINCIPALS,
  MAX_DEPLOY_PRINCIPALS,
  OUTPUT_KEYS,
  PARAMETER_KEYS,
  type UpgradePolicy,
} from './parameters.js';

export interface CfnTemplate {
  Description?: string;
  Parameters: Record<string, { Type: string; Default?: string | number }>;
  Conditions?: Record<string, unknown>;
  Resources: Record<
    string,
    { Type: string; Condition?: string; DependsOn?: string | string[]; Properties?: Record<string, unknown> }
  >;
  Outputs?: Record<string, { Value: unknown; Description?: string }>;
}

export const CLUSTER_TEMPLATE = template as unknown as CfnTemplate;

let body: string | undefined;
/** Compact JSON for CreateStack's TemplateBody (built once per process). */
export function clusterTemplateBody(): string {
  body ??= JSON.stringify(CLUSTER_TEMPLATE);
  return body;
}

/** Distinct resource types the template creates, sorted. */
export function clusterTemplateResourceTypes(): string[] {
  return [...new Set(Object.values(CLUSTER_TEMPLATE.Resources).map((r) => r.Type))].sort();
}

export interface ClusterStackValues {
  clusterId: string;
  tenantId: string;
  name: string;
  kubernetesVersion: string;
  /** The node group's version; default: `kubernetesVersion`. */
  nodegroupVersion?: string;
  serviceRoleArn: string;
  subnetIds: string[];
  securityGroupIds: string[];
  instanceType: string;
  nodeCount: number;
  /** Default STANDARD. */
  upgradePolicy?: UpgradePolicy;
  /** An update forced past ERROR upgrade insights (sets the cluster's Force). */
  forceUpgrade?: boolean;
  keyName?: string;
  adminPrincipalArns: string[];
  /** IAM roles given edit in `deployNamespaces` (managed clusters). */
  deployPrincipalArns?: string[];
  deployNamespaces?: string[];
  /** Add-on versions by add-on name; absent or '' = EKS's default for the cluster's version. */
  addonVersions?: Partial<Record<AddonName, string>>;
}

/** CreateStack `Parameters` for one cluster. Every admin slot is passed ('' = unused: no default). */
export function clusterStackParameters(v: ClusterStackValues): Array<{ ParameterKey: string; ParameterValue: string }> {
  if (v.adminPrincipalArns.length > MAX_ADMIN_PRINCIPALS) {
    throw new RangeError(
      `adminPrincipalArns: at most ${MAX_ADMIN_PRINCIPALS} principals (got ${v.adminPrincipalArns.length})`,
    );
  }
  // Second line of defence behind the settings schema: never a node group with SSH open to 0.0.0.0/0.
  if (v.keyName && v.securityGroupIds.length === 0) {
    throw new RangeError(
      'keyName needs securityGroupIds: without source security groups EKS opens SSH (port 22) on the nodes to 0.0.0.0/0',
    );
  }
  const p = PARAMETER_KEYS;
  const values: Record<string, string> = {
    [p.clusterName]: v.name,
    [p.kubernetesVersion]: v.kubernetesVersion,
    [p.nodegroupVersion]: v.nodegroupVersion ?? v.kubernetesVersion,
    [p.clusterRoleArn]: v.serviceRoleArn,
    [p.subnetIds]: v.subnetIds.join(','),
    [p.securityGroupIds]: v.securityGroupIds.join(','),
    [p.instanceType]: v.instanceType,
    [p.amiType]: amiTypeFor(v.instanceType),
    [p.nodeCount]: String(v.nodeCount),
    [p.upgradePolicy]: v.upgradePolicy ?? DEFAULT_UPGRADE_POLICY,
    [p.forceUpgrade]: v.forceUpgrade ? 'true' : 'false',
    [p.keyName]: v.keyName ?? '',
    [p.clusterId]: v.clusterId,
    [p.tenantTag]: tenantTagValue(v.tenantId),
  };
  for (let i = 1; i <= MAX_ADMIN_PRINCIPALS; i++)
    values[`${p.adminPrincipalArnPrefix}${i}`] = v.adminPrincipalArns[i - 1] ?? '';
  const deploy = v.deployPrincipalArns ?? [];
  if (deploy.length > MAX_DEPLOY_PRINCIPALS)
    throw new RangeError(`deployPrincipalArns: at most ${MAX_DEPLOY_PRINCIPALS} roles (got ${deploy.length})`);
  if (deploy.length > 0 && !v.deployNamespaces?.length)
    throw new RangeError('deployPrincipalArns need at least one managed namespace');
  for (let i = 1; i <= MAX_DEPLOY_PRINCIPALS; i++) values[`${p.deployPrincipalArnPrefix}${i}`] = deploy[i - 1] ?? '';
  values[p.deployNamespaces] = (v.deployNamespaces ?? []).join(',');
  for (const [addon, key] of Object.entries(ADDON_VERSION_PARAMETERS))
    values[key] = v.addonVersions?.[addon as AddonName] ?? '';
  return Object.entries(values).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue }));
}
