/**
 * Tenants of console users: identity-pool sessions all share one IAM role, so the Cognito identity
 * id is the tenant; direct IAM callers stay tenants by principal; identities of another pool, guest
 * identities and identity-less sessions of the shared role are refused. And CORS: only the console's
 * origin, on successes and errors alike.
 */

import { SFNClient } from '@aws-sdk/client-sfn';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHandler } from '../../../functions/api/app.js';
import type { ApiDeps } from '../../../functions/api/deps.js';
import { assumedRoleTenant, resolveTenant } from '../../../functions/api/tenant/resolve-tenant.js';
import { ENV, loadConfig } from '../../../functions/lib/config.js';
import { apiEvent, MemoryStore, silentLog, testConfig } from './helpers.js';

const POOL = 'eu-west-1:0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9';
const OTHER_POOL = 'eu-west-1:11111111-2222-4333-8444-555555555555';
const ALICE = 'eu-west-1:aaaaaaaa-0000-4000-8000-000000000001';
const BOB = 'eu-west-1:bbbbbbbb-0000-4000-8000-000000000002';
const ROLE_ARN = 'arn:aws:iam::111111111111:role/eks-provisioner-ConsoleAuthenticatedRole-AbC123';
const ROLE_SESSION =
  'arn:aws:sts::111111111111:assumed-role/eks-provisioner-ConsoleAuthenticatedRole-AbC123/CognitoIdentityCredentials';
const DIRECT = 'arn:aws:sts::222222222222:assumed-role/platform-admin/alice@example.com';
const ORIGIN = 'https://d111111abcdef8.cloudfront.net';

const opts = { local: false, identityPoolId: POOL, identityPoolRoleArn: ROLE_ARN };

/** An API Gateway event as IAM authorization fills it for the given credentials. */
function signedEvent(
  who: { userArn: string; identityId?: string; poolId?: string; authType?: string },
  i: { method?: string; path?: string; headers?: Record<string, string> } = {},
): APIGatewayProxyEvent {
  const e = apiEvent({
    method: i.method ?? 'GET',
    path: i.path ?? '/v1/setup',
    userArn: who.userArn,
    ...(i.headers ? { headers: i.headers } : {}),
  });
  Object.assign(e.requestContext.identity, {
    cognitoIdentityId: who.identityId ?? null,
    cognitoIdentityPoolId: who.poolId ?? null,
    cognitoAuthenticationType: who.authType ?? (who.identityId ? 'authenticated' : null),
    cognitoAuthenticationProvider: who.identityId
      ? `cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEfGhI,cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEfGhI:CognitoSignIn:0000`
      : null,
  });
  return e;
}

const statusOf = (fn: () => unknown): { statusCode?: number; code?: string } => {
  try {
    fn();
    return {};
  } catch (e) {
    const err = e as { statusCode?: number; body?: { error?: { code?: string } } };
    return { statusCode: err.statusCode, code: err.body?.error?.code };
  }
};

describe('resolveTenant with the console identity pool', () => {
  it('same shared role, two identity ids → two tenants (the identity ids)', () => {
    const a = resolveTenant(signedEvent({ userArn: ROLE_SESSION, identityId: ALICE, poolId: POOL }), opts);
    const b = resolveTenant(signedEvent({ userArn: ROLE_SESSION, identityId: BOB, poolId: POOL }), opts);
    expect(a).toBe(ALICE);
    expect(b).toBe(BOB);
    expect(a).not.toBe(b);
  });

  it('a direct IAM caller stays the tenant by principal, console or not', () => {
    const tenant = 'arn:aws:sts::222222222222:assumed-role/platform-admin';
    expect(resolveTenant(signedEvent({ userArn: DIRECT }), opts)).toBe(tenant);
    expect(resolveTenant(signedEvent({ userArn: DIRECT }), { local: false })).toBe(tenant);
  });

  it('an identity of another pool is refused, not turned into a tenant', () => {
    expect(
      statusOf(() =>
        resolveTenant(signedEvent({ userArn: ROLE_SESSION, identityId: ALICE, poolId: OTHER_POOL }), opts),
      ),
    ).toEqual({ statusCode: 403, code: 'FOREIGN_IDENTITY_POOL' });
  });

  it('an identity without its pool id, or any identity when no pool is configured, is refused', () => {
    expect(statusOf(() => resolveTenant(signedEvent({ userArn: ROLE_SESSION, identityId: ALICE }), opts))).toEqual({
      statusCode: 403,
      code: 'FOREIGN_IDENTITY_POOL',
    });
    expect(
      statusOf(() =>
        resolveTenant(signedEvent({ userArn: ROLE_SESSION, identityId: ALICE, poolId: POOL }), { local: false }),
      ),
    ).toEqual({ statusCode: 403, code: 'FOREIGN_IDENTITY_POOL' });
  });

  it('a session of the shared role without an identity id is refused (it would be one tenant for all users)', () => {
    expect(statusOf(() => resolveTenant(signedEvent({ userArn: ROLE_SESSION }), opts))).toEqual({
      statusCode: 403,
      code: 'IDENTITY_REQUIRED',
    });
  });

  it('guest identities and malformed identity ids are refused', () => {
    expect(
      statusOf(() =>
        resolveTenant(
          signedEvent({ userArn: ROLE_SESSION, identityId: ALICE, poolId: POOL, authType: 'unauthenticated' }),
          opts,
        ),
      ),
    ).toEqual({ statusCode: 403, code: 'SIGN_IN_REQUIRED' });
    expect(
      statusOf(() =>
        resolveTenant(signedEvent({ userArn: ROLE_SESSION, identityId: 'eu-west-1:x#y', poolId: POOL }), opts),
      ),
    ).toEqual({ statusCode: 401, code: 'UNAUTHENTICATED' });
  });

  it('an X-Tenant-Id header changes nothing in AWS', () => {
    const e = signedEvent(
      { userArn: ROLE_SESSION, identityId: ALICE, poolId: POOL },
      { headers: { 'X-Tenant-Id': BOB } },
    );
    expect(resolveTenant(e, opts)).toBe(ALICE);
  });

  it('role ARNs (with paths) map to the tenant their sessions reduce to', () => {
    expect(assumedRoleTenant(ROLE_ARN)).toBe(
      'arn:aws:sts::111111111111:assumed-role/eks-provisioner-ConsoleAuthenticatedRole-AbC123',
    );
    expect(assumedRoleTenant('arn:aws-cn:iam::111111111111:role/a/b/Name')).toBe(
      'arn:aws-cn:sts::111111111111:assumed-role/Name',
    );
    expect(assumedRoleTenant('arn:aws:iam::111111111111:user/Name')).toBeUndefined();
  });

  it('the deployed function reads the pool, its role and the CORS origin from the environment', () => {
    const c = loadConfig({
      [ENV.identityPoolId]: POOL,
      [ENV.identityPoolRoleArn]: ROLE_ARN,
      [ENV.corsAllowOrigin]: ORIGIN,
    });
    expect(c).toMatchObject({ identityPoolId: POOL, identityPoolRoleArn: ROLE_ARN, corsAllowOrigin: ORIGIN });
    const none = loadConfig({});
    expect(none.identityPoolId).toBeUndefined();
    expect(none.corsAllowOrigin).toBeUndefined();
  });
});

describe('the API with the console configured', () => {
  const sts = mockClient(STSClient);
  beforeAll(() => {
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: '111111111111', Arn: 'arn:aws:iam::111111111111:user/eks-provisioner' });
  });
  afterAll(() => sts.restore());

  const make = (config: Partial<ApiDeps['config']>) => {
    const store = new MemoryStore();
    const deps: ApiDeps = {
      config: testConfig({ local: false, ...config }),
      store,
      sfn: new SFNClient({ region: 'us-east-1' }),
      now: () => new Date('2026-11-29T12:00:00.000Z'),
      newId: () => '00000000-0000-4000-8000-000000000001',
    };
    return { store, handler: createApiHandler(deps, silentLog) };
  };

  it('two console users get two External IDs; CORS names only the console origin', async () => {
    const { store, handler } = make({ identityPoolId: POOL, identityPoolRoleArn: ROLE_ARN, corsAllowOrigin: ORIGIN });
    const a = await handler(signedEvent({ userArn: ROLE_SESSION, identityId: ALICE, poolId: POOL }));
    const b = await handler(signedEvent({ userArn: ROLE_SESSION, identityId: BOB, poolId: POOL }));
    expect(a.statusCode).toBe(200);
    expect(b.statusCode).toBe(200);
    expect(JSON.parse(a.body).externalId).not.toBe(JSON.parse(b.body).externalId);
    expect([...store.tenants.keys()].sort()).toEqual([ALICE, BOB]);
    expect(a.headers?.['Access-Control-Allow-Origin']).toBe(ORIGIN);
    expect(String(a.headers?.['Access-Control-Expose-Headers'])).toContain('X-Request-Id');
    // The console reads the record version from ETag for PATCH's If-Match.
    expect(String(a.headers?.['Access-Control-Expose-Headers'])).toContain('ETag');
  });

  it('errors carry the CORS header too (else the console cannot read them)', async () => {
    const { handler } = make({ identityPoolId: POOL, identityPoolRoleArn: ROLE_ARN, corsAllowOrigin: ORIGIN });
    const r = await handler(signedEvent({ userArn: ROLE_SESSION, identityId: ALICE, poolId: OTHER_POOL }));
    expect(r.statusCode).toBe(403);
    expect(JSON.parse(r.body).error.code).toBe('FOREIGN_IDENTITY_POOL');
    expect(r.headers?.['Access-Control-Allow-Origin']).toBe(ORIGIN);
    const missing = await handler(signedEvent({ userArn: DIRECT }, { path: '/v1/nope' }));
    expect(missing.statusCode).toBe(404);
    expect(missing.headers?.['Access-Control-Allow-Origin']).toBe(ORIGIN);
  });

  it('without a console there are no CORS headers', async () => {
    const { handler } = make({});
    const r = await handler(signedEvent({ userArn: DIRECT }));
    expect(r.statusCode).toBe(200);
    expect(Object.keys(r.headers ?? {}).filter((h) => h.toLowerCase().startsWith('access-control-'))).toEqual([]);
  });
});
