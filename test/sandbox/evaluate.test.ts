import { describe, expect, it } from 'vitest';
import { productWorld } from '../../local/runner/product-world.js';
import {
  assumeRoleDeniedMessage,
  authorize,
  authorizeAssumeRole,
  ec2UnauthorizedMessage,
  notAuthorizedMessage,
  roleTrustsService,
  wildcardMatch,
} from '../../local/sandbox/iam/evaluate.js';
import type { IamRole, PolicyDocument, Principal, StsSession } from '../../local/sandbox/world/types.js';
import { World } from '../../local/sandbox/world/world.js';

function world(): World {
  return new World(productWorld());
}

function userPrincipal(w: World, account: string, name: string): Principal {
  const owner = w.findAccessKey(w.user(account, name)!.accessKeys[0]!.accessKeyId)!;
  return w.principalFor(owner)!;
}

function addRole(
  w: World,
  role: Partial<IamRole> & { name: string; accountId: string; trust: PolicyDocument },
): IamRole {
  const r: IamRole = {
    accountId: role.accountId,
    name: role.name,
    roleId: `AROA${role.name
      .toUpperCase()
      .replace(/[^A-Z]/g, '')
      .padEnd(17, 'X')
      .slice(0, 17)}`,
    arn: `arn:aws:iam::${role.accountId}:role/${role.name}`,
    path: '/',
    assumeRolePolicyDocument: role.trust,
    maxSessionDuration: 3600,
    inlinePolicies: role.inlinePolicies ?? {},
    attachedPolicyArns: role.attachedPolicyArns ?? [],
    tags: {},
    createDate: new Date().toISOString(),
  };
  w.data.roles.push(r);
  return r;
}

function sessionPrincipal(role: IamRole, sessionPolicy?: PolicyDocument): Principal {
  const session: StsSession = {
    accessKeyId: 'ASIATESTTESTTEST0001',
    secretAccessKey: 's',
    sessionToken: 't',
    accountId: role.accountId,
    roleArn: role.arn,
    roleName: role.name,
    roleId: role.roleId,
    sessionName: 'test',
    assumedRoleArn: `arn:aws:sts::${role.accountId}:assumed-role/${role.name}/test`,
    expiration: new Date(Date.now() + 3600_000).toISOString(),
    sessionPolicy,
    sourceArn: 'x',
  };
  return {
    kind: 'assumed-role',
    accountId: role.accountId,
    arn: session.assumedRoleArn,
    userId: `${role.roleId}:test`,
    role,
    session,
    accessKeyId: session.accessKeyId,
  };
}

const trustService = (account: string, externalId?: string): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${account}:root` },
      Action: 'sts:AssumeRole',
      ...(externalId ? { Condition: { StringEquals: { 'sts:ExternalId': externalId } } } : {}),
    },
  ],
});

describe('wildcardMatch', () => {
  it('matches * and ? and escapes regex characters', () => {
    expect(
      wildcardMatch('arn:aws:iam::*:role/eks-provisioner-*', 'arn:aws:iam::222222222222:role/eks-provisioner-b'),
    ).toBe(true);
    expect(wildcardMatch('arn:aws:iam::*:role/eks-provisioner-*', 'arn:aws:iam::222222222222:role/other')).toBe(false);
    expect(wildcardMatch('ec2:Describe?pcs', 'ec2:DescribeVpcs')).toBe(true);
    expect(wildcardMatch('a.b', 'axb')).toBe(false);
    expect(wildcardMatch('EC2:describe*', 'ec2:DescribeVpcs', true)).toBe(true);
  });
});

describe('authorize (identity policies)', () => {
  it('allows the service user sts:AssumeRole only on eks-provisioner-* roles', () => {
    const w = world();
    const p = userPrincipal(w, '111111111111', 'eks-provisioner');
    expect(authorize(w, p, 'sts:AssumeRole', 'arn:aws:iam::222222222222:role/eks-provisioner-provision').allowed).toBe(
      true,
    );
    const denied = authorize(w, p, 'sts:AssumeRole', 'arn:aws:iam::222222222222:role/admin');
    expect(denied).toMatchObject({ allowed: false, decision: 'implicit-deny', policyType: 'identity' });
    expect(authorize(w, p, 'ec2:DescribeVpcs', '*').allowed).toBe(false);
  });

  it('allows AdministratorAccess everything through the attached managed policy', () => {
    const w = world();
    const p = userPrincipal(w, '222222222222', 'admin');
    expect(authorize(w, p, 'iam:CreateRole', 'arn:aws:iam::222222222222:role/x').allowed).toBe(true);
    w.user('222222222222', 'admin')!.attachedPolicyArns = [];
    expect(authorize(w, p, 'iam:CreateRole', 'arn:aws:iam::222222222222:role/x').allowed).toBe(false);
  });

  it('lets an explicit Deny win over Allow, with NotAction and NotResource', () => {
    const w = world();
    const role = addRole(w, {
      name: 'r',
      accountId: '222222222222',
      trust: trustService('222222222222'),
      inlinePolicies: {
        p: {
          Statement: [
            { Effect: 'Allow', Action: '*', Resource: '*' },
            { Effect: 'Deny', Action: 'ec2:DescribeSecurityGroups', Resource: '*' },
            { Effect: 'Deny', NotAction: ['ec2:*', 'iam:*', 'eks:*'], Resource: '*' },
            { Effect: 'Deny', Action: 'iam:DeleteRole', NotResource: 'arn:aws:iam::222222222222:role/tmp-*' },
          ],
        },
      },
    });
    const p = sessionPrincipal(role);
    expect(authorize(w, p, 'ec2:DescribeVpcs', '*').allowed).toBe(true);
    expect(authorize(w, p, 'ec2:DescribeSecurityGroups', '*')).toMatchObject({
      allowed: false,
      decision: 'explicit-deny',
    });
    expect(authorize(w, p, 'cloudformation:CreateStack', '*')).toMatchObject({
      allowed: false,
      decision: 'explicit-deny',
    });
    expect(authorize(w, p, 'iam:DeleteRole', 'arn:aws:iam::222222222222:role/tmp-1').allowed).toBe(true);
    expect(authorize(w, p, 'iam:DeleteRole', 'arn:aws:iam::222222222222:role/keep').allowed).toBe(false);
  });

  it('evaluates iam:PassedToService, aws:RequestedRegion, IfExists, Bool and negated operators', () => {
    const w = world();
    const role = addRole(w, {
      name: 'cond',
      accountId: '222222222222',
      trust: trustService('222222222222'),
      inlinePolicies: {
        p: {
          Statement: [
            {
              Effect: 'Allow',
              Action: 'iam:PassRole',
              Resource: '*',
              Condition: { StringEquals: { 'iam:PassedToService': 'eks.amazonaws.com' } },
            },
            {
              Effect: 'Allow',
              Action: 'ec2:*',
              Resource: '*',
              Condition: { StringEquals: { 'aws:RequestedRegion': ['us-east-1', 'us-west-2'] } },
            },
            {
              Effect: 'Allow',
              Action: 'eks:*',
              Resource: '*',
              Condition: { StringLikeIfExists: { 'eks:clusterName': 'demo-*' } },
            },
            {
              Effect: 'Allow',
              Action: 's3:GetObject',
              Resource: '*',
              Condition: { Bool: { 'aws:SecureTransport': 'true' } },
            },
            {
              Effect: 'Deny',
              Action: 'ec2:DescribeKeyPairs',
              Resource: '*',
              Condition: { StringNotEquals: { 'aws:RequestedRegion': 'us-east-1' } },
            },
            {
              Effect: 'Allow',
              Action: 'cloudformation:*',
              Resource: '*',
              Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::222222222222:role/co*' } },
            },
          ],
        },
      },
    });
    const p = sessionPrincipal(role);
    expect(
      authorize(w, p, 'iam:PassRole', 'arn:aws:iam::222222222222:role/eks-cluster-role', {
        keys: { 'iam:PassedToService': 'eks.amazonaws.com' },
      }).allowed,
    ).toBe(true);
    expect(
      authorize(w, p, 'iam:PassRole', 'arn:aws:iam::222222222222:role/eks-cluster-role', {
        keys: { 'iam:PassedToService': 'ec2.amazonaws.com' },
      }).allowed,
    ).toBe(false);
    expect(authorize(w, p, 'iam:PassRole', 'arn:aws:iam::222222222222:role/eks-cluster-role').allowed).toBe(false);
    expect(authorize(w, p, 'ec2:DescribeVpcs', '*', { region: 'us-west-2' }).allowed).toBe(true);
    expect(authorize(w, p, 'ec2:DescribeVpcs', '*', { region: 'eu-west-1' }).allowed).toBe(false);
    expect(authorize(w, p, 'ec2:DescribeKeyPairs', '*', { region: 'us-west-2' }).decision).toBe('explicit-deny');
    expect(authorize(w, p, 'ec2:DescribeKeyPairs', '*', { region: 'us-east-1' }).allowed).toBe(true);
    expect(authorize(w, p, 'eks:DescribeCluster', '*').allowed).toBe(true);
    expect(authorize(w, p, 'eks:DescribeCluster', '*', { keys: { 'eks:clusterName': 'demo-1' } }).allowed).toBe(true);
    expect(authorize(w, p, 'eks:DescribeCluster', '*', { keys: { 'eks:clusterName': 'prod' } }).allowed).toBe(false);
    expect(authorize(w, p, 's3:GetObject', '*', { keys: { 'aws:SecureTransport': true } }).allowed).toBe(true);
    expect(authorize(w, p, 's3:GetObject', '*', { keys: { 'aws:SecureTransport': false } }).allowed).toBe(false);
    expect(authorize(w, p, 'cloudformation:CreateStack', '*').allowed).toBe(true);
  });

  it('intersects a session policy with the role policies', () => {
    const w = world();
    const role = addRole(w, {
      name: 'wide',
      accountId: '222222222222',
      trust: trustService('222222222222'),
      attachedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'],
    });
    const p = sessionPrincipal(role, { Statement: [{ Effect: 'Allow', Action: 'ec2:Describe*', Resource: '*' }] });
    expect(authorize(w, p, 'ec2:DescribeSubnets', '*').allowed).toBe(true);
    expect(authorize(w, p, 'iam:CreateRole', '*')).toMatchObject({ allowed: false, policyType: 'session' });
  });
});

describe('authorizeAssumeRole (trust policies)', () => {
  it('needs both the trust policy (with External ID) and the caller identity policy across accounts', () => {
    const w = world();
    const roleB = addRole(w, {
      name: 'eks-provisioner-provision',
      accountId: '222222222222',
      trust: trustService('111111111111', 'tenant-ext-id'),
    });
    const svc = userPrincipal(w, '111111111111', 'eks-provisioner');
    expect(authorizeAssumeRole(w, svc, roleB, { keys: { 'sts:ExternalId': 'tenant-ext-id' } }).allowed).toBe(true);
    expect(authorizeAssumeRole(w, svc, roleB, { keys: { 'sts:ExternalId': 'wrong' } })).toMatchObject({
      allowed: false,
      policyType: 'trust',
    });
    expect(authorizeAssumeRole(w, svc, roleB, {})).toMatchObject({ allowed: false, policyType: 'trust' });

    const other = addRole(w, { name: 'other-role', accountId: '222222222222', trust: trustService('111111111111') });
    // Trust allows, but the service user's identity policy only covers eks-provisioner-* roles.
    expect(authorizeAssumeRole(w, svc, other)).toMatchObject({ allowed: false, policyType: 'identity' });
  });

  it('rejects callers from an account the trust policy does not name; honours trust Deny and direct principals', () => {
    const w = world();
    const roleB = addRole(w, {
      name: 'eks-provisioner-x',
      accountId: '222222222222',
      trust: trustService('333333333333'),
    });
    const svc = userPrincipal(w, '111111111111', 'eks-provisioner');
    expect(authorizeAssumeRole(w, svc, roleB).allowed).toBe(false);

    const direct = addRole(w, {
      name: 'direct',
      accountId: '222222222222',
      trust: {
        Statement: [
          { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::222222222222:user/admin' }, Action: 'sts:AssumeRole' },
        ],
      },
    });
    const admin = userPrincipal(w, '222222222222', 'admin');
    w.user('222222222222', 'admin')!.attachedPolicyArns = []; // no identity permission needed when named directly, same account
    expect(authorizeAssumeRole(w, admin, direct).allowed).toBe(true);

    const denied = addRole(w, {
      name: 'eks-provisioner-denied',
      accountId: '222222222222',
      trust: {
        Statement: [
          { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' },
          { Effect: 'Deny', Principal: { AWS: '111111111111' }, Action: 'sts:*' },
        ],
      },
    });
    expect(authorizeAssumeRole(w, svc, denied)).toMatchObject({
      allowed: false,
      decision: 'explicit-deny',
      policyType: 'trust',
    });
  });

  it('lets a service principal assume a role that trusts it', () => {
    const w = world();
    expect(roleTrustsService(w, w.role('222222222222', 'eks-cluster-role')!, 'eks.amazonaws.com')).toBe(true);
    expect(roleTrustsService(w, w.role('222222222222', 'eks-cluster-role')!, 'ec2.amazonaws.com')).toBe(false);
  });
});

describe('AWS error text', () => {
  it('words denials as AWS does', () => {
    const w = world();
    const svc = userPrincipal(w, '111111111111', 'eks-provisioner');
    expect(assumeRoleDeniedMessage(svc, 'arn:aws:iam::222222222222:role/x')).toBe(
      'User: arn:aws:iam::111111111111:user/eks-provisioner is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::222222222222:role/x',
    );
    const r = authorize(w, svc, 'ec2:DescribeSecurityGroups', '*');
    expect(ec2UnauthorizedMessage(svc, 'ec2:DescribeSecurityGroups', r)).toBe(
      'You are not authorized to perform this operation. User: arn:aws:iam::111111111111:user/eks-provisioner is not authorized to perform: ec2:DescribeSecurityGroups because no identity-based policy allows the ec2:DescribeSecurityGroups action',
    );
    expect(
      notAuthorizedMessage(svc, 'iam:GetRole', 'arn:aws:iam::111111111111:role/a', {
        allowed: false,
        decision: 'explicit-deny',
        policyType: 'identity',
        reason: '',
      }),
    ).toBe(
      'User: arn:aws:iam::111111111111:user/eks-provisioner is not authorized to perform: iam:GetRole on resource: arn:aws:iam::111111111111:role/a with an explicit deny in an identity-based policy',
    );
  });
});
