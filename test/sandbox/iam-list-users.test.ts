/** Sandbox IAM ListUsers: the account's users only, ListRoles-style pagination and limits, no tags. */
import { ListUsersCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../local/sandbox/server.js';
import { clients, customerCreds, failure, serviceCreds, start } from './helpers.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await start();
});
afterAll(async () => {
  await sb.stop();
});

describe('iam:ListUsers', () => {
  it("lists the caller's account's users (ARN, name, id, path), never another account's", async () => {
    const out = await clients(sb, customerCreds).iam.send(new ListUsersCommand({}));
    expect(out.Users?.map((u) => u.Arn)).toEqual(['arn:aws:iam::222222222222:user/admin']);
    expect(out.Users?.[0]).toMatchObject({ UserName: 'admin', Path: '/', UserId: expect.stringMatching(/^AIDA/) });
    expect(out.Users?.[0]?.Tags).toBeUndefined();
    expect(out.IsTruncated).toBe(false);
    const service = await clients(sb, serviceCreds)
      .iam.send(new ListUsersCommand({}))
      .catch((e: Error) => e);
    if (service instanceof Error) expect(service.name).toBe('AccessDenied');
    else expect(service.Users?.map((u) => u.UserName)).toEqual(['eks-provisioner']);
  });

  it('pages with MaxItems/Marker and refuses MaxItems outside 1–1000 as AWS does', async () => {
    const { iam } = clients(sb, customerCreds);
    const out = await iam.send(new ListUsersCommand({ MaxItems: 1 }));
    expect(out.Users).toHaveLength(1);
    expect(out.IsTruncated).toBe(false);
    const bad = await failure(iam.send(new ListUsersCommand({ MaxItems: 1001 })));
    expect(bad.name).toBe('ValidationError');
    const none = await iam.send(new ListUsersCommand({ PathPrefix: '/ci/' }));
    expect(none.Users).toEqual([]);
  });
});
