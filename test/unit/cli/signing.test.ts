/**
 * The command line against the deployed API: requests signed with SigV4 for execute-api in the
 * API's region (checked by an execute-api-like stub with the sandbox's independent verifier), the
 * stage path kept, every page followed, credentials from the chain or a named profile, and the
 * local API on loopback left unsigned with X-Tenant-Id.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, ApiError } from '../../../cli/api-client.js';
import { apiClient, shouldSign } from '../../../cli/connect.js';
import { AWS_LISTS, columnsOf, table } from '../../../cli/journey.js';
import {
  createSigner,
  isLoopbackUrl,
  parseExecuteApiUrl,
  SigningSetupError,
  signingRegion,
} from '../../../cli/signing.js';
import { parseSigV4, verifySignature } from '../../../local/sandbox/protocol/sigv4.js';

const PROJECT_ROOT = path.resolve(__dirname, '../../..');
const KEYS: Record<string, { secret: string; token?: string }> = {
  AKIAEXAMPLEDEFAULT01: { secret: 'default/secret/EXAMPLEKEY0000000000000' },
  ASIAEXAMPLEPROFILE02: { secret: 'profile/secret/EXAMPLEKEY111111111111', token: 'session-token-of-the-profile' },
};

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  accessKeyId?: string;
  region?: string;
  service?: string;
}

/** An execute-api-like stub: stage `prod`, IAM authorization (SigV4 verified), the API's answers. */
function executeApiStub(opts: { region: string; requireSignature: boolean }) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://stub');
      const scope = parseSigV4(req.headers, url);
      seen.push({
        method: req.method!,
        url: req.url!,
        headers: req.headers,
        body: body.toString(),
        ...(scope ? { accessKeyId: scope.accessKeyId, region: scope.region, service: scope.service } : {}),
      });
      const send = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      if (opts.requireSignature) {
        const key = scope ? KEYS[scope.accessKeyId] : undefined;
        if (!scope || !key || !req.headers.authorization)
          return send(403, { error: { code: 'NOT_FOUND_OR_UNSIGNED', message: 'Missing Authentication Token' } });
        if (scope.service !== 'execute-api' || scope.region !== opts.region)
          return send(403, {
            error: {
              code: 'INVALID_SIGNATURE',
              message: `Credential should be scoped to a valid region ('${opts.region}') and service 'execute-api'.`,
            },
          });
        if (key.token !== scope.sessionToken)
          return send(403, {
            error: { code: 'INVALID_SIGNATURE', message: 'The security token included in the request is invalid.' },
          });
        if (
          !verifySignature({ method: req.method!, rawUrl: req.url!, headers: req.headers, body }, scope, key.secret)
        ) {
          return send(403, {
            error: {
              code: 'INVALID_SIGNATURE',
              message: 'The request signature we calculated does not match the signature you provided.',
            },
          });
        }
      }
      if (!url.pathname.startsWith('/prod/v1/'))
        return send(403, { error: { code: 'NOT_FOUND_OR_UNSIGNED', message: 'Missing Authentication Token' } });
      const route = `${req.method} ${url.pathname.slice('/prod'.length)}`;
      if (route === 'GET /v1/aws/vpcs') {
        const token = url.searchParams.get('nextToken');
        if (url.searchParams.get('roleArn') !== 'arn:aws:iam::222222222222:role/eks-provisioner-b')
          return send(422, { error: { code: 'ROLE_NOT_REGISTERED', message: 'not registered' } });
        if (!token)
          return send(200, {
            items: [{ id: 'vpc-0a', name: 'main', cidrBlock: '10.0.0.0/16' }],
            nextToken: 'page+2/=',
          });
        if (token === 'page+2/=')
          return send(200, { items: [{ id: 'vpc-0b', name: 'edge', cidrBlock: '10.1.0.0/16', isDefault: true }] });
        return send(400, { error: { code: 'INVALID_NEXT_TOKEN', message: 'bad token' } });
      }
      if (route === 'POST /v1/roles') {
        const b = JSON.parse(body.toString()) as { roleArn: string; region: string };
        return send(200, { roleArn: b.roleArn, region: b.region, accountId: b.roleArn.split(':')[4] });
      }
      if (route === 'GET /v1/clusters')
        return send(200, {
          items: [
            { id: 'c-1', name: 'dev', status: 'CREATED', createdAt: '2026-11-30T10:00:00Z', region: 'eu-west-1' },
          ],
        });
      if (route === 'GET /v1/setup')
        return send(200, {
          accountId: '111111111111',
          externalId: 'e'.repeat(32),
          provisionRolePolicy: {},
          provisionRoleTrustPolicy: {},
          clusterRoleManagedPolicies: [],
        });
      return send(404, { error: { code: 'NOT_FOUND', message: 'No such route.' } });
    });
  });
  return {
    seen,
    start: () =>
      new Promise<string>((resolve) =>
        server.listen(0, '127.0.0.1', () =>
          resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/prod/`),
        ),
      ),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('where the API is and how to sign for it', () => {
  it('parses execute-api URLs (region, stage), including China regions', () => {
    expect(parseExecuteApiUrl('https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod/')).toEqual({
      apiId: 'a1b2c3d4e5',
      region: 'eu-west-1',
      stage: 'prod',
    });
    expect(parseExecuteApiUrl('https://a1b2c3d4e5.execute-api.cn-north-1.amazonaws.com.cn/prod')).toMatchObject({
      region: 'cn-north-1',
    });
    expect(parseExecuteApiUrl('https://a1b2c3d4e5.execute-api.us-gov-west-1.amazonaws.com/')).toEqual({
      apiId: 'a1b2c3d4e5',
      region: 'us-gov-west-1',
    });
    expect(parseExecuteApiUrl('https://api.example.com/prod/')).toBeUndefined();
    expect(parseExecuteApiUrl('https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com.evil.example/')).toBeUndefined();
    expect(parseExecuteApiUrl('not a url')).toBeUndefined();
  });

  it('signing region: --api-region, else the URL, else AWS_REGION; otherwise an error naming the fix', () => {
    const url = 'https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod/';
    expect(signingRegion(url, undefined, {})).toBe('eu-west-1');
    expect(signingRegion(url, 'us-east-1', {})).toBe('us-east-1');
    expect(signingRegion('https://api.example.com/', undefined, { AWS_REGION: 'ap-south-1' })).toBe('ap-south-1');
    expect(signingRegion('https://api.example.com/', undefined, { AWS_DEFAULT_REGION: 'sa-east-1' })).toBe('sa-east-1');
    expect(() => signingRegion('https://api.example.com/', undefined, {})).toThrow(
      /--api-region <region> or set AWS_REGION/,
    );
    expect(() => signingRegion(url, 'Ireland', {})).toThrow(SigningSetupError);
  });

  it('loopback is the local stack (unsigned) unless --sign; everything else is signed', () => {
    for (const u of ['http://127.0.0.1:3000', 'http://localhost:3000/', 'http://[::1]:3000', 'http://127.1.2.3:80'])
      expect(isLoopbackUrl(u), u).toBe(true);
    for (const u of [
      'https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod/',
      'http://10.0.0.5:3000',
      'http://127.0.0.1.nip.io/',
    ])
      expect(isLoopbackUrl(u), u).toBe(false);
    expect(shouldSign('http://127.0.0.1:3000', {})).toBe(false);
    expect(shouldSign('http://127.0.0.1:3000', { sign: true })).toBe(true);
    expect(shouldSign('https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod/', {})).toBe(true);
    expect(apiClient({ api: 'http://127.0.0.1:3000', tenant: 't' }).signer).toBeUndefined();
    expect(apiClient({ api: 'https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod/' }).signer).toBeDefined();
  });

  it('table output: id and name first, then the other fields; lists cover the API', () => {
    const items = [
      { id: 'subnet-1', name: 'a', vpcId: 'vpc-1', availabilityZone: 'eu-west-1a' },
      { id: 'subnet-22', name: 'bb', cidrBlock: '10.0.1.0/24' },
    ];
    expect(columnsOf(items)).toEqual(['id', 'name', 'vpcId', 'availabilityZone', 'cidrBlock']);
    expect(table(items, columnsOf(items))).toEqual([
      'ID         NAME  VPCID  AVAILABILITYZONE  CIDRBLOCK',
      'subnet-1   a     vpc-1  eu-west-1a',
      'subnet-22  bb                             10.0.1.0/24',
    ]);
    expect([...AWS_LISTS]).toEqual([
      'regions',
      'vpcs',
      'subnets',
      'security-groups',
      'key-pairs',
      'instance-types',
      'roles',
      'kubernetes-versions',
      'principals',
    ]);
  });
});

describe('signed requests against an execute-api-like stub', () => {
  const stub = executeApiStub({ region: 'eu-west-1', requireSignature: true });
  let base = '';
  beforeAll(async () => {
    base = await stub.start();
  });
  afterAll(() => stub.stop());

  const signed = (accessKeyId = 'AKIAEXAMPLEDEFAULT01', region = 'eu-west-1') =>
    new ApiClient(
      base,
      'ignored-tenant',
      createSigner({
        region,
        credentials: {
          accessKeyId,
          secretAccessKey: KEYS[accessKeyId]!.secret,
          ...(KEYS[accessKeyId]!.token ? { sessionToken: KEYS[accessKeyId]!.token } : {}),
        },
      }),
    );

  it('GET with a query (role ARN, a token with + / =) verifies; the stage path is kept; no X-Tenant-Id', async () => {
    const r = await signed().get<{ items: unknown[] }>(
      `/v1/aws/vpcs?roleArn=${encodeURIComponent('arn:aws:iam::222222222222:role/eks-provisioner-b')}&nextToken=${encodeURIComponent('page+2/=')}`,
    );
    expect(r.items).toEqual([{ id: 'vpc-0b', name: 'edge', cidrBlock: '10.1.0.0/16', isDefault: true }]);
    const last = stub.seen.at(-1)!;
    expect(last.url.startsWith('/prod/v1/aws/vpcs?')).toBe(true);
    expect(last).toMatchObject({ accessKeyId: 'AKIAEXAMPLEDEFAULT01', region: 'eu-west-1', service: 'execute-api' });
    expect(last.headers['x-tenant-id']).toBeUndefined();
    expect(last.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIAEXAMPLEDEFAULT01\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=[^,]*host[^,]*, Signature=[0-9a-f]{64}$/,
    );
  });

  it('POST with a JSON body and session credentials verifies (body hashed, token sent)', async () => {
    const r = await signed('ASIAEXAMPLEPROFILE02').post<{ accountId: string }>(
      '/v1/roles',
      { roleArn: 'arn:aws:iam::222222222222:role/eks-provisioner-b', region: 'eu-west-1' },
      { 'Idempotency-Key': 'k-1' },
    );
    expect(r.status).toBe(200);
    expect(r.body.accountId).toBe('222222222222');
    expect(stub.seen.at(-1)!.headers['x-amz-security-token']).toBe('session-token-of-the-profile');
  });

  it('the stub is not lenient: wrong secret, wrong region, unsigned → 403 with the API error', async () => {
    const wrongSecret = new ApiClient(
      base,
      undefined,
      createSigner({
        region: 'eu-west-1',
        credentials: { accessKeyId: 'AKIAEXAMPLEDEFAULT01', secretAccessKey: 'not-the-secret' },
      }),
    );
    const e1 = await wrongSecret.get('/v1/setup').catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(ApiError);
    expect((e1 as ApiError).status).toBe(403);
    expect((e1 as ApiError).body.error?.message).toMatch(/signature we calculated does not match/);
    const e2 = await signed('AKIAEXAMPLEDEFAULT01', 'us-east-1')
      .get('/v1/setup')
      .catch((e: unknown) => e);
    expect((e2 as ApiError).body.error?.code).toBe('INVALID_SIGNATURE');
    const e3 = await new ApiClient(base).get('/v1/setup').catch((e: unknown) => e);
    expect((e3 as ApiError).body.error?.code).toBe('NOT_FOUND_OR_UNSIGNED');
  });

  it('no credentials anywhere → a message naming --profile and aws configure, not an SDK stack', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-nocreds-'));
    const saved = { ...process.env };
    try {
      for (const k of Object.keys(process.env)) if (k.startsWith('AWS_')) delete process.env[k];
      Object.assign(process.env, {
        AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'credentials'),
        AWS_CONFIG_FILE: path.join(dir, 'config'),
        AWS_EC2_METADATA_DISABLED: 'true',
      });
      const client = new ApiClient(base, undefined, createSigner({ region: 'eu-west-1', profile: 'missing' }));
      await expect(client.get('/v1/setup')).rejects.toThrow(/profile "missing".*--profile <name>/s);
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Each case starts the real command line (tsx compiles it): seconds apiece on a busy machine.
describe('the eks-provisioner command against the stub', { timeout: 120_000 }, () => {
  const stub = executeApiStub({ region: 'eu-west-1', requireSignature: true });
  let base = '';
  let dir = '';
  beforeAll(async () => {
    base = await stub.start();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-profile-'));
    fs.writeFileSync(
      path.join(dir, 'credentials'),
      `[default]\naws_access_key_id = AKIAEXAMPLEDEFAULT01\naws_secret_access_key = ${KEYS.AKIAEXAMPLEDEFAULT01!.secret}\n\n` +
        `[platform]\naws_access_key_id = ASIAEXAMPLEPROFILE02\naws_secret_access_key = ${KEYS.ASIAEXAMPLEPROFILE02!.secret}\naws_session_token = ${KEYS.ASIAEXAMPLEPROFILE02!.token}\n`,
    );
    fs.writeFileSync(path.join(dir, 'config'), '[default]\nregion = us-east-1\n');
  });
  afterAll(async () => {
    await stub.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the real command line (bin) with only these AWS settings in its environment. */
  function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const env: NodeJS.ProcessEnv = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_') && k !== 'EKS_PROVISIONER_API'),
    );
    Object.assign(env, {
      AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'credentials'),
      AWS_CONFIG_FILE: path.join(dir, 'config'),
      AWS_EC2_METADATA_DISABLED: 'true',
      NO_COLOR: '1',
    });
    const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'cli/eks-provisioner.mjs'), ...args], {
      env,
      cwd: PROJECT_ROOT,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  }

  it('aws vpcs --profile: signs with that profile, follows nextToken, prints a table', async () => {
    const before = stub.seen.length;
    const r = await cli([
      'aws',
      'vpcs',
      '--api',
      base,
      '--sign',
      '--api-region',
      'eu-west-1',
      '--profile',
      'platform',
      '--role-arn',
      'arn:aws:iam::222222222222:role/eks-provisioner-b',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').filter(Boolean)).toEqual([
      'ID      NAME  CIDRBLOCK    ISDEFAULT',
      'vpc-0a  main  10.0.0.0/16',
      'vpc-0b  edge  10.1.0.0/16  true',
    ]);
    const calls = stub.seen.slice(before);
    expect(calls).toHaveLength(2);
    expect(calls.map((c) => c.accessKeyId)).toEqual(['ASIAEXAMPLEPROFILE02', 'ASIAEXAMPLEPROFILE02']);
    expect(new URL(calls[1]!.url, 'http://x').searchParams.get('nextToken')).toBe('page+2/=');
  });

  it('roles add and list with the default profile; --json prints the records', async () => {
    const before = stub.seen.length;
    const add = await cli([
      'roles',
      'add',
      'arn:aws:iam::222222222222:role/eks-provisioner-b',
      '--region',
      'eu-west-1',
      '--api',
      base,
      '--sign',
      '--api-region',
      'eu-west-1',
    ]);
    expect(add.code).toBe(0);
    expect(add.stdout).toContain(
      'Authenticated with AWS: arn:aws:iam::222222222222:role/eks-provisioner-b (account 222222222222), cluster region eu-west-1.',
    );
    const listed = await cli(['list', '--json', '--api', base, '--sign', '--api-region', 'eu-west-1']);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([
      { id: 'c-1', name: 'dev', status: 'CREATED', createdAt: '2026-11-30T10:00:00Z', region: 'eu-west-1' },
    ]);
    expect(stub.seen.slice(before).map((c) => c.accessKeyId)).toEqual(['AKIAEXAMPLEDEFAULT01', 'AKIAEXAMPLEDEFAULT01']);
    expect(JSON.parse(stub.seen[before]!.body)).toEqual({
      roleArn: 'arn:aws:iam::222222222222:role/eks-provisioner-b',
      region: 'eu-west-1',
    });
  });

  it('a refusal from the API exits 2 with its code and message', async () => {
    const r = await cli(['setup', '--api', base, '--sign', '--api-region', 'us-east-1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /HTTP 403 INVALID_SIGNATURE: Credential should be scoped to a valid region \('eu-west-1'\)/,
    );
  });

  it('an unknown list is refused with the valid ones', async () => {
    const r = await cli([
      'aws',
      'buckets',
      '--role-arn',
      'arn:aws:iam::222222222222:role/eks-provisioner-b',
      '--api',
      base,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('use one of regions, vpcs, subnets');
  });
});

describe('the local API on loopback', () => {
  const stub = executeApiStub({ region: 'eu-west-1', requireSignature: false });
  let base = '';
  beforeAll(async () => {
    base = await stub.start();
  });
  afterAll(() => stub.stop());

  it('is called unsigned, with X-Tenant-Id', async () => {
    await apiClient({ api: base, tenant: 'team-a' }).get('/v1/setup');
    const last = stub.seen.at(-1)!;
    expect(last.headers.authorization).toBeUndefined();
    expect(last.headers['x-tenant-id']).toBe('team-a');
    expect(last.url).toBe('/prod/v1/setup');
  });
});
