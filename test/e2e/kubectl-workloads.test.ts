/**
 * What a person types first on a new cluster, with the real kubectl against the sandbox's Kubernetes API:
 * `get pods -A`, `describe node`, `label node`, `auth can-i [--list]`, `auth whoami`, `apply -f` of a
 * Deployment. /usr/bin/kubectl is a dispatcher that runs the kubectl matching the server's minor version
 * (kubectl.1.33 against the sandbox's 1.33 clusters) or, when the server's answer is slow, its own 1.32.4;
 * the versioned clients are also run directly. Tokens come from `aws eks get-token`, as in the product's
 * kubeconfig. Skips with a message where kubectl or the AWS CLI is not installed.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { DescribeClusterCommand } from '@aws-sdk/client-eks';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../local/sandbox/server.js';
import { CUSTOMER_ACCOUNT_ID, eksParameters, eksTemplate } from '../sandbox/cloudformation-fixtures.js';
import { clients, customerCreds, start, waitForStack } from '../sandbox/helpers.js';
import { addNamespaceUser } from '../support/eks-access.js';
import { requireTool } from '../support/tools.js';

const run = promisify(execFile);

// Under CI=true a missing kubectl or AWS CLI fails the file instead of skipping it (test/support/tools.ts).
const tools =
  !!requireTool('kubectl', 'the kubectl workload e2e (test/e2e/kubectl-workloads)') &&
  !!requireTool('aws', 'the kubectl workload e2e (aws eks get-token)');
/** The versioned clients the dispatcher runs, where it has them (the sandbox serves 1.31–1.33). */
const versioned = await (async () => {
  try {
    const dir = dirname(realpathSync((await run('sh', ['-c', 'command -v kubectl'])).stdout.trim()));
    return ['1.32', '1.33'].map((v) => join(dir, `kubectl.${v}`)).filter((f) => existsSync(f));
  } catch {
    return [];
  }
})();

let sb: Sandbox;
let dir: string;
let server: string;
let caData: string;
const developer: AwsCredentialIdentity = {
  accessKeyId: 'AKIADEVELOPER0000003',
  secretAccessKey: 'developer/secret/key/EXAMPLEKEY0000000003',
};

function kubeconfigFor(creds: AwsCredentialIdentity): string {
  const file = join(dir, `config-${creds.accessKeyId}`);
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'wl', cluster: { server, 'certificate-authority-data': caData } }],
      users: [
        {
          name: 'u',
          user: {
            exec: {
              apiVersion: 'client.authentication.k8s.io/v1beta1',
              command: 'aws',
              args: ['eks', 'get-token', '--cluster-name', 'wl', '--region', 'us-east-1'],
              interactiveMode: 'Never',
              env: [
                { name: 'AWS_ENDPOINT_URL', value: sb.url },
                { name: 'AWS_ACCESS_KEY_ID', value: creds.accessKeyId },
                { name: 'AWS_SECRET_ACCESS_KEY', value: creds.secretAccessKey },
                { name: 'AWS_CONFIG_FILE', value: '/dev/null' },
                { name: 'AWS_SHARED_CREDENTIALS_FILE', value: '/dev/null' },
              ],
            },
          },
        },
      ],
      contexts: [{ name: 'ctx', context: { cluster: 'wl', user: 'u' } }],
      'current-context': 'ctx',
    }),
  );
  return file;
}

/** kubectl as a person with these AWS keys; `--kubectl-binary <path>` first runs that binary instead of the dispatcher. */
async function kubectl(
  creds: AwsCredentialIdentity,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    ...process.env,
    KUBECONFIG: kubeconfigFor(creds),
    KUBECACHEDIR: mkdtempSync(join(tmpdir(), 'kubectl-cache-')),
  };
  const [bin, rest] = args[0] === '--kubectl-binary' ? [args[1]!, args.slice(2)] : ['kubectl', args];
  try {
    const r = await run(bin, rest, { env, timeout: 90_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const x = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === 'number' ? x.code : 1, stdout: x.stdout ?? '', stderr: x.stderr ?? '' };
  }
}

const admin = (...args: string[]) => kubectl(customerCreds, ...args);

beforeAll(async () => {
  if (!tools) return;
  sb = await start({ timeScale: 20_000 });
  const c = clients(sb, customerCreds);
  await c.cfn.send(
    new CreateStackCommand({
      StackName: 'wl-stack',
      TemplateBody: JSON.stringify(eksTemplate()),
      Parameters: eksParameters({ ClusterName: 'wl' }),
      Capabilities: ['CAPABILITY_IAM'],
    }),
  );
  expect((await waitForStack(c.cfn, 'wl-stack')).StackStatus).toBe('CREATE_COMPLETE');
  const cluster = (await c.eks.send(new DescribeClusterCommand({ name: 'wl' }))).cluster!;
  server = cluster.endpoint!;
  caData = cluster.certificateAuthority!.data!;
  dir = mkdtempSync(join(tmpdir(), 'kubeconfig-'));
  addNamespaceUser(sb.world, {
    clusterName: 'wl',
    name: 'dev',
    userId: 'AIDADEV0000000000003',
    credentials: developer,
    policy: 'AmazonEKSEditPolicy',
    namespaces: ['team-a'],
  });
}, 60_000);

afterAll(async () => {
  await sb?.stop();
});

describe.skipIf(!tools)('the first kubectl commands on a new cluster (real kubectl)', () => {
  it('each versioned kubectl behind the dispatcher (1.32, 1.33): get pods -A, auth can-i and whoami (protobuf requests)', async () => {
    // /usr/bin/kubectl is a dispatcher: it asks the server its version and runs the matching kubectl.1.NN,
    // falling back to its built-in 1.32.4 when that answer is slow. Both clients must work.
    for (const bin of versioned) {
      const pods = await kubectl(customerCreds, '--kubectl-binary', bin, 'get', 'pods', '-A', '--no-headers');
      expect(pods.code, `${bin}: ${pods.stderr}`).toBe(0);
      expect(pods.stdout.trim().split('\n')).toHaveLength(10);
      const yes = await kubectl(
        developer,
        '--kubectl-binary',
        bin,
        'auth',
        'can-i',
        'create',
        'deployments',
        '-n',
        'team-a',
      );
      expect([bin, yes.code, yes.stdout.trim()]).toEqual([bin, 0, 'yes']);
      const who = await kubectl(
        developer,
        '--kubectl-binary',
        bin,
        'auth',
        'whoami',
        '-o',
        'jsonpath={.status.userInfo.username}',
      );
      expect([bin, who.stdout]).toEqual([bin, `arn:aws:iam::${CUSTOMER_ACCOUNT_ID}:user/dev`]);
    }
  }, 240_000);

  it('kubectl get pods -A: the system pods, Running; -o wide shows node and IP', async () => {
    const r = await admin('get', 'pods', '-A');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]!.split(/\s{2,}/)).toEqual(['NAMESPACE', 'NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    const rows = lines.slice(1).map((l) => l.split(/\s+/));
    const names = rows.map(
      (c) =>
        ['aws-node', 'coredns', 'ebs-csi-controller', 'ebs-csi-node', 'kube-proxy'].find((p) =>
          c[1]!.startsWith(`${p}-`),
        ) ?? c[1],
    );
    expect(names.sort()).toEqual([
      'aws-node',
      'aws-node',
      'coredns',
      'coredns',
      'ebs-csi-controller',
      'ebs-csi-controller',
      'ebs-csi-node',
      'ebs-csi-node',
      'kube-proxy',
      'kube-proxy',
    ]);
    for (const c of rows) expect([c[0], c[3]]).toEqual(['kube-system', 'Running']);
    expect(rows.find((c) => c[1]!.startsWith('aws-node-'))![2]).toBe('2/2');
    const wide = await admin('get', 'pods', '-A', '-o', 'wide');
    expect(wide.stdout.split('\n')[0]).toMatch(/IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES/);
    expect(wide.stdout).toMatch(/ip-10-0-\d+-\d+\.ec2\.internal/);
  }, 120_000);

  it('kubectl describe node: labels, conditions, capacity, its non-terminated pods, no events', async () => {
    const node = (await admin('get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}')).stdout;
    const r = await admin('describe', 'node', node);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Name:\\s+${node.replace(/\./g, '\\.')}`));
    expect(r.stdout).toMatch(/Ready\s+True/);
    expect(r.stdout).toMatch(/Non-terminated Pods:\s+\(\d+ in total\)/);
    expect(r.stdout).toMatch(/kube-system\s+aws-node-/);
    expect(r.stdout).toMatch(/HolderIdentity:\s+ip-/);
    expect(r.stdout).not.toMatch(/-9223372036854775808%|Failed to get lease/);
    expect(r.stdout).toMatch(/Events:\s+<none>/);
  }, 120_000);

  it('kubectl label node: the label sticks; the Edit-policy developer is refused', async () => {
    const node = (await admin('get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}')).stdout;
    const r = await admin('label', 'node', node, 'team=blue');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(`node/${node} labeled`);
    expect((await admin('get', 'node', node, '-o', 'jsonpath={.metadata.labels.team}')).stdout).toBe('blue');
    const again = await admin('label', 'node', node, 'team=red');
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/'team' already has a value \(blue\), and --overwrite is false/);
    // kubectl reads the node before it patches it: the refusal is for get.
    const denied = await kubectl(developer, 'label', 'node', node, 'x=y');
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain(
      `nodes "${node}" is forbidden: User "arn:aws:iam::${CUSTOMER_ACCOUNT_ID}:user/dev" cannot get resource "nodes" in API group "" at the cluster scope`,
    );
  }, 120_000);

  it('kubectl auth can-i / --list / whoami, with kubectl sending protobuf', async () => {
    const yes = await admin('auth', 'can-i', 'create', 'deployments', '-n', 'x');
    expect([yes.code, yes.stdout.trim()]).toEqual([0, 'yes']);
    const no = await kubectl(developer, 'auth', 'can-i', 'create', 'deployments', '-n', 'x');
    expect([no.code, no.stdout.trim()]).toEqual([1, 'no']);
    const mine = await kubectl(developer, 'auth', 'can-i', 'create', 'deployments', '-n', 'team-a');
    expect([mine.code, mine.stdout.trim()]).toEqual([0, 'yes']);
    const list = await kubectl(developer, 'auth', 'can-i', '--list', '-n', 'team-a');
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]/);
    expect(list.stderr).toMatch(/the list may be incomplete: webhook authorizer does not support user rule resolution/);
    const who = await kubectl(developer, 'auth', 'whoami');
    expect(who.code, who.stderr).toBe(0);
    expect(who.stdout).toMatch(new RegExp(`Username\\s+arn:aws:iam::${CUSTOMER_ACCOUNT_ID}:user/dev`));
    expect(who.stdout).toMatch(/Extra: canonicalArn\s+\[arn:aws:iam::\d+:user\/dev\]/);
    expect(who.stdout).toMatch(/Extra: principalId\s+\[AIDADEV0000000000003\]/);
    expect(who.stdout).not.toContain(developer.secretAccessKey);
  }, 180_000);

  it('kubectl apply -f of a Deployment: created, pods Ready, re-applied (configured, unchanged); a field typo refused by the server', async () => {
    const file = join(dir, 'web.yaml');
    const manifest = (replicas: number) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: default\nspec:\n  replicas: ${replicas}\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: nginx\n        image: nginx:1.27\n`;
    writeFileSync(file, manifest(3));
    const created = await admin('apply', '-f', file);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout.trim()).toBe('deployment.apps/web created');
    const got = await admin('get', 'deployment', 'web', '--no-headers');
    expect(got.stdout.split(/\s+/).slice(0, 4)).toEqual(['web', '3/3', '3', '3']);
    expect((await admin('get', 'pods', '-l', 'app=web', '--no-headers')).stdout.trim().split('\n')).toHaveLength(3);
    writeFileSync(file, manifest(2));
    expect((await admin('apply', '-f', file)).stdout.trim()).toBe('deployment.apps/web configured');
    expect((await admin('apply', '-f', file)).stdout.trim()).toBe('deployment.apps/web unchanged');
    expect((await admin('get', 'pods', '-l', 'app=web', '--no-headers')).stdout.trim().split('\n')).toHaveLength(2);
    // A typo in a field: server-side strict validation, as kubectl asks for it.
    writeFileSync(file, manifest(2).replace('replicas:', 'replica:'));
    const typo = await admin('apply', '-f', file);
    expect(typo.code).not.toBe(0);
    expect(typo.stderr).toMatch(/unknown field "spec.replica"/);
  }, 240_000);
});
