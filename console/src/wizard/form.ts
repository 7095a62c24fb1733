/**
 * The wizard's form state and how it becomes the API's cluster settings. DOM-free (no React, no
 * Cloudscape): the steps, the review, the saved state and the unit tests share it.
 */
import type { ClusterSettings, RegisteredRole } from '../api/types';
import { parseArnList } from './deploy-roles';

/** Step 2: role B and region as typed, and what POST /v1/roles answered. */
export interface AuthState {
  roleArn: string;
  region: string;
  registered?: RegisteredRole;
}

export interface SettingsForm {
  name: string;
  environmentScope: string;
  serviceRoleArn: string;
  kubernetesVersion: string;
  /** What EKS does when the version's standard support ends (the API's default: STANDARD). */
  upgradePolicy: 'STANDARD' | 'EXTENDED';
  keyName: string;
  vpcId: string;
  subnetIds: string[];
  securityGroupIds: string[];
  instanceType: string;
  nodeCount: string;
  managed: boolean;
  adminPrincipalArns: string[];
  namespaces: string;
  /** As typed: role ARNs, one per line or comma-separated (split when sent). */
  deployPrincipalArns: string;
  /** The requester was proposed as administrator once (removing them is then the user's choice, kept). */
  requesterProposed?: boolean;
}

export const EMPTY_SETTINGS: SettingsForm = {
  name: '',
  environmentScope: '*',
  serviceRoleArn: '',
  kubernetesVersion: '',
  upgradePolicy: 'STANDARD',
  keyName: '',
  vpcId: '',
  subnetIds: [],
  securityGroupIds: [],
  instanceType: '',
  nodeCount: '2',
  managed: true,
  adminPrincipalArns: [],
  namespaces: '',
  deployPrincipalArns: '',
};

/** `subnetIds.1` / `subnetIds[1]` → `subnetIds`: errors on list items belong to the list's field. */
export const fieldOf = (path: string) => path.split(/[.[]/)[0] ?? path;

type FormFeatures = { adminPrincipalArns: boolean; namespaces: boolean; deployPrincipalArns: boolean };

export function toSettings(auth: AuthState, f: SettingsForm, features: FormFeatures): ClusterSettings {
  const nodeCount = f.nodeCount.trim() === '' ? Number.NaN : Number(f.nodeCount);
  const namespaces = f.namespaces.split(/[\s,]+/).filter(Boolean);
  const deployRoles = parseArnList(f.deployPrincipalArns);
  return {
    name: f.name.trim(),
    environmentScope: f.environmentScope.trim(),
    region: auth.registered?.region ?? auth.region,
    provisionRoleArn: auth.registered?.roleArn ?? auth.roleArn,
    serviceRoleArn: f.serviceRoleArn,
    ...(f.kubernetesVersion ? { kubernetesVersion: f.kubernetesVersion } : {}),
    // STANDARD is the API's default: sent only when it differs (an API without the setting still accepts the rest).
    ...(f.upgradePolicy === 'EXTENDED' ? { upgradePolicy: 'EXTENDED' as const } : {}),
    ...(f.keyName ? { keyName: f.keyName } : {}),
    vpcId: f.vpcId,
    subnetIds: f.subnetIds,
    securityGroupIds: f.securityGroupIds,
    instanceType: f.instanceType,
    // Not a number → sent as typed, so the API's message names the field.
    nodeCount: (Number.isFinite(nodeCount) ? nodeCount : f.nodeCount) as number,
    managed: f.managed,
    ...(features.adminPrincipalArns && f.adminPrincipalArns.length ? { adminPrincipalArns: f.adminPrincipalArns } : {}),
    ...(features.namespaces && f.managed && namespaces.length ? { namespaces } : {}),
    // Like namespaces: only for managed clusters (the field is hidden otherwise).
    ...(features.deployPrincipalArns && f.managed && deployRoles.length ? { deployPrincipalArns: deployRoles } : {}),
  };
}
