/**
 * AWS's policy evaluation as the oracle (@cloud-copilot/iam-simulate, a test-only devDependency):
 *
 * 1. Every Lambda role in the synthesized template allows every AWS call its function makes on the
 *    service side. The calls are derived from the code, not listed by hand: each function is bundled
 *    with the project's esbuild options (infra/bundling.ts, unminified so names survive) and every
 *    `new XCommand(` in our own modules (functions/…) is collected; the SDK module that defines
 *    `XCommand` in the same bundle names the service.
 *
 *    Calls in the customer's account are made with role B's credentials and need nothing from the
 *    service's role but sts:AssumeRole. They are told apart by the client factory: the EC2, EKS, IAM
 *    and CloudFormation clients are constructed only in functions/lib/aws/clients.ts from a
 *    RoleSession's clientConfig() (role B's credentials) — asserted below over every source file, so
 *    a service-side client of those services added later makes this test fail instead of slipping by.
 *    sts:GetCallerIdentity needs no permission (AWS: "No permissions are required to perform this
 *    operation").
 *
 *    The shared store (functions/lib/store/dynamo-store.ts) is one class: the bundle holds all its
 *    methods whichever the function calls, so its reads (GetItem, Query) are required of every
 *    function and its writes are the function's declared table tier (infra/functions.ts), checked by
 *    stack.test.ts.
 *
 * 2. The API's resource policy plus a customer's identity policy allow a cross-account invoke, and
 *    either alone does not.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiResourcePolicy, expandShorthand } from '../../infra/api-resource-policy.js';
import { esbuildOptions } from '../../infra/bundling.js';
import { FUNCTIONS, type FunctionName, functionEntry } from '../../infra/functions.js';
import { PROJECT_ROOT } from '../../infra/service-app.js';
import { resourcesOf, type Synthesized, synthService } from './synth.js';

const ACCOUNT = '111111111111';
const REGION = 'us-east-1';
const CUSTOMER = '222222222222';

/** SDK package → IAM service prefix. A package missing here fails the test (add it deliberately). */
const IAM_PREFIX: Record<string, string> = {
  'client-dynamodb': 'dynamodb',
  'lib-dynamodb': 'dynamodb',
  'client-sfn': 'states',
  'client-eventbridge': 'events',
  'client-sts': 'sts',
  'client-ec2': 'ec2',
  'client-eks': 'eks',
  'client-iam': 'iam',
  'client-cloudformation': 'cloudformation',
};
/** Services whose clients are built only from role B's credentials (asserted below). */
const ROLE_B_PACKAGES = ['client-ec2', 'client-eks', 'client-iam', 'client-cloudformation'];
const ROLE_B_CLIENTS = ['EC2Client', 'EKSClient', 'IAMClient', 'CloudFormationClient'];
/** lib-dynamodb's document commands → DynamoDB's operations. */
const DOCUMENT_OPERATIONS: Record<string, string> = {
  Get: 'GetItem',
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  Query: 'Query',
  Scan: 'Scan',
};
const STORE_MODULE = 'functions/lib/store/dynamo-store.ts';
const NO_PERMISSION_NEEDED = new Set(['sts:GetCallerIdentity']);

interface Call {
  action: string;
  module: string;
  roleB: boolean;
}

/** The SDK calls a function's own code constructs, from its bundle. */
async function callsOf(name: FunctionName): Promise<Call[]> {
  const r = await build({
    ...esbuildOptions(functionEntry(name), 'index.js'),
    absWorkingDir: PROJECT_ROOT,
    write: false,
    minify: false,
    sourcemap: false,
  });
  const text = r.outputFiles.find((o) => o.path.endsWith('.js'))!.text;
  // Which package defines each command class in this bundle (esbuild marks every module with its path).
  const packageOf = new Map<string, string[]>();
  for (const m of text.matchAll(/^\/\/ node_modules\/@aws-sdk\/([a-z0-9-]+)\/dist-es\/commands\/(\w+)Command\.js$/gm)) {
    (packageOf.get(m[2]!) ?? packageOf.set(m[2]!, []).get(m[2]!)!).push(m[1]!);
  }
  const calls: Call[] = [];
  let module = '';
  for (const line of text.split('\n')) {
    const marker = /^\/\/ (\S+\.(?:ts|js|mjs|cjs))$/.exec(line);
    if (marker) {
      module = marker[1]!;
      continue;
    }
    if (!module.startsWith('functions/')) continue;
    for (const c of line.matchAll(/new (\w+?)Command\d*\(/g)) {
      const packages = packageOf.get(c[1]!);
      if (!packages)
        throw new Error(`${name}: ${module} constructs ${c[1]}Command, which no AWS SDK module of the bundle defines`);
      // QueryCommand exists in client-dynamodb and lib-dynamodb: same service, same action.
      const pkg = packages[0]!;
      const prefix = IAM_PREFIX[pkg];
      if (!prefix) throw new Error(`${name}: no IAM prefix for @aws-sdk/${pkg}: add it to IAM_PREFIX`);
      const operation = pkg === 'lib-dynamodb' ? (DOCUMENT_OPERATIONS[c[1]!] ?? c[1]!) : c[1]!;
      calls.push({ action: `${prefix}:${operation}`, module, roleB: ROLE_B_PACKAGES.includes(pkg) });
    }
  }
  return calls;
}

// ---- CloudFormation values → concrete strings for the simulator ---------------------------------------

function concrete(template: Record<string, any>, value: unknown): any {
  if (Array.isArray(value)) return value.map((v) => concrete(template, v));
  if (!value || typeof value !== 'object') return value;
  const v = value as Record<string, any>;
  if ('Ref' in v) {
    const ref = v.Ref as string;
    if (ref === 'AWS::Partition') return 'aws';
    if (ref === 'AWS::Region') return REGION;
    if (ref === 'AWS::AccountId') return ACCOUNT;
    if (ref === 'AWS::URLSuffix') return 'amazonaws.com';
    const type = template.Resources[ref]?.Type;
    if (type === 'AWS::StepFunctions::StateMachine') return arnOf(template, ref);
    return ref; // tables, buses, log groups: Ref is the name; the logical id stands for it
  }
  if ('Fn::GetAtt' in v) {
    const [id, attr] = v['Fn::GetAtt'] as [string, string];
    return attr === 'Arn' ? arnOf(template, id) : attr === 'Name' ? id : `${id}.${attr}`;
  }
  if ('Fn::Join' in v) {
    const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
    return (concrete(template, parts) as string[]).join(sep);
  }
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, concrete(template, x)]));
}

function arnOf(template: Record<string, any>, id: string): string {
  switch (template.Resources[id]?.Type) {
    case 'AWS::DynamoDB::Table':
      return `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${id}`;
    case 'AWS::StepFunctions::StateMachine':
      return `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${id}`;
    case 'AWS::Events::EventBus':
      return `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/${id}`;
    case 'AWS::Logs::LogGroup':
      return `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${id}`;
    case 'AWS::KMS::Key':
      return `arn:aws:kms:${REGION}:${ACCOUNT}:key/${id}`;
    case 'AWS::Lambda::Function':
      return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${id}`;
    case 'AWS::IAM::Role':
      return `arn:aws:iam::${ACCOUNT}:role/${id}`;
    default:
      return `arn:aws:unknown:${REGION}:${ACCOUNT}:${id}`;
  }
}

/**
 * The simulator's decision. `identity`: the caller's side only — for sts:AssumeRole into a customer
 * account the other side is role B's trust policy, the customer's to write, not the service's.
 */
async function decide(
  sim: Omit<Simulation, 'serviceControlPolicies' | 'resourceControlPolicies'>,
  side: 'overall' | 'identity' = 'overall',
): Promise<string> {
  const r = await runSimulation({ serviceControlPolicies: [], resourceControlPolicies: [], ...sim }, {});
  if (r.resultType === 'error') throw new Error(`simulation input refused: ${JSON.stringify(r.errors)}`);
  if (side === 'identity') {
    if (r.resultType !== 'single') throw new Error('expected a single-resource simulation');
    return r.result.analysis.identityAnalysis?.result ?? 'NotApplicable';
  }
  return r.overallResult;
}

// ---- 1. Lambda roles ------------------------------------------------------------------------------

describe('every Lambda role allows the AWS calls its function makes (iam-simulate)', () => {
  let s: Synthesized;
  const calls = new Map<FunctionName, Call[]>();
  beforeAll(async () => {
    s = synthService();
    for (const f of FUNCTIONS) calls.set(f.name, await callsOf(f.name));
  }, 600_000);

  it('clients of the customer-side services are built only from role B credentials (the separation below relies on it)', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.ts')) files.push(p);
      }
    };
    walk(path.join(PROJECT_ROOT, 'functions'));
    const constructions = files.flatMap((f) =>
      [...fs.readFileSync(f, 'utf8').matchAll(new RegExp(`new (${ROLE_B_CLIENTS.join('|')})\\(([^)]*)`, 'g'))].map(
        (m) => ({ file: path.relative(PROJECT_ROOT, f), client: m[1]!, args: m[2]! }),
      ),
    );
    expect(constructions.length).toBe(ROLE_B_CLIENTS.length);
    for (const c of constructions) {
      expect(c.file, `${c.client}`).toBe(path.join('functions', 'lib', 'aws', 'clients.ts'));
      expect(c.args, `${c.client} in ${c.file}`).toMatch(/\bs\.clientConfig\(/);
    }
  });

  it('found the calls (the derivation is not empty)', () => {
    expect(calls.get('api')!.map((c) => c.action)).toEqual(
      expect.arrayContaining(['states:StartExecution', 'ec2:DescribeVpcs', 'sts:AssumeRole']),
    );
    expect(calls.get('record-ended-execution')!.map((c) => c.action)).toEqual(
      expect.arrayContaining(['events:PutEvents', 'dynamodb:UpdateItem']),
    );
  });

  for (const spec of FUNCTIONS) {
    it(`${spec.name}: service-side calls allowed, role-B calls covered by sts:AssumeRole`, async () => {
      const template = s.json;
      const fnId = resourcesOf(template, 'AWS::Lambda::Function').find(([id]) => id.startsWith(`${spec.id}Fn`))![0];
      const fn = template.Resources[fnId];
      const roleId = fn.Properties.Role['Fn::GetAtt'][0] as string;
      const identityPolicies = resourcesOf(template, 'AWS::IAM::Policy')
        .filter(([, p]) => (p.Properties.Roles as any[]).some((r) => r.Ref === roleId))
        .map(([id, p]) => ({ name: id, policy: concrete(template, p.Properties.PolicyDocument) }));
      const env = concrete(template, fn.Properties.Environment?.Variables ?? {}) as Record<string, string>;
      const tableArn = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${env.TABLE_NAME}`;
      const principal = arnOf(template, roleId);

      const own = calls.get(spec.name)!;
      const required = new Map<string, { resource: string; context?: Record<string, string | string[]> }[]>();
      const need = (action: string, resource: string, context?: Record<string, string | string[]>) =>
        (required.get(action) ?? required.set(action, []).get(action)!).push({
          resource,
          ...(context ? { context } : {}),
        });
      for (const c of own) {
        if (c.roleB || NO_PERMISSION_NEEDED.has(c.action)) continue;
        if (c.module === STORE_MODULE) continue; // the store's reads are required below; its writes are the table tier
        const [service] = c.action.split(':');
        if (c.action === 'sts:AssumeRole')
          need(c.action, `arn:aws:iam::${CUSTOMER}:role/eks-provisioner-provision`, {
            'sts:ExternalId': 'a'.repeat(32),
          });
        else if (service === 'dynamodb') need(c.action, tableArn);
        else if (service === 'events')
          need(c.action, `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/${env.EVENT_BUS_NAME}`);
        else if (c.action === 'states:StartExecution')
          for (const arn of [env.STATE_MACHINE_ARN, env.DELETE_STATE_MACHINE_ARN].filter(Boolean)) need(c.action, arn!);
        else if (c.action === 'states:DescribeExecution')
          need(c.action, `${env.STATE_MACHINE_ARN!.replace(':stateMachine:', ':execution:')}:c-1`);
        else throw new Error(`${spec.name}: no resource known for ${c.action} (from ${c.module}): extend this test`);
      }
      need('dynamodb:GetItem', tableArn);
      need('dynamodb:Query', tableArn);
      if (own.some((c) => c.roleB)) {
        expect(spec.assumesProvisionRole, `${spec.name} calls the customer's account`).toBe(true);
        need('sts:AssumeRole', `arn:aws:iam::${CUSTOMER}:role/eks-provisioner-provision`, {
          'sts:ExternalId': 'a'.repeat(32),
        });
      }

      const denied: string[] = [];
      for (const [action, uses] of required) {
        for (const u of uses) {
          const accountId = u.resource.split(':')[4] || ACCOUNT;
          const result = await decide(
            {
              request: {
                principal,
                action,
                resource: { resource: u.resource, accountId },
                contextVariables: u.context ?? {},
              },
              identityPolicies,
            },
            accountId === ACCOUNT ? 'overall' : 'identity',
          );
          if (result !== 'Allowed') denied.push(`${action} on ${u.resource}: ${result}`);
        }
      }
      expect(denied).toEqual([]);
    });
  }

  it('the oracle can say no: role B in the service account, and AssumeRole without an External ID, are denied', async () => {
    const template = s.json;
    const fnId = resourcesOf(template, 'AWS::Lambda::Function').find(([id]) => id.startsWith('ApiFn'))![0];
    const roleId = template.Resources[fnId].Properties.Role['Fn::GetAtt'][0] as string;
    const identityPolicies = resourcesOf(template, 'AWS::IAM::Policy')
      .filter(([, p]) => (p.Properties.Roles as any[]).some((r) => r.Ref === roleId))
      .map(([id, p]) => ({ name: id, policy: concrete(template, p.Properties.PolicyDocument) }));
    const ask = (resource: string, contextVariables: Record<string, string>) =>
      decide(
        {
          request: {
            principal: arnOf(template, roleId),
            action: 'sts:AssumeRole',
            resource: { resource, accountId: resource.split(':')[4]! },
            contextVariables,
          },
          identityPolicies,
        },
        'identity',
      );
    expect(await ask(`arn:aws:iam::${ACCOUNT}:role/eks-provisioner-provision`, { 'sts:ExternalId': 'x' })).toBe(
      'ExplicitlyDenied',
    );
    expect(await ask(`arn:aws:iam::${CUSTOMER}:role/eks-provisioner-provision`, {})).toBe('ImplicitlyDenied');
    expect(await ask(`arn:aws:iam::${CUSTOMER}:role/admin`, { 'sts:ExternalId': 'x' })).toBe('ImplicitlyDenied');
  });
});

// ---- 2. Cross-account invoke of the API -----------------------------------------------------------

describe("the API's resource policy and a customer's identity policy (iam-simulate)", () => {
  const api = `arn:aws:execute-api:${REGION}:${ACCOUNT}:a1b2c3d4e5`;
  const request = {
    principal: `arn:aws:iam::${CUSTOMER}:user/platform`,
    action: 'execute-api:Invoke',
    resource: { resource: `${api}/prod/POST/v1/clusters`, accountId: ACCOUNT },
    contextVariables: {},
  };
  const customerPolicy = {
    name: 'invoke-eks-provisioner',
    policy: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: `${api}/prod/*/v1/*` }],
    },
  };
  const resourcePolicy = (o: { allowedAccounts?: string[] } = {}) =>
    expandShorthand(apiResourcePolicy({ serviceAccountId: ACCOUNT, stageName: 'prod', ...o }), api);

  it('both allow → Allowed', async () => {
    expect(await decide({ request, identityPolicies: [customerPolicy], resourcePolicy: resourcePolicy() })).toBe(
      'Allowed',
    );
  });
  it('without the identity policy → denied', async () => {
    expect(await decide({ request, identityPolicies: [], resourcePolicy: resourcePolicy() })).not.toBe('Allowed');
  });
  it('without a resource-policy Allow for the account (no policy, or another account only) → denied', async () => {
    expect(await decide({ request, identityPolicies: [customerPolicy] })).not.toBe('Allowed');
    expect(
      await decide({
        request,
        identityPolicies: [customerPolicy],
        resourcePolicy: resourcePolicy({ allowedAccounts: ['333333333333'] }),
      }),
    ).not.toBe('Allowed');
  });
});
