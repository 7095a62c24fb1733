/** adminPrincipalArns / deployPrincipalArns / namespaces: the rules EKS access entries and Kubernetes impose. */
import { describe, expect, it } from 'vitest';
import demo from '../../../events/create-cluster.json' with { type: 'json' };
import { clusterAccess } from '../../../functions/lib/kubernetes/access.js';
import { managedNamespaces, namespaceFromScope } from '../../../functions/lib/kubernetes/namespaces.js';
import { type ParseResult, parseClusterSettings } from '../../../functions/lib/schema/cluster-settings.js';

const opts = { roleNamePrefix: 'eks-provisioner-' };
const ROLE_B = demo.cluster.provisionRoleArn;
const parse = (patch: Record<string, unknown>) =>
  parseClusterSettings({ ...structuredClone(demo.cluster), ...patch }, opts);
const fields = (r: ParseResult) => (r.ok ? [] : (r.diagnosis.fields ?? []));

describe('cluster access settings', () => {
  it('an admin principal equal to role B is a field error (the creator already has the one access entry EKS allows)', () => {
    const r = parse({ adminPrincipalArns: ['arn:aws:iam::222222222222:user/admin', ROLE_B] });
    expect(fields(r)).toEqual([
      { path: 'adminPrincipalArns[1]', message: expect.stringContaining('is the provision role (role B)') },
    ]);
    // A path does not make it another role for EKS.
    const withPath = parse({ adminPrincipalArns: [ROLE_B.replace(':role/', ':role/team/')] });
    expect(fields(withPath).map((f) => f.path)).toEqual(['adminPrincipalArns[0]']);
  });

  it('deploy roles: IAM roles only, not role B, not also admins, and only on managed clusters', () => {
    expect(fields(parse({ deployPrincipalArns: ['arn:aws:iam::222222222222:user/ci'] })).map((f) => f.path)).toEqual([
      'deployPrincipalArns[0]',
    ]);
    expect(fields(parse({ deployPrincipalArns: [ROLE_B] }))[0]?.message).toContain('is the provision role');
    const both = 'arn:aws:iam::222222222222:role/ci';
    expect(fields(parse({ adminPrincipalArns: [both], deployPrincipalArns: [both] }))).toEqual([
      { path: 'deployPrincipalArns[0]', message: expect.stringContaining('also in adminPrincipalArns') },
    ]);
    expect(fields(parse({ managed: false, deployPrincipalArns: [both] }))[0]).toMatchObject({
      path: 'deployPrincipalArns',
      message: expect.stringContaining('needs managed: true'),
    });
    expect(parse({ deployPrincipalArns: [both] }).ok).toBe(true);
  });

  it('namespaces: Kubernetes names, not reserved, no duplicates; derived from environmentScope when left out', () => {
    expect(fields(parse({ namespaces: ['Prod'] })).map((f) => f.path)).toEqual(['namespaces[0]']);
    expect(fields(parse({ namespaces: ['kube-apps'] }))[0]?.message).toContain('reserved');
    expect(fields(parse({ namespaces: ['a', 'a'] }))[0]?.message).toContain('twice');
    expect(parse({ namespaces: ['production', 'staging'] }).ok).toBe(true);
    expect(['*', 'production', 'review/*', 'Staging EU', 'kube-system', 'default'].map(namespaceFromScope)).toEqual([
      'apps',
      'production',
      'review',
      'staging-eu',
      'apps',
      'apps',
    ]);
    expect(managedNamespaces({ managed: true, environmentScope: 'review/*' })).toEqual(['review']);
    expect(managedNamespaces({ managed: true, environmentScope: '*', namespaces: ['a', 'b'] })).toEqual(['a', 'b']);
    expect(managedNamespaces({ managed: false, environmentScope: '*', namespaces: ['a'] })).toEqual([]);
  });

  it('who has access: role B (creator), admins, deploy roles in the managed namespaces', () => {
    const r = parse({
      environmentScope: 'production',
      adminPrincipalArns: ['arn:aws:iam::222222222222:user/admin'],
      deployPrincipalArns: ['arn:aws:iam::222222222222:role/ci'],
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(clusterAccess(r.settings)).toEqual([
      { principalArn: ROLE_B, access: 'cluster-admin', source: 'creator' },
      { principalArn: 'arn:aws:iam::222222222222:user/admin', access: 'cluster-admin', source: 'adminPrincipalArns' },
      {
        principalArn: 'arn:aws:iam::222222222222:role/ci',
        access: 'edit',
        namespaces: ['production'],
        source: 'deployPrincipalArns',
      },
    ]);
  });
});
