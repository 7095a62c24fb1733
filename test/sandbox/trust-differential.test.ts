/**
 * Differential test of the sandbox's sts:AssumeRole decisions against an independent IAM evaluator
 * (@cloud-copilot/iam-simulate — AGPL, so a test-only devDependency, never in a bundle or the sandbox).
 * The sandbox is our model of AWS: wherever it admits what AWS refuses, a production defect hides.
 *
 * Every trust policy of the shared corpus × callers (the service's user and role session, a stranger
 * account's user, a user of role B's own account) × External ID (ours, another tenant's that a pattern
 * may match, a random one, none) × session name (the product's shape, another). Both sides get the same
 * identity policy (Allow sts:AssumeRole) and the same request context keys.
 *
 * Also: documents AWS refuses at CreateRole / UpdateAssumeRolePolicy are refused by the sandbox with
 * MalformedPolicyDocument, and every corpus document is accepted there.
 */

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { describe, expect, it } from 'vitest';
import { productWorld } from '../../local/runner/product-world.js';
import { parsePolicyDocument } from '../../local/sandbox/iam/policy-document.js';
import { type RequestContext, SandboxAwsError } from '../../local/sandbox/protocol/types.js';
import { service as sts } from '../../local/sandbox/sts/service.js';
import type { IamRole, PolicyDocument, Principal, StsSession } from '../../local/sandbox/world/types.js';
import { World } from '../../local/sandbox/world/world.js';
import {
  CUSTOMER_ACCOUNT,
  MALFORMED_TRUST_POLICIES,
  OTHER_TENANT_XID,
  RANDOM_XID,
  SERVICE_ACCOUNT,
  STRANGER_ACCOUNT,
  TRUST_CORPUS,
  XID,
} from '../support/trust-policy-corpus.js';

const ASSUME_ANY: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }],
};
const ROLE_B_NAME = 'eks-provisioner-provision';
const ROLE_B_ARN = `arn:aws:iam::${CUSTOMER_ACCOUNT}:role/${ROLE_B_NAME}`;

function role(
  accountId: string,
  name: string,
  trust: PolicyDocument,
  inlinePolicies: Record<string, PolicyDocument> = {},
): IamRole {
  return {
    accountId,
    name,
    roleId: `AROA${name
      .toUpperCase()
      .replace(/[^A-Z]/g, '')
      .padEnd(17, 'X')
      .slice(0, 17)}`,
    arn: `arn:aws:iam::${accountId}:role/${name}`,
    path: '/',
    assumeRolePolicyDocument: trust,
    maxSessionDuration: 3600,
    inlinePolicies,
    attachedPolicyArns: [],
    tags: {},
    createDate: '2026-01-01T00:00:00.000Z',
  };
}

function userCaller(accountId: string, name: string): Principal {
  const user = {
    accountId,
    name,
    userId: `AIDA${name
      .toUpperCase()
      .replace(/[^A-Z]/g, '')
      .padEnd(17, 'X')
      .slice(0, 17)}`,
    arn: `arn:aws:iam::${accountId}:user/${name}`,
    path: '/',
    accessKeys: [],
    inlinePolicies: { assume: ASSUME_ANY },
    attachedPolicyArns: [],
    tags: {},
    createDate: '2026-01-01T00:00:00.000Z',
  };
  return { kind: 'user', accountId, arn: user.arn, userId: user.userId, user, accessKeyId: 'AKIADIFFERENTIAL0001' };
}

/** The service running as a role (its Lambda functions): an assumed-role session of `eks-provisioner-functions`. */
function roleSessionCaller(): Principal {
  const r = role(
    SERVICE_ACCOUNT,
    'eks-provisioner-functions',
    { Version: '2012-10-17', Statement: [] },
    { assume: ASSUME_ANY },
  );
  const session: StsSession = {
    accessKeyId: 'ASIADIFFERENTIAL0001',
    secretAccessKey: 's',
    sessionToken: 't',
    accountId: SERVICE_ACCOUNT,
    roleArn: r.arn,
    roleName: r.name,
    roleId: r.roleId,
    sessionName: 'fn',
    assumedRoleArn: `arn:aws:sts::${SERVICE_ACCOUNT}:assumed-role/${r.name}/fn`,
    expiration: '2099-01-01T00:00:00.000Z',
    sourceArn: 'lambda.amazonaws.com',
  };
  return {
    kind: 'assumed-role',
    accountId: SERVICE_ACCOUNT,
    arn: session.assumedRoleArn,
    userId: `${r.roleId}:fn`,
    role: r,
    session,
    accessKeyId: session.accessKeyId,
  };
}

const CALLERS: Array<[string, Principal]> = [
  ['service user', userCaller(SERVICE_ACCOUNT, 'eks-provisioner')],
  ['service role session', roleSessionCaller()],
  ['stranger', userCaller(STRANGER_ACCOUNT, 'attacker')],
  ["role B's own account", userCaller(CUSTOMER_ACCOUNT, 'admin-user')],
];
const EXTERNAL_IDS: Array<[string, string | undefined]> = [
  ['ours', XID],
  ["another tenant's", OTHER_TENANT_XID],
  ['random', RANDOM_XID],
  ['none', undefined],
];
const SESSION_NAMES = ['eks-provisioner-c-0123456789ab', 'anything-else'];

/** The sandbox's own STS operation, called as a signed request from `caller` would reach it. */
function sandboxAllows(
  trust: PolicyDocument,
  caller: Principal,
  externalId: string | undefined,
  sessionName: string,
): boolean {
  const world = new World(productWorld());
  world.data.roles.push(role(CUSTOMER_ACCOUNT, ROLE_B_NAME, trust));
  const ctx = {
    world,
    caller,
    region: 'us-east-1',
    accountId: caller.accountId,
    now: world.now(),
    requestId: 'r',
    service: 'sts',
    operation: 'AssumeRole',
    timeScale: 1,
  } as RequestContext;
  try {
    sts.operations.AssumeRole!(ctx, {
      RoleArn: ROLE_B_ARN,
      RoleSessionName: sessionName,
      ...(externalId ? { ExternalId: externalId } : {}),
    });
    return true;
  } catch (err) {
    if (err instanceof SandboxAwsError && err.code === 'AccessDenied') return false;
    throw err;
  }
}

/** The same request to the independent evaluator, with the context keys AWS would set. */
async function oracleAllows(
  trust: unknown,
  caller: Principal,
  externalId: string | undefined,
  sessionName: string,
): Promise<boolean> {
  const principalArn = caller.kind === 'assumed-role' ? caller.role.arn : caller.arn;
  const context: Record<string, string> = {
    'aws:PrincipalArn': principalArn,
    'aws:PrincipalAccount': caller.accountId,
    'aws:PrincipalType': caller.kind === 'user' ? 'User' : 'AssumedRole',
    'aws:userid': caller.userId,
    'aws:RequestedRegion': 'us-east-1',
    'aws:SecureTransport': 'true',
    'aws:PrincipalIsAWSService': 'false',
    'sts:RoleSessionName': sessionName,
    ...(caller.kind === 'user' ? { 'aws:username': caller.user.name } : {}),
    ...(externalId ? { 'sts:ExternalId': externalId } : {}),
  };
  const simulation: Simulation = {
    request: {
      principal: caller.arn,
      action: 'sts:AssumeRole',
      resource: { resource: ROLE_B_ARN, accountId: CUSTOMER_ACCOUNT },
      contextVariables: context,
    },
    identityPolicies: [{ name: 'assume', policy: ASSUME_ANY }],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: trust,
  };
  const result = await runSimulation(simulation, {});
  if (result.resultType === 'error') throw new Error(`oracle refused the simulation: ${JSON.stringify(result.errors)}`);
  return result.overallResult === 'Allowed';
}

const parsed = (policy: object | string) =>
  JSON.parse(typeof policy === 'string' ? policy : JSON.stringify(policy)) as unknown;

describe('sandbox AssumeRole decisions agree with an independent IAM evaluator', () => {
  const cases = TRUST_CORPUS.filter((c) => c.differential !== false);

  it('the corpus is large enough to mean something', () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const text = typeof c.policy === 'string' ? c.policy : JSON.stringify(c.policy);
    const trust = parsePolicyDocument(text, 'trust');
    const disagreements: string[] = [];
    for (const [callerName, caller] of CALLERS) {
      for (const [xidName, externalId] of EXTERNAL_IDS) {
        for (const sessionName of SESSION_NAMES) {
          const sandbox = sandboxAllows(trust, caller, externalId, sessionName);
          const oracle = await oracleAllows(parsed(c.policy), caller, externalId, sessionName);
          if (sandbox !== oracle)
            disagreements.push(
              `${callerName}, External ID ${xidName}, session ${sessionName}: sandbox ${sandbox ? 'allows' : 'denies'}, oracle ${oracle ? 'allows' : 'denies'}`,
            );
        }
      }
    }
    expect(disagreements).toEqual([]);
  });

  it("a policy the product's proof accepts never lets the service in without our External ID (per the oracle)", async () => {
    for (const c of cases.filter((x) => x.proof === 'accept')) {
      for (const [callerName, caller] of CALLERS.slice(0, 2)) {
        for (const [xidName, externalId] of EXTERNAL_IDS.slice(1)) {
          expect(
            await oracleAllows(parsed(c.policy), caller, externalId, SESSION_NAMES[0]!),
            `${c.name}: ${callerName} with ${xidName}`,
          ).toBe(false);
        }
      }
    }
  });
});

describe('CreateRole / UpdateAssumeRolePolicy refuse what AWS refuses', () => {
  it.each(MALFORMED_TRUST_POLICIES.map((m) => [m.name, m] as const))('%s → MalformedPolicyDocument', (_name, m) => {
    let err: unknown;
    try {
      parsePolicyDocument(JSON.stringify(m.policy), 'trust');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SandboxAwsError);
    expect((err as SandboxAwsError).code).toBe('MalformedPolicyDocument');
    expect((err as SandboxAwsError).message).toMatch(m.message);
  });

  it('every corpus document is a valid trust policy', () => {
    for (const c of TRUST_CORPUS)
      expect(
        () => parsePolicyDocument(typeof c.policy === 'string' ? c.policy : JSON.stringify(c.policy), 'trust'),
        c.name,
      ).not.toThrow();
  });
});

describe('the oracle stays test-only (AGPL)', () => {
  it('nothing that ships or runs the sandbox imports @cloud-copilot/iam-simulate; it is a devDependency', () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (
          entry.name === 'node_modules' ||
          entry.name.startsWith('.') ||
          entry.name === 'dist' ||
          entry.name === 'cdk.out'
        )
          continue;
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (
          /\.(ts|tsx|js|mjs)$/.test(entry.name) &&
          readFileSync(path, 'utf8').includes('@cloud-copilot/iam-simulate')
        )
          offenders.push(path.slice(root.length));
      }
    };
    for (const dir of ['functions', 'local', 'console', 'shared', 'cli', 'infra'])
      if (existsSync(join(root, dir))) walk(join(root, dir));
    expect(offenders).toEqual([]);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
    };
    expect(pkg.dependencies?.['@cloud-copilot/iam-simulate']).toBeUndefined();
    expect(pkg.devDependencies?.['@cloud-copilot/iam-simulate']).toBeDefined();
  });
});
