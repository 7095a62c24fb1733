/**
 * The wizard survives a reload: its step, role and settings are kept in this tab's sessionStorage per
 * tenant; the tenant's last authenticated role B (ARN and region, no credential) is remembered in
 * localStorage. "Edit and retry" on a FAILED cluster opens the wizard with that cluster's settings.
 * DOM-free (storage is passed in), unit-tested in Node.
 */
import type { ClusterSettings, RegisteredRole } from '../api/types';
import { type AuthState, EMPTY_SETTINGS, type SettingsForm } from './form';

export interface WizardState {
  step: number;
  auth: AuthState;
  form: SettingsForm;
}

/** The part of the Web Storage API used here. */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

const wizardKey = (tenant: string) => `eks-provisioner.wizard.${tenant}`;
const roleKey = (tenant: string) => `eks-provisioner.role.${tenant}`;

export const INITIAL_AUTH: AuthState = { roleArn: '', region: 'us-east-1' };

const isString = (v: unknown): v is string => typeof v === 'string';

function readJson(store: KeyValueStore, key: string): unknown {
  try {
    const text = store.getItem(key);
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

/** What the wizard starts with for this tenant: the saved wizard, else the remembered role B, else empty. */
export function loadWizard(session: KeyValueStore, local: KeyValueStore, tenant: string): WizardState {
  const saved = readJson(session, wizardKey(tenant)) as Partial<WizardState> | undefined;
  if (
    saved &&
    typeof saved.step === 'number' &&
    saved.auth &&
    isString(saved.auth.roleArn) &&
    saved.form &&
    isString(saved.form.name)
  ) {
    return { step: Math.max(0, Math.min(3, saved.step)), auth: saved.auth, form: { ...EMPTY_SETTINGS, ...saved.form } };
  }
  const role = readJson(local, roleKey(tenant)) as Partial<RegisteredRole> | undefined;
  const auth =
    role && isString(role.roleArn) && isString(role.region)
      ? { roleArn: role.roleArn, region: role.region }
      : INITIAL_AUTH;
  return { step: 0, auth, form: EMPTY_SETTINGS };
}

export function saveWizard(session: KeyValueStore, tenant: string, s: WizardState): void {
  try {
    session.setItem(wizardKey(tenant), JSON.stringify(s));
  } catch {
    // Storage full or disabled: the wizard still works, it just does not survive a reload.
  }
}

/** After a cluster is accepted the next visit starts fresh (the role B stays remembered). */
export function clearWizard(session: KeyValueStore, tenant: string): void {
  session.removeItem(wizardKey(tenant));
}

export function rememberRole(local: KeyValueStore, tenant: string, role: RegisteredRole): void {
  try {
    local.setItem(roleKey(tenant), JSON.stringify({ roleArn: role.roleArn, region: role.region }));
  } catch {
    // As above.
  }
}

/** A cluster record's settings → the form (the inverse of toSettings), for "Edit and retry". */
export function formFromSettings(s: Partial<ClusterSettings> & Record<string, unknown>): SettingsForm {
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter(isString) : []);
  return {
    ...EMPTY_SETTINGS,
    name: isString(s.name) ? s.name : '',
    environmentScope: isString(s.environmentScope) ? s.environmentScope : '*',
    serviceRoleArn: isString(s.serviceRoleArn) ? s.serviceRoleArn : '',
    kubernetesVersion: isString(s.kubernetesVersion) ? s.kubernetesVersion : '',
    upgradePolicy: s['upgradePolicy'] === 'EXTENDED' ? 'EXTENDED' : 'STANDARD',
    keyName: isString(s.keyName) ? s.keyName : '',
    vpcId: isString(s.vpcId) ? s.vpcId : '',
    subnetIds: strings(s.subnetIds),
    securityGroupIds: strings(s.securityGroupIds),
    instanceType: isString(s.instanceType) ? s.instanceType : '',
    nodeCount: typeof s.nodeCount === 'number' ? String(s.nodeCount) : EMPTY_SETTINGS.nodeCount,
    managed: s.managed !== false,
    adminPrincipalArns: strings(s.adminPrincipalArns),
    namespaces: strings(s.namespaces).join(', '),
    deployPrincipalArns: strings(s.deployPrincipalArns).join('\n'),
    // The administrators are the failed cluster's: nobody is added again.
    requesterProposed: true,
  };
}

/** "Edit and retry": the wizard opens on the settings step with the record's settings (role B authenticated again there if needed). */
export function editAndRetry(
  session: KeyValueStore,
  tenant: string,
  settings: Partial<ClusterSettings> & Record<string, unknown>,
  registered?: RegisteredRole,
): void {
  const roleArn = isString(settings.provisionRoleArn) ? settings.provisionRoleArn : '';
  const region = isString(settings.region) ? settings.region : INITIAL_AUTH.region;
  saveWizard(session, tenant, {
    step: registered ? 2 : 1,
    auth: { roleArn, region, ...(registered ? { registered } : {}) },
    form: formFromSettings(settings),
  });
}
