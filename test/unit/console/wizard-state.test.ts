/** The wizard's state across reloads, the remembered role B and "Edit and retry" (console/src/wizard/wizard-state.ts). */
import { describe, expect, it } from 'vitest';
import { EMPTY_SETTINGS, toSettings } from '../../../console/src/wizard/form.js';
import {
  clearWizard,
  editAndRetry,
  formFromSettings,
  type KeyValueStore,
  loadWizard,
  rememberRole,
  saveWizard,
} from '../../../console/src/wizard/wizard-state.js';

function store(): KeyValueStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
    removeItem: (k) => void data.delete(k),
  };
}

const ALL = { adminPrincipalArns: true, namespaces: true, deployPrincipalArns: true };
const ROLE = {
  roleArn: 'arn:aws:iam::222222222222:role/eks-provisioner-provision',
  region: 'us-east-1',
  accountId: '222222222222',
};

describe('wizard state', () => {
  it('a saved wizard comes back for its tenant only, and goes once a cluster is accepted', () => {
    const session = store();
    const local = store();
    const state = {
      step: 2,
      auth: { ...ROLE, registered: ROLE },
      form: { ...EMPTY_SETTINGS, name: 'demo', vpcId: 'vpc-0a1b2c3d' },
    };
    saveWizard(session, 'team-a', state);
    expect(loadWizard(session, local, 'team-a')).toEqual(state);
    expect(loadWizard(session, local, 'team-b')).toEqual({
      step: 0,
      auth: { roleArn: '', region: 'us-east-1' },
      form: EMPTY_SETTINGS,
    });
    clearWizard(session, 'team-a');
    expect(loadWizard(session, local, 'team-a').step).toBe(0);
  });

  it("remembers the tenant's role B (ARN and region only) for the next wizard", () => {
    const local = store();
    rememberRole(local, 'team-a', ROLE);
    expect([...local.data.values()]).toEqual([JSON.stringify({ roleArn: ROLE.roleArn, region: 'us-east-1' })]);
    expect(loadWizard(store(), local, 'team-a').auth).toEqual({ roleArn: ROLE.roleArn, region: 'us-east-1' });
  });

  it('a broken saved value is ignored, not thrown', () => {
    const session = store();
    session.setItem('eks-provisioner.wizard.team-a', '{not json');
    expect(loadWizard(session, store(), 'team-a').step).toBe(0);
  });

  it('Edit and retry: the record settings → the form → the same settings again', () => {
    const settings = {
      name: 'retry-me',
      environmentScope: 'production',
      region: 'us-east-1',
      provisionRoleArn: ROLE.roleArn,
      serviceRoleArn: 'arn:aws:iam::222222222222:role/eks-cluster-role',
      kubernetesVersion: '1.33',
      keyName: 'demo-key',
      vpcId: 'vpc-0a1b2c3d',
      subnetIds: ['subnet-1', 'subnet-2'],
      securityGroupIds: ['sg-1'],
      instanceType: 't3.medium',
      nodeCount: 3,
      managed: true,
      adminPrincipalArns: ['arn:aws:iam::222222222222:user/admin'],
      namespaces: ['production'],
      deployPrincipalArns: ['arn:aws:iam::222222222222:role/ci'],
    };
    const form = formFromSettings(settings);
    expect(toSettings({ roleArn: ROLE.roleArn, region: 'us-east-1' }, form, ALL)).toEqual(settings);
    const session = store();
    editAndRetry(session, 'team-a', settings, ROLE);
    const w = loadWizard(session, store(), 'team-a');
    expect(w.step).toBe(2);
    expect(w.auth.registered).toEqual(ROLE);
    expect(w.form.name).toBe('retry-me');
  });

  it('support policy: EXTENDED is sent and survives Edit and retry; STANDARD (the API default) is not sent', () => {
    const base = {
      name: 'p',
      environmentScope: '*',
      region: 'us-east-1',
      provisionRoleArn: ROLE.roleArn,
      serviceRoleArn: 'arn:aws:iam::222222222222:role/eks-cluster-role',
      vpcId: 'vpc-0a1b2c3d',
      subnetIds: ['subnet-1', 'subnet-2'],
      securityGroupIds: [],
      instanceType: 't3.medium',
      nodeCount: 2,
      managed: true,
    };
    const extended = formFromSettings({ ...base, upgradePolicy: 'EXTENDED' });
    expect(extended.upgradePolicy).toBe('EXTENDED');
    expect(toSettings({ roleArn: ROLE.roleArn, region: 'us-east-1' }, extended, ALL)).toEqual({
      ...base,
      upgradePolicy: 'EXTENDED',
    });
    const standard = formFromSettings({ ...base, upgradePolicy: 'STANDARD' });
    expect(standard.upgradePolicy).toBe('STANDARD');
    expect(toSettings({ roleArn: ROLE.roleArn, region: 'us-east-1' }, standard, ALL)).not.toHaveProperty(
      'upgradePolicy',
    );
    expect(EMPTY_SETTINGS.upgradePolicy).toBe('STANDARD');
  });
});
