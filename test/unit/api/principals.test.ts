/** GET /v1/aws/principals: roles then users of role B's account, one listing over two paginations. */
import { GetRoleCommand, IAMClient, ListRolesCommand, ListUsersCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { MAX_PAGES } from '../../../functions/api/aws-form/form-data.js';
import { forgetServiceIdentity } from '../../../functions/api/setup/setup.js';
import { clearCredentialCache } from '../../../functions/lib/aws/provision-role.js';
import { asCorrectRoleB, roleBReadsItsTrust } from '../aws/fixtures.js';
import { CUSTOMER_ACCOUNT, issuedExternalIds, makeTestApi, ROLE_B, SERVICE_ACCOUNT, seedRole } from './helpers.js';

const sts = mockClient(STSClient);
const iam = mockClient(IAMClient);
const awsError = (name: string, message: string, httpStatusCode = 400) =>
  Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode, requestId: 'req-1' } });
const roleArn = (n: string) => `arn:aws:iam::${CUSTOMER_ACCOUNT}:role/${n}`;
const userArn = (n: string) => `arn:aws:iam::${CUSTOMER_ACCOUNT}:user/${n}`;

beforeEach(() => {
  sts.reset();
  iam.reset();
  clearCredentialCache();
  forgetServiceIdentity();
  sts.on(GetCallerIdentityCommand).resolves({
    Account: SERVICE_ACCOUNT,
    Arn: `arn:aws:iam::${SERVICE_ACCOUNT}:user/eks-provisioner`,
    UserId: 'AIDAEXAMPLE',
  });
  sts.on(AssumeRoleCommand).callsFake(
    asCorrectRoleB(
      () => issuedExternalIds,
      () => ({
        Credentials: {
          AccessKeyId: 'ASIAEXAMPLEEXAMPLE12',
          SecretAccessKey: 'secret/EXAMPLE/key',
          SessionToken: 'token',
          Expiration: new Date(Date.now() + 3_600_000),
        },
        AssumedRoleUser: {
          Arn: `arn:aws:sts::${CUSTOMER_ACCOUNT}:assumed-role/eks-provisioner-provision/api-x`,
          AssumedRoleId: 'AROAEXAMPLE:api-x',
        },
      }),
    ),
  );
  iam.on(GetRoleCommand).callsFake(roleBReadsItsTrust(SERVICE_ACCOUNT));
});

async function api() {
  const a = makeTestApi();
  await seedRole(a.store, 'team-a');
  return a;
}
const get = (a: Awaited<ReturnType<typeof api>>, query: Record<string, string> = {}) =>
  a.call({ method: 'GET', path: '/v1/aws/principals', query: { roleArn: ROLE_B, ...query }, tenant: 'team-a' });

describe('GET /v1/aws/principals', () => {
  it('roles (no service-linked ones) then users, every AWS page, as { id: arn, name, type }', async () => {
    const a = await api();
    iam.on(ListRolesCommand, { Marker: undefined }).resolves({
      Roles: [
        { RoleName: 'admin', Arn: roleArn('admin'), Path: '/', RoleId: 'a', CreateDate: new Date() },
        {
          RoleName: 'AWSServiceRoleForAmazonEKS',
          Arn: roleArn('aws-service-role/eks.amazonaws.com/AWSServiceRoleForAmazonEKS'),
          Path: '/aws-service-role/eks.amazonaws.com/',
          RoleId: 's',
          CreateDate: new Date(),
        },
      ],
      IsTruncated: true,
      Marker: 'r2',
    });
    iam.on(ListRolesCommand, { Marker: 'r2' }).resolves({
      Roles: [{ RoleName: 'ci', Arn: roleArn('ci'), Path: '/', RoleId: 'c', CreateDate: new Date() }],
      IsTruncated: false,
    });
    iam.on(ListUsersCommand, { Marker: undefined }).resolves({
      Users: [{ UserName: 'alice', Arn: userArn('alice'), Path: '/', UserId: 'u1', CreateDate: new Date() }],
      IsTruncated: true,
      Marker: 'u2',
    });
    iam.on(ListUsersCommand, { Marker: 'u2' }).resolves({
      Users: [{ UserName: 'bob', Arn: userArn('bob'), Path: '/', UserId: 'u2', CreateDate: new Date() }],
      IsTruncated: false,
    });
    const r = await get(a);
    expect(r.statusCode).toBe(200);
    expect(r.body).toEqual({
      items: [
        { id: roleArn('admin'), name: 'admin', type: 'role' },
        { id: roleArn('ci'), name: 'ci', type: 'role' },
        { id: userArn('alice'), name: 'alice', type: 'user' },
        { id: userArn('bob'), name: 'bob', type: 'user' },
      ],
    });
  });

  it('past MAX_PAGES answers a nextToken that continues where it stopped (roles, then users)', async () => {
    const a = await api();
    let calls = 0;
    iam.on(ListRolesCommand).callsFake((input: { Marker?: string }) => {
      calls++;
      const n = input.Marker ? Number(input.Marker) : 0;
      return {
        Roles: [{ RoleName: `r${n}`, Arn: roleArn(`r${n}`), Path: '/', RoleId: `${n}`, CreateDate: new Date() }],
        IsTruncated: n < MAX_PAGES + 1,
        Marker: String(n + 1),
      };
    });
    iam.on(ListUsersCommand).resolves({
      Users: [{ UserName: 'alice', Arn: userArn('alice'), Path: '/', UserId: 'u1', CreateDate: new Date() }],
      IsTruncated: false,
    });
    const first = await get(a);
    expect(first.body.items).toHaveLength(MAX_PAGES);
    expect(first.body.nextToken).toBe(`roles:${MAX_PAGES}`);
    const second = await get(a, { nextToken: first.body.nextToken });
    expect(second.body.items.map((i: { name: string }) => i.name)).toEqual([
      `r${MAX_PAGES}`,
      `r${MAX_PAGES + 1}`,
      'alice',
    ]);
    expect(second.body.nextToken).toBeUndefined();
    expect(calls).toBe(MAX_PAGES + 2);
  });

  it('a nextToken it did not hand out is a 400', async () => {
    const a = await api();
    const r = await get(a, { nextToken: 'groups:x' });
    expect(r.statusCode).toBe(400);
    expect(r.body.error.code).toBe('INVALID_NEXT_TOKEN');
  });

  it('role B without iam:ListUsers: 422 PERMISSION_DENIED naming iam:ListUsers', async () => {
    const a = await api();
    iam.on(ListRolesCommand).resolves({ Roles: [], IsTruncated: false });
    iam
      .on(ListUsersCommand)
      .rejects(
        awsError(
          'AccessDenied',
          `User: arn:aws:sts::${CUSTOMER_ACCOUNT}:assumed-role/x/y is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::${CUSTOMER_ACCOUNT}:user/`,
          403,
        ),
      );
    const r = await get(a);
    expect(r.statusCode).toBe(422);
    expect(r.body.error.code).toBe('PERMISSION_DENIED');
    expect(JSON.stringify(r.body.error)).toContain('iam:ListUsers');
  });
});
