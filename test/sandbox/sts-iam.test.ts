import { DescribeSecurityGroupsCommand, DescribeSubnetsCommand, DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  CreateServiceLinkedRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetPolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../local/sandbox/server.js';
import { MALFORMED_TRUST_POLICIES } from '../support/trust-policy-corpus.js';
import { clients, customerCreds, failure, serviceCreds, start } from './helpers.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await start();
});
afterAll(async () => {
  await sb.stop();
});
beforeEach(() => sb.world.reset());

const TRUST = (externalId: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::111111111111:root' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': externalId } },
      },
    ],
  });

const ROLE_B = 'arn:aws:iam::222222222222:role/eks-provisioner-provision';

/** The demo's set-up: the customer admin creates role B through the IAM API. */
async function createRoleB(
  permissions: object = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['ec2:Describe*', 'eks:*', 'cloudformation:*', 'iam:PassRole', 'iam:GetRole'],
        Resource: '*',
      },
    ],
  },
) {
  const { iam } = clients(sb, customerCreds);
  await iam.send(
    new CreateRoleCommand({
      RoleName: 'eks-provisioner-provision',
      AssumeRolePolicyDocument: TRUST('ext-123'),
      MaxSessionDuration: 7200,
    }),
  );
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: 'eks-provisioner-provision',
      PolicyName: 'provision',
      PolicyDocument: JSON.stringify(permissions),
    }),
  );
}

describe('STS', () => {
  it('GetCallerIdentity names the key owner', async () => {
    const out = await clients(sb, serviceCreds).sts.send(new GetCallerIdentityCommand({}));
    expect(out).toMatchObject({
      Account: '111111111111',
      Arn: 'arn:aws:iam::111111111111:user/eks-provisioner',
      UserId: 'AIDAEKSPROVISIONER01',
    });
  });

  it('rejects unknown access keys the way each service does', async () => {
    const bad = { accessKeyId: 'AKIAUNKNOWNUNKNOWN00', secretAccessKey: 'x' };
    const c = clients(sb, bad);
    const sts = await failure(c.sts.send(new GetCallerIdentityCommand({})));
    expect(sts.name).toBe('InvalidClientTokenId');
    expect(sts.message).toBe('The security token included in the request is invalid.');
    expect(sts.$metadata?.httpStatusCode).toBe(403);
    expect((await failure(c.ec2.send(new DescribeVpcsCommand({})))).name).toBe('AuthFailure');
  });

  it('verifies signatures: a wrong secret key fails as each service fails it', async () => {
    const c = clients(sb, { accessKeyId: customerCreds.accessKeyId, secretAccessKey: 'not-the-secret' });
    const sts = await failure(c.sts.send(new GetCallerIdentityCommand({})));
    expect(sts.name).toBe('SignatureDoesNotMatch');
    expect(sts.message).toContain(
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key',
    );
    expect((await failure(c.ec2.send(new DescribeVpcsCommand({})))).name).toBe('AuthFailure');
    const { ListClustersCommand, DescribeAccessEntryCommand } = await import('@aws-sdk/client-eks');
    expect((await failure(c.eks.send(new ListClustersCommand({})))).name).toBe('InvalidSignatureException');
    // A path label with characters that need encoding (an ARN) still verifies with the right secret.
    const good = clients(sb, customerCreds);
    const err = await failure(
      good.eks.send(
        new DescribeAccessEntryCommand({ clusterName: 'none', principalArn: 'arn:aws:iam::222222222222:role/a b+c' }),
      ),
    );
    expect(err.name).toBe('ResourceNotFoundException');
    const { ListEventBusesCommand } = await import('@aws-sdk/client-eventbridge');
    expect((await failure(c.events.send(new ListEventBusesCommand({})))).name).toBe('InvalidSignatureException');
    // A body with characters that need care (space, plus, non-ASCII) verifies too. (A NamePrefix with a space
    // would be refused by the model's pattern, as AWS refuses it.)
    const { CreateEventBusCommand } = await import('@aws-sdk/client-eventbridge');
    await good.events.send(new CreateEventBusCommand({ Name: 'signature-check', Description: 'd e + ü' }));
  });

  it('AssumeRole with the External ID returns working session credentials', async () => {
    await createRoleB();
    const out = await clients(sb, serviceCreds).sts.send(
      new AssumeRoleCommand({
        RoleArn: ROLE_B,
        RoleSessionName: 'provision-1',
        ExternalId: 'ext-123',
        DurationSeconds: 900,
      }),
    );
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA/);
    expect(out.Credentials?.Expiration?.getTime()).toBeGreaterThan(Date.now() + 800_000);
    expect(out.AssumedRoleUser?.Arn).toBe(
      'arn:aws:sts::222222222222:assumed-role/eks-provisioner-provision/provision-1',
    );
    const session = clients(sb, {
      accessKeyId: out.Credentials!.AccessKeyId!,
      secretAccessKey: out.Credentials!.SecretAccessKey!,
      sessionToken: out.Credentials!.SessionToken!,
    });
    const who = await session.sts.send(new GetCallerIdentityCommand({}));
    expect(who.Arn).toBe('arn:aws:sts::222222222222:assumed-role/eks-provisioner-provision/provision-1');
    expect(who.UserId).toMatch(/^AROA.*:provision-1$/);
    const subnets = await session.ec2.send(new DescribeSubnetsCommand({}));
    expect(subnets.Subnets).toHaveLength(4);
  });

  it('denies AssumeRole without or with a wrong External ID, in AWS wording', async () => {
    await createRoleB();
    const { sts } = clients(sb, serviceCreds);
    const message = `User: arn:aws:iam::111111111111:user/eks-provisioner is not authorized to perform: sts:AssumeRole on resource: ${ROLE_B}`;
    for (const ExternalId of [undefined, 'wrong-id']) {
      const err = await failure(
        sts.send(new AssumeRoleCommand({ RoleArn: ROLE_B, RoleSessionName: 's1', ExternalId })),
      );
      expect(err.name).toBe('AccessDenied');
      expect(err.message).toBe(message);
      expect(err.$metadata?.httpStatusCode).toBe(403);
    }
  });

  it('denies roles outside the service credentials pattern and roles that do not exist', async () => {
    const { iam } = clients(sb, customerCreds);
    await iam.send(new CreateRoleCommand({ RoleName: 'custom-provision', AssumeRolePolicyDocument: TRUST('ext-123') }));
    const { sts } = clients(sb, serviceCreds);
    const err = await failure(
      sts.send(
        new AssumeRoleCommand({
          RoleArn: 'arn:aws:iam::222222222222:role/custom-provision',
          RoleSessionName: 's1',
          ExternalId: 'ext-123',
        }),
      ),
    );
    expect(err.name).toBe('AccessDenied');
    const missing = await failure(
      sts.send(
        new AssumeRoleCommand({
          RoleArn: 'arn:aws:iam::222222222222:role/eks-provisioner-nope',
          RoleSessionName: 's1',
          ExternalId: 'ext-123',
        }),
      ),
    );
    expect(missing.name).toBe('AccessDenied');
  });

  it('answers a region not enabled for the account as an invalid token', async () => {
    await createRoleB();
    const err = await failure(
      clients(sb, serviceCreds, 'ap-east-1').sts.send(
        new AssumeRoleCommand({ RoleArn: ROLE_B, RoleSessionName: 's1', ExternalId: 'ext-123' }),
      ),
    );
    expect(err.name).toBe('InvalidClientTokenId');
  });

  it('fails with RegionDisabledException where the role account deactivated STS in the region', async () => {
    await createRoleB();
    sb.world.account('222222222222')!.stsInactiveRegions = ['us-west-2'];
    const west = await failure(
      clients(sb, serviceCreds, 'us-west-2').sts.send(
        new AssumeRoleCommand({ RoleArn: ROLE_B, RoleSessionName: 's1', ExternalId: 'ext-123' }),
      ),
    );
    expect(west.name).toBe('RegionDisabledException');
    expect(west.message).toBe(
      'STS is not activated in this region for account:222222222222. Your account administrator can activate STS in this region using the IAM Console.',
    );
    expect(west.$metadata?.httpStatusCode).toBe(403);
    await clients(sb, serviceCreds, 'us-east-1').sts.send(
      new AssumeRoleCommand({ RoleArn: ROLE_B, RoleSessionName: 's1', ExternalId: 'ext-123' }),
    );
  });

  it('validates durations and session names', async () => {
    await createRoleB();
    const { sts } = clients(sb, serviceCreds);
    const call = (o: { DurationSeconds?: number; RoleSessionName?: string }) =>
      failure(sts.send(new AssumeRoleCommand({ RoleArn: ROLE_B, RoleSessionName: 's1', ExternalId: 'ext-123', ...o })));
    const short = await call({ DurationSeconds: 899 });
    expect(short.name).toBe('ValidationError');
    expect(short.message).toBe(
      "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
    );
    const long = await call({ DurationSeconds: 10_800 });
    expect(long.message).toBe('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
    expect((await call({ DurationSeconds: 43_201 })).message).toContain('less than or equal to 43200');
    const badName = await call({ RoleSessionName: 'has space' });
    expect(badName.message).toContain(
      "at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern",
    );
    expect((await call({ RoleSessionName: 'x' })).message).toContain('length greater than or equal to 2');
  });

  it('expires session credentials (ExpiredToken) and applies session policies', async () => {
    await createRoleB();
    const { sts } = clients(sb, serviceCreds);
    const out = await sts.send(
      new AssumeRoleCommand({
        RoleArn: ROLE_B,
        RoleSessionName: 's1',
        ExternalId: 'ext-123',
        DurationSeconds: 900,
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'ec2:DescribeVpcs', Resource: '*' }],
        }),
      }),
    );
    const creds = {
      accessKeyId: out.Credentials!.AccessKeyId!,
      secretAccessKey: out.Credentials!.SecretAccessKey!,
      sessionToken: out.Credentials!.SessionToken!,
    };
    const session = clients(sb, creds);
    await session.ec2.send(new DescribeVpcsCommand({}));
    const denied = await failure(session.ec2.send(new DescribeSubnetsCommand({})));
    expect(denied.name).toBe('UnauthorizedOperation');
    expect(denied.message).toContain('because no session policy allows the ec2:DescribeSubnets action');

    const wrongToken = await failure(
      clients(sb, { ...creds, sessionToken: 'forged' }).sts.send(new GetCallerIdentityCommand({})),
    );
    expect(wrongToken.name).toBe('InvalidClientTokenId');

    sb.world.advanceClock(901_000);
    const expired = await failure(session.sts.send(new GetCallerIdentityCommand({})));
    expect(expired.name).toBe('ExpiredToken');
    expect(expired.message).toBe('The security token included in the request is expired');
    expect((await failure(session.ec2.send(new DescribeVpcsCommand({})))).name).toBe('RequestExpired');
  });

  it('reproduces SECURITY_GROUPS_NOT_LOADED: role B without ec2:DescribeSecurityGroups', async () => {
    await createRoleB({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['ec2:DescribeVpcs', 'ec2:DescribeSubnets'], Resource: '*' }],
    });
    const out = await clients(sb, serviceCreds).sts.send(
      new AssumeRoleCommand({ RoleArn: ROLE_B, RoleSessionName: 's1', ExternalId: 'ext-123' }),
    );
    const session = clients(sb, {
      accessKeyId: out.Credentials!.AccessKeyId!,
      secretAccessKey: out.Credentials!.SecretAccessKey!,
      sessionToken: out.Credentials!.SessionToken!,
    });
    const err = await failure(
      session.ec2.send(
        new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: ['vpc-0a1b2c3d4e5f60001'] }] }),
      ),
    );
    expect(err.name).toBe('UnauthorizedOperation');
    expect(err.message).toBe(
      'You are not authorized to perform this operation. User: arn:aws:sts::222222222222:assumed-role/eks-provisioner-provision/s1 is not authorized to perform: ec2:DescribeSecurityGroups because no identity-based policy allows the ec2:DescribeSecurityGroups action',
    );
    expect(err.$metadata?.httpStatusCode).toBe(403);
  });
});

describe('IAM', () => {
  it('creates, reads, lists and deletes roles with inline and managed policies', async () => {
    const { iam } = clients(sb, customerCreds);
    const created = await iam.send(
      new CreateRoleCommand({
        RoleName: 'eks-provisioner-provision',
        AssumeRolePolicyDocument: TRUST('e1'),
        Description: 'role B',
        Tags: [{ Key: 'team', Value: 'platform' }],
      }),
    );
    expect(created.Role?.Arn).toBe(ROLE_B);
    expect(created.Role?.RoleId).toMatch(/^AROA/);
    const got = await iam.send(new GetRoleCommand({ RoleName: 'eks-provisioner-provision' }));
    expect(JSON.parse(decodeURIComponent(got.Role!.AssumeRolePolicyDocument!))).toEqual(JSON.parse(TRUST('e1')));
    expect(got.Role?.Tags).toEqual([{ Key: 'team', Value: 'platform' }]);

    const dup = await failure(
      iam.send(new CreateRoleCommand({ RoleName: 'eks-provisioner-provision', AssumeRolePolicyDocument: TRUST('e1') })),
    );
    expect(dup.name).toBe('EntityAlreadyExistsException');
    expect(dup.message).toBe('Role with name eks-provisioner-provision already exists.');

    const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ec2:DescribeVpcs', Resource: '*' }] };
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'eks-provisioner-provision',
        PolicyName: 'p1',
        PolicyDocument: JSON.stringify(doc),
      }),
    );
    const inline = await iam.send(
      new GetRolePolicyCommand({ RoleName: 'eks-provisioner-provision', PolicyName: 'p1' }),
    );
    expect(JSON.parse(decodeURIComponent(inline.PolicyDocument!))).toEqual(doc);
    expect(
      (await iam.send(new ListRolePoliciesCommand({ RoleName: 'eks-provisioner-provision' }))).PolicyNames,
    ).toEqual(['p1']);

    await iam.send(
      new AttachRolePolicyCommand({
        RoleName: 'eks-provisioner-provision',
        PolicyArn: 'arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy',
      }),
    );
    const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'eks-provisioner-provision' }));
    expect(attached.AttachedPolicies).toEqual([
      {
        PolicyName: 'AmazonEBSCSIDriverPolicy',
        PolicyArn: 'arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy',
      },
    ]);
    const missing = await failure(
      iam.send(
        new AttachRolePolicyCommand({
          RoleName: 'eks-provisioner-provision',
          PolicyArn: 'arn:aws:iam::aws:policy/NoSuchPolicy',
        }),
      ),
    );
    expect(missing.name).toBe('NoSuchEntityException');
    expect(missing.message).toBe('Policy arn:aws:iam::aws:policy/NoSuchPolicy does not exist or is not attachable.');

    const conflict = await failure(iam.send(new DeleteRoleCommand({ RoleName: 'eks-provisioner-provision' })));
    expect(conflict.name).toBe('DeleteConflictException');
    await iam.send(
      new DetachRolePolicyCommand({
        RoleName: 'eks-provisioner-provision',
        PolicyArn: 'arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy',
      }),
    );
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'eks-provisioner-provision', PolicyName: 'p1' }));
    await iam.send(new DeleteRoleCommand({ RoleName: 'eks-provisioner-provision' }));
    const gone = await failure(iam.send(new GetRoleCommand({ RoleName: 'eks-provisioner-provision' })));
    expect(gone.name).toBe('NoSuchEntityException');
    expect(gone.message).toBe('The role with name eks-provisioner-provision cannot be found.');
    expect(gone.$metadata?.httpStatusCode).toBe(404);
  });

  it('knows the AWS managed policies the cluster template uses', async () => {
    const { iam } = clients(sb, customerCreds);
    for (const arn of [
      'arn:aws:iam::aws:policy/AmazonEKSClusterPolicy',
      'arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy',
      'arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy',
      'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly',
      'arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy',
    ]) {
      const out = await iam.send(new GetPolicyCommand({ PolicyArn: arn }));
      expect(out.Policy?.Arn).toBe(arn);
    }
    const roleA = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'eks-cluster-role' }));
    expect(roleA.AttachedPolicies?.map((p) => p.PolicyName)).toEqual(['AmazonEKSClusterPolicy']);
    const noPolicy = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'eks-cluster-role-no-policy' }));
    expect(noPolicy.AttachedPolicies).toEqual([]);
  });

  it('paginates ListRoles with Marker/IsTruncated', async () => {
    const { iam } = clients(sb, customerCreds);
    for (const n of ['r-a', 'r-b', 'r-c'])
      await iam.send(new CreateRoleCommand({ RoleName: n, AssumeRolePolicyDocument: TRUST('x') }));
    const names: string[] = [];
    let Marker: string | undefined;
    let pages = 0;
    do {
      const out = await iam.send(new ListRolesCommand({ MaxItems: 2, Marker }));
      names.push(...(out.Roles ?? []).map((r) => r.RoleName!));
      Marker = out.IsTruncated ? out.Marker : undefined;
      pages += 1;
    } while (Marker);
    expect(pages).toBe(3);
    expect(names).toEqual(['eks-cluster-role', 'eks-cluster-role-no-policy', 'r-a', 'r-b', 'r-c']);
  });

  it('creates service-linked roles once', async () => {
    const { iam } = clients(sb, customerCreds);
    const out = await iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: 'eks.amazonaws.com' }));
    expect(out.Role?.Arn).toBe(
      'arn:aws:iam::222222222222:role/aws-service-role/eks.amazonaws.com/AWSServiceRoleForAmazonEKS',
    );
    const again = await failure(iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: 'eks.amazonaws.com' })));
    expect(again.name).toBe('InvalidInputException');
    expect(again.message).toContain('has been taken in this account');
  });

  it('rejects malformed policy documents and denies callers without IAM permissions', async () => {
    const { iam } = clients(sb, customerCreds);
    const bad = await failure(
      iam.send(new CreateRoleCommand({ RoleName: 'x1', AssumeRolePolicyDocument: '{not json' })),
    );
    expect(bad.name).toBe('MalformedPolicyDocumentException');
    const noPrincipal = await failure(
      iam.send(
        new CreateRoleCommand({
          RoleName: 'x1',
          AssumeRolePolicyDocument: JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole' }] }),
        }),
      ),
    );
    expect(noPrincipal.name).toBe('MalformedPolicyDocumentException');
    // What AWS refuses on the wire, for CreateRole and UpdateAssumeRolePolicy alike (the corpus of test/support).
    for (const m of MALFORMED_TRUST_POLICIES) {
      const created = await failure(
        iam.send(new CreateRoleCommand({ RoleName: 'x1', AssumeRolePolicyDocument: JSON.stringify(m.policy) })),
      );
      expect([created.name, created.message], m.name).toEqual([
        'MalformedPolicyDocumentException',
        expect.stringMatching(m.message),
      ]);
    }
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'x2',
        AssumeRolePolicyDocument: JSON.stringify({
          Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        }),
      }),
    );
    const updated = await failure(
      iam.send(
        new UpdateAssumeRolePolicyCommand({
          RoleName: 'x2',
          PolicyDocument: JSON.stringify(MALFORMED_TRUST_POLICIES[0]!.policy),
        }),
      ),
    );
    expect(updated.name).toBe('MalformedPolicyDocumentException');

    const denied = await failure(clients(sb, serviceCreds).iam.send(new GetRoleCommand({ RoleName: 'anything' })));
    expect(denied.name).toBe('AccessDenied');
    expect(denied.message).toBe(
      'User: arn:aws:iam::111111111111:user/eks-provisioner is not authorized to perform: iam:GetRole on resource: arn:aws:iam::111111111111:role/anything because no identity-based policy allows the iam:GetRole action',
    );
  });
});
