/**
 * After CREATED, as a new user would: the product's kubeconfig with the real kubectl (1.32) and the AWS
 * CLI's `aws eks get-token`, against the sandbox's Kubernetes API. The customer's admin user is named in
 * adminPrincipalArns; a CI role in deployPrincipalArns; the service's own user has no access entry.
 * Skips with a message where kubectl or the AWS CLI is not installed.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_WORLD } from '../../local/runner/environment.js';
import { requireTool } from '../support/tools.js';
import { type ClusterRecord, E2E } from './harness.js';

const run = promisify(execFile);

// kubectl, and the AWS CLI for the kubeconfig's `aws eks get-token`.
const kubectlTool = requireTool('kubectl', 'kubectl against a created cluster (test/e2e/kubectl)');
const awsTool = requireTool('aws', 'kubectl against a created cluster (test/e2e/kubectl: aws eks get-token)');
const tools = !!kubectlTool && !!awsTool;

let e: E2E;
let record: ClusterRecord & { outputs?: Record<string, any> };
let kubeconfigFile: string;
const CUSTOMER = DEFAULT_WORLD.customer;

/** kubectl as a person with these AWS keys: the kubeconfig's exec runs `aws eks get-token` with them. */
async function kubectl(
  keys: { accessKeyId: string; secretAccessKey: string },
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    ...process.env,
    // kubectl's discovery cache in a scratch directory; the user's own ~/.kube is not touched.
    KUBECACHEDIR: mkdtempSync(join(tmpdir(), 'kubectl-cache-')),
    KUBECONFIG: kubeconfigFile,
    AWS_ACCESS_KEY_ID: keys.accessKeyId,
    AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
    AWS_ENDPOINT_URL: e.sandboxUrl,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  };
  try {
    const r = await run('kubectl', args, { env, timeout: 60_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const x = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === 'number' ? x.code : 1, stdout: x.stdout ?? '', stderr: x.stderr ?? '' };
  }
}

beforeAll(async () => {
  if (!tools) return;
  e = await E2E.start();
  const tenant = 'e2e-kubectl';
  const setup = await e.api('GET', '/v1/setup', undefined, tenant);
  expect(setup.status).toBe(200);
  const roleArn = await e.createRoleB({ name: 'eks-provisioner-kubectl', tenant });
  expect((await e.api('POST', '/v1/roles', { roleArn, region: 'us-east-1' }, tenant)).status).toBe(200);
  const iam = new IAMClient({
    region: 'us-east-1',
    endpoint: e.sandboxUrl,
    credentials: { accessKeyId: CUSTOMER.accessKeyId, secretAccessKey: CUSTOMER.secretAccessKey },
  });
  const trust = {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${CUSTOMER.accountId}:root` }, Action: 'sts:AssumeRole' },
    ],
  };
  await iam.send(new CreateRoleCommand({ RoleName: 'ci-deployer', AssumeRolePolicyDocument: JSON.stringify(trust) }));
  iam.destroy();
  const posted = await e.api(
    'POST',
    '/v1/clusters',
    e.settings({
      name: 'e2e-kubectl',
      provisionRoleArn: roleArn,
      environmentScope: 'production',
      adminPrincipalArns: [`arn:aws:iam::${CUSTOMER.accountId}:user/admin`],
      deployPrincipalArns: [`arn:aws:iam::${CUSTOMER.accountId}:role/ci-deployer`],
    }),
    tenant,
  );
  expect(posted.status, posted.text).toBe(202);
  record = await e.follow(posted.body.id, tenant);
  kubeconfigFile = join(mkdtempSync(join(tmpdir(), 'kubeconfig-')), 'config');
  writeFileSync(kubeconfigFile, String(record.outputs?.['kubeconfig'] ?? ''));
}, 180_000);

afterAll(async () => {
  await e?.stop();
});

describe.skipIf(!tools)('kubectl against the created cluster', () => {
  it('CREATED: nodes Ready, one default StorageClass, the managed namespace, and who has access, on the record', () => {
    expect(record.status, JSON.stringify(record.diagnosis)).toBe('CREATED');
    const out = record.outputs as Record<string, any>;
    expect(out['configuration']).toMatchObject({
      nodesReady: 2,
      nodesExpected: 2,
      storageClass: { name: 'ebs-csi-default-sc', provisioner: 'ebs.csi.aws.com', created: false },
      namespaces: [{ name: 'production', serviceAccount: 'deployer', clusterRole: 'edit' }],
    });
    expect(out['access']).toEqual([
      {
        principalArn: expect.stringMatching(/:role\/eks-provisioner-kubectl$/),
        access: 'cluster-admin',
        source: 'creator',
      },
      {
        principalArn: `arn:aws:iam::${CUSTOMER.accountId}:user/admin`,
        access: 'cluster-admin',
        source: 'adminPrincipalArns',
      },
      {
        principalArn: `arn:aws:iam::${CUSTOMER.accountId}:role/ci-deployer`,
        access: 'edit',
        namespaces: ['production'],
        source: 'deployPrincipalArns',
      },
    ]);
  });

  it('the admin user: kubectl get nodes (Ready), storageclass (one default), namespaces (the managed one)', async () => {
    const keys = { accessKeyId: CUSTOMER.accessKeyId, secretAccessKey: CUSTOMER.secretAccessKey };
    const nodes = await kubectl(keys, 'get', 'nodes', '--no-headers');
    expect(nodes.code, nodes.stderr).toBe(0);
    const lines = nodes.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(l.split(/\s+/)[1]).toBe('Ready');
    const sc = await kubectl(keys, 'get', 'storageclass', '--no-headers');
    expect(sc.code, sc.stderr).toBe(0);
    expect(sc.stdout.split('\n').filter((l) => l.includes('(default)'))).toHaveLength(1);
    const ns = await kubectl(keys, 'get', 'namespaces', '-o', 'name');
    expect(ns.stdout.split('\n')).toContain('namespace/production');
    const sa = await kubectl(keys, 'get', 'serviceaccount', 'deployer', '-n', 'production', '-o', 'name');
    expect(sa.stdout.trim()).toBe('serviceaccount/deployer');
    const rb = await kubectl(
      keys,
      'get',
      'rolebinding',
      'deployer-edit',
      '-n',
      'production',
      '-o',
      'jsonpath={.roleRef.name}',
    );
    expect(rb.stdout).toBe('edit');
  }, 180_000);

  it('a principal without an access entry is not a user of the cluster (401, as EKS answers)', async () => {
    const svc = DEFAULT_WORLD.service;
    const r = await kubectl({ accessKeyId: svc.accessKeyId, secretAccessKey: svc.secretAccessKey }, 'get', 'nodes');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/the server has asked for the client to provide credentials/);
  }, 120_000);
});
