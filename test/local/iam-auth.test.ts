/**
 * The local API's IAM-authorization mode fails where API Gateway fails: a cross-account caller needs an
 * Allow in its own identity policy AND in the API's resource policy (the one the stack attaches), an
 * explicit Deny wins, bad or missing signatures are refused with the deployed API's gateway-response
 * bodies, and the tenant is the verified principal (requestContext.identity.userArn), never a header.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiResourcePolicy } from '../../infra/api-resource-policy.js';
import { type RunningApiServer, startApiServer } from '../../local/api/server.js';
import type { Sandbox } from '../../local/sandbox/server.js';
import { CUSTOMER_ACCOUNT_ID, SERVICE_ACCOUNT_ID } from '../../local/sandbox/world/default-world.js';
import type { PolicyDocument } from '../../local/sandbox/world/types.js';
import { executeApiSigner } from '../../shared/execute-api-signer.js';
import { customerCreds, serviceCreds, start } from '../sandbox/helpers.js';
import { clusterRecord } from '../support/cluster-record.js';
import { MemoryStore, silentLog, testConfig, validSettings } from '../unit/api/helpers.js';

const ADMIN_ARN = 'arn:aws:iam::222222222222:user/admin';

let sb: Sandbox;
let open: RunningApiServer;
let restricted: RunningApiServer;
const store = new MemoryStore();
let noInvoke: AwsCredentialIdentity;
let denied: AwsCredentialIdentity;

/** A user of the customer account with one access key and the given inline policy (none: no permissions). */
function userWith(name: string, policy?: PolicyDocument): AwsCredentialIdentity {
  const n = sb.world.data.users.length;
  const key = {
    accessKeyId: `AKIATESTUSER${String(n).padStart(8, '0')}`,
    secretAccessKey: `secret-of-${name}-${'x'.repeat(24)}`,
  };
  sb.world.data.users.push({
    accountId: CUSTOMER_ACCOUNT_ID,
    name,
    userId: `AIDATESTUSER${String(n).padStart(8, '0')}`,
    arn: `arn:aws:iam::${CUSTOMER_ACCOUNT_ID}:user/${name}`,
    path: '/',
    accessKeys: [{ ...key, status: 'Active', createDate: new Date().toISOString() }],
    inlinePolicies: policy ? { p: policy } : {},
    attachedPolicyArns: [],
    tags: {},
    createDate: new Date().toISOString(),
  });
  return key;
}

async function call(
  api: RunningApiServer,
  credentials: AwsCredentialIdentity | undefined,
  path: string,
  extra: Record<string, string> = {},
  region = 'us-east-1',
) {
  const url = new URL(path, api.url);
  const headers = credentials
    ? await executeApiSigner({ region, credentials, sha256: Sha256 })({ method: 'GET', url, headers: extra })
    : {};
  const res = await fetch(url, { headers: { ...extra, ...headers } });
  return { status: res.status, json: (await res.json()) as any };
}

beforeAll(async () => {
  sb = await start({ kubernetes: false });
  noInvoke = userWith('no-invoke');
  denied = userWith('denied', {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: '*', Resource: '*' },
      { Effect: 'Deny', Action: 'execute-api:Invoke', Resource: '*' },
    ],
  });
  await store.createCluster(
    clusterRecord('c-admin', new Date().toISOString(), { tenantId: ADMIN_ARN, settings: validSettings() as any }),
  );
  const deps = { store, config: testConfig() };
  open = await startApiServer({
    port: 0,
    consoleDir: false,
    deps,
    log: silentLog,
    auth: 'iam',
    iam: { world: sb.world },
  });
  // An operator who allowed one other account only: the customer account 222222222222 is not it.
  restricted = await startApiServer({
    port: 0,
    consoleDir: false,
    deps,
    log: silentLog,
    auth: 'iam',
    iam: {
      world: sb.world,
      resourcePolicy: apiResourcePolicy({
        serviceAccountId: SERVICE_ACCOUNT_ID,
        stageName: 'prod',
        allowedAccounts: ['333333333333'],
      }),
    },
  });
});

afterAll(async () => {
  await open?.stop();
  await restricted?.stop();
  await sb?.stop();
});

describe('local API, IAM authorization (API Gateway rules)', () => {
  it('cross-account caller allowed by its identity policy and the resource policy → 200, tenant = the principal', async () => {
    const r = await call(open, customerCreds, '/v1/clusters');
    expect(r.status).toBe(200);
    expect(r.json.items.map((c: { id: string }) => c.id)).toEqual(['c-admin']);
  });

  it('cross-account caller without a resource-policy Allow → 403 ACCESS_DENIED', async () => {
    const r = await call(restricted, customerCreds, '/v1/clusters');
    expect(r.status).toBe(403);
    expect(r.json.error.code).toBe('ACCESS_DENIED');
    expect(r.json.error.message).toMatch(/resource policy/);
  });

  it('cross-account caller without an identity-policy Allow → 403 ACCESS_DENIED', async () => {
    const r = await call(open, noInvoke, '/v1/clusters');
    expect(r.status).toBe(403);
    expect(r.json.error.code).toBe('ACCESS_DENIED');
  });

  it('an explicit Deny in the identity policy wins over every Allow', async () => {
    expect((await call(open, denied, '/v1/clusters')).status).toBe(403);
  });

  it('same account: the identity policy alone decides (the resource policy is for other accounts)', async () => {
    expect((await call(open, serviceCreds, '/v1/clusters')).status).toBe(403);
    const user = sb.world.data.users.find((u) => u.accountId === SERVICE_ACCOUNT_ID && u.name === 'eks-provisioner')!;
    user.inlinePolicies['invoke-api'] = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: 'arn:aws:execute-api:*:*:*/prod/*/v1/*' }],
    };
    try {
      const r = await call(open, serviceCreds, '/v1/clusters');
      expect(r.status).toBe(200);
      expect(r.json.items).toEqual([]);
    } finally {
      delete user.inlinePolicies['invoke-api'];
    }
  });

  it("the tenant comes from the signature: X-Tenant-Id cannot borrow another principal's records", async () => {
    const other = userWith('other', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: '*' }],
    });
    const r = await call(open, other, '/v1/clusters', { 'X-Tenant-Id': ADMIN_ARN });
    expect(r.status).toBe(200);
    expect(r.json.items).toEqual([]);
  });

  it("unsigned, wrongly signed, or signed for another region: API Gateway's refusals in the API's error shape", async () => {
    const unsigned = await call(open, undefined, '/v1/clusters');
    expect(unsigned.status).toBe(403);
    expect(unsigned.json.error.code).toBe('NOT_FOUND_OR_UNSIGNED');
    const wrongSecret = await call(open, { ...customerCreds, secretAccessKey: 'x'.repeat(40) }, '/v1/clusters');
    expect(wrongSecret.status).toBe(403);
    expect(wrongSecret.json.error.code).toBe('INVALID_SIGNATURE');
    const otherRegion = await call(open, customerCreds, '/v1/clusters', {}, 'eu-west-1');
    expect(otherRegion.json.error.code).toBe('INVALID_SIGNATURE');
    const unknownKey = await call(
      open,
      { accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'x'.repeat(40) },
      '/v1/clusters',
    );
    expect(unknownKey.status).toBe(403);
    expect(unknownKey.json.error.message).toBe('The security token included in the request is invalid.');
  });

  it('needs the sandbox world', async () => {
    await expect(startApiServer({ port: 0, consoleDir: false, auth: 'iam' })).rejects.toThrow(/iam\.world/);
  });
});
