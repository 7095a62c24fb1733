/**
 * The console for a new user who keeps the defaults (issue 18 §1–§2), in Debian's Chromium against
 * the local stack: the wizard to a kubeconfig the real kubectl uses to list the nodes (own identity,
 * proposed as administrator; and role B's profile as the page gives it), a tenant switch on a cluster
 * page, the API going down before a page's code was loaded, and paths that do not exist.
 * One browser and one stack for the file (2 cores); screenshots in .local/screenshots/.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_WORLD } from '../../local/runner/environment.js';
import { requireTool } from '../support/tools.js';
import { screenshot } from './browser.js';
import { ACCOUNT, authenticate, type ConsoleRig, fillSettings, next, startRig } from './wizard.js';

const run = promisify(execFile);
const haveChromium = !!requireTool('chromium', 'the console browser tests (test/browser)');
const haveKubectl =
  !!requireTool('kubectl', "the browser journey's kubectl steps") &&
  !!requireTool('aws', "the browser journey's kubectl steps (aws eks get-token)");

/** The customer's admin user, as an API caller: the tenant is their principal ARN. */
const ADMIN_ARN = `arn:aws:iam::${ACCOUNT}:user/admin`;

describe.skipIf(!haveChromium)('console: the default journey, tenant switch, API down', () => {
  let rig: ConsoleRig;
  let clusterPath: string | undefined;

  beforeAll(async () => {
    rig = await startRig('console-dist-journey');
  }, 120_000);
  afterAll(async () => rig?.stop());

  /** kubectl with the downloaded kubeconfig; AWS CLI config and credentials from the given files only. */
  async function kubectl(kubeconfig: string, env: Record<string, string>, ...args: string[]) {
    const scratch = mkdtempSync(join(tmpdir(), 'kubectl-browser-'));
    const file = join(scratch, 'config');
    writeFileSync(file, kubeconfig);
    const full = {
      PATH: process.env['PATH'] ?? '',
      HOME: scratch,
      KUBECACHEDIR: join(scratch, 'cache'),
      KUBECONFIG: file,
      AWS_ENDPOINT_URL: rig.e.sandboxUrl,
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      ...env,
    };
    return run('kubectl', args, { env: full, timeout: 60_000 }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (err: { code?: number; stdout?: string; stderr?: string }) => ({
        code: typeof err.code === 'number' ? err.code : 1,
        stdout: err.stdout ?? '',
        stderr: err.stderr ?? '',
      }),
    );
  }

  async function downloadKubeconfig(page: Awaited<ReturnType<ConsoleRig['open']>>): Promise<string> {
    const download = page.waitForEvent('download');
    await page.getByTestId('kubeconfig').click();
    return readFileSync(await (await download).path(), 'utf8');
  }

  it('wizard with the defaults → CREATED → a kubeconfig that kubectl uses to list the nodes (own identity, then role B’s profile)', async () => {
    const { e, open } = rig;
    const roleArn = await e.createRoleB({ name: 'eks-provisioner-journey', tenant: ADMIN_ARN });
    const page = await open(ADMIN_ARN);
    await authenticate(page, roleArn);
    await page.getByTestId('auth-success').waitFor();
    await next(page);
    await page.getByRole('heading', { name: 'Networking' }).waitFor();
    await fillSettings(page, { name: 'journey' });
    // The requester (an IAM user of role B's account) is proposed as cluster administrator, with the reason.
    await expect.poll(() => page.getByTestId('admin-principals').innerText()).toContain('admin');
    expect(await page.locator('body').innerText()).toContain(
      `You (${ADMIN_ARN}) are proposed so that kubectl works for you with your own AWS identity`,
    );
    // The review: every setting, what will be made, the endpoint's access, and the hourly cost with its source.
    await next(page);
    await page.getByRole('heading', { name: 'Estimated cost' }).waitFor();
    expect(await page.getByTestId('review-creates').innerText()).toMatch(/managed node group of 2 × t3\.medium/);
    expect(await page.getByTestId('review-endpoint').innerText()).toMatch(/public/);
    expect(await page.getByTestId('review-cost').innerText()).toMatch(
      /EKS control plane \(standard support\): \$0\.10 per hour[\s\S]*2 × t3\.medium at \$0\.0416 = \$0\.0832 per hour/,
    );
    expect(await page.getByTestId('review-total').innerText()).toBe('Total: $0.1832 per hour (about $134 per month)');
    expect(await page.locator('body').innerText()).toMatch(/price table shipped with this service, as of 2024-06/);
    await screenshot(page, 'journey-review');
    const sent = page.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === '/v1/clusters');
    await page.getByRole('button', { name: 'Create Kubernetes cluster', exact: true }).click();
    expect((await sent).postDataJSON()).toMatchObject({ name: 'journey', adminPrincipalArns: [ADMIN_ARN] });

    await page.waitForURL(/\/clusters\/[^/]+$/);
    clusterPath = new URL(page.url()).pathname;
    await expect
      .poll(() => page.getByTestId('cluster-status').innerText(), { timeout: 90_000 })
      .toMatch(/CREATED|FAILED/);
    expect(await page.getByTestId('cluster-status').innerText()).toContain('CREATED');
    expect(await page.getByTestId('access').innerText()).toContain(`${ADMIN_ARN} — cluster admin (administrator)`);
    expect(await page.getByTestId('kubectl-verdict').innerText()).toMatch(
      /Your AWS identity \(arn:aws:iam::222222222222:user\/admin\) has an access entry/,
    );
    await screenshot(page, 'journey-kubectl');

    // The recommended kubeconfig: the person's own identity (no AWS_PROFILE).
    const own = await downloadKubeconfig(page);
    expect(own).not.toContain('AWS_PROFILE');
    // Role B's profile, ready to copy, with this tenant's External ID.
    const setup = (await e.api('GET', '/v1/setup', undefined, ADMIN_ARN)).body;
    const profileText = (await page.getByTestId('role-B-profile').innerText()).trimEnd();
    expect(profileText).toBe(
      `[profile eks-provisioner-journey]\nrole_arn = ${roleArn}\nexternal_id = ${setup.externalId}\nsource_profile = default`,
    );
    expect(await page.getByTestId('access-entry-commands').innerText()).toMatch(
      /aws eks --region us-east-1 create-access-entry --cluster-name journey/,
    );
    await page.getByRole('radio', { name: /Role B, through the AWS CLI profile eks-provisioner-journey/ }).check();
    const viaRoleB = await downloadKubeconfig(page);
    expect(viaRoleB).toMatch(/name: AWS_PROFILE\s+value: eks-provisioner-journey/);
    expect(page.errors).toEqual([]);

    if (!haveKubectl) return;
    const customer = DEFAULT_WORLD.customer;
    const nodes = await kubectl(
      own,
      { AWS_ACCESS_KEY_ID: customer.accessKeyId, AWS_SECRET_ACCESS_KEY: customer.secretAccessKey },
      'get',
      'nodes',
      '--no-headers',
    );
    expect(nodes.code, nodes.stderr).toBe(0);
    expect(
      nodes.stdout
        .trim()
        .split('\n')
        .map((l) => l.split(/\s+/)[1]),
    ).toEqual(['Ready', 'Ready']);

    // Role B's profile exactly as the page shows it, its source profile holding the service's keys (a
    // self-managed install's operator): the AWS CLI assumes role B with the External ID.
    const aws = mkdtempSync(join(tmpdir(), 'aws-config-'));
    writeFileSync(join(aws, 'config'), `[default]\nregion = us-east-1\n\n${profileText}\n`);
    const svc = DEFAULT_WORLD.service;
    writeFileSync(
      join(aws, 'credentials'),
      `[default]\naws_access_key_id = ${svc.accessKeyId}\naws_secret_access_key = ${svc.secretAccessKey}\n`,
    );
    const asRoleB = await kubectl(
      viaRoleB,
      { AWS_CONFIG_FILE: join(aws, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(aws, 'credentials') },
      'get',
      'nodes',
      '--no-headers',
    );
    expect(asRoleB.code, asRoleB.stderr).toBe(0);
    expect(asRoleB.stdout.trim().split('\n')).toHaveLength(2);
    await page.close();
  }, 240_000);

  it('each settings field says what to do once it is left empty (the API schema, in the browser), and a taken name lands on the name field', async () => {
    const tenant = 'browser-blur';
    const roleArn = await rig.e.createRoleB({ name: 'eks-provisioner-blur', tenant });
    const page = await rig.open(tenant);
    await page.getByRole('heading', { name: 'Service identity' }).waitFor();
    await next(page);
    // Next before authenticating: the step says so...
    await page.getByLabel('Role ARN', { exact: true }).waitFor();
    await next(page);
    await page
      .getByText('Authenticate with AWS first: the cluster settings are loaded through role B.')
      .first()
      .waitFor();
    await page.getByLabel('Role ARN', { exact: true }).fill(roleArn);
    await page.getByRole('button', { name: 'Authenticate with AWS', exact: true }).click();
    await page.getByTestId('auth-success').waitFor();
    // ...and once authenticated, the green success stands alone.
    await expect.poll(() => page.locator('text=Authenticate with AWS first >> visible=true').count()).toBe(0);
    await next(page);
    await page.getByRole('heading', { name: 'Networking' }).waitFor();
    const FIELD: Record<string, string> = {
      'Kubernetes cluster name': 'name-field',
      'Number of nodes': 'node-count-field',
      'Service role': 'service-role-field',
      VPC: 'vpc-field',
    };
    const fieldOf = (label: string) => page.getByTestId(FIELD[label]!);
    // Nothing is said before a field is left.
    expect(await page.locator('body').innerText()).not.toMatch(/Choose a VPC\./);
    const name = page.getByLabel('Kubernetes cluster name', { exact: true });
    await name.focus();
    await name.blur();
    await expect.poll(() => fieldOf('Kubernetes cluster name').innerText()).toContain('Enter a name for the cluster.');
    await name.fill('Bad_Name!');
    await name.blur();
    await expect
      .poll(() => fieldOf('Kubernetes cluster name').innerText())
      .toMatch(/The name may contain only letters, digits and hyphens/);
    const count = page.getByTestId('node-count').locator('input');
    await count.fill('0');
    await count.blur();
    await expect
      .poll(() => fieldOf('Number of nodes').innerText())
      .toContain('Enter a whole number of nodes from 1 to 450.');
    for (const [testId, label, says] of [
      ['service-role', 'Service role', 'Choose the cluster service role (role A).'],
      ['vpc', 'VPC', 'Choose a VPC.'],
    ] as const) {
      const button = page.getByTestId(testId).locator('button').first();
      await button.focus();
      await button.blur();
      await expect.poll(() => fieldOf(label).innerText(), { message: testId }).toContain(says);
    }
    // Next refuses with one alert listing every problem; nothing is sent.
    await next(page);
    const alert = page.getByTestId('submit-problems');
    await alert.waitFor();
    expect(await alert.innerText()).toMatch(/name[\s\S]*serviceRoleArn[\s\S]*vpcId[\s\S]*subnetIds[\s\S]*nodeCount/);
    expect(await page.getByRole('alert').filter({ hasText: 'fix' }).count()).toBeLessThanOrEqual(1);
    await screenshot(page, 'blur-errors');

    // A name already used by a cluster in the account (409): said on the name field after Create.
    await fillSettings(page, { name: 'journey' });
    await count.fill('2');
    await next(page);
    await page.getByRole('heading', { name: 'Estimated cost' }).waitFor();
    await page.getByRole('button', { name: 'Create Kubernetes cluster', exact: true }).click();
    await expect.poll(() => fieldOf('Kubernetes cluster name').innerText(), { timeout: 30_000 }).toMatch(/journey/);
    expect(page.errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('a reload keeps the wizard; a FAILED cluster has "Edit and retry" with its settings; role B is remembered', async () => {
    const tenant = 'browser-retry';
    const roleArn = await rig.e.createRoleB({ name: 'eks-provisioner-retry', tenant });
    const page = await rig.open(tenant);
    await authenticate(page, roleArn);
    await page.getByTestId('auth-success').waitFor();
    await next(page);
    await page.getByRole('heading', { name: 'Networking' }).waitFor();
    await fillSettings(page, { name: 'retry-me', serviceRole: 'eks-cluster-role-no-policy' });
    // EKS would refuse this role A: said as an error on the field, before anything starts.
    await expect
      .poll(() => page.getByTestId('service-role-field').innerText())
      .toMatch(/does not have AmazonEKSClusterPolicy attached; EKS will refuse/);

    await page.reload();
    await page.getByRole('heading', { name: 'Networking' }).waitFor();
    expect(await page.getByLabel('Kubernetes cluster name', { exact: true }).inputValue()).toBe('retry-me');
    await expect.poll(() => page.getByTestId('vpc').innerText()).toContain('demo');
    await expect
      .poll(() => page.getByTestId('subnets-field').innerText())
      .toMatch(/3 selected in 3 Availability Zones/);

    await next(page);
    await page.getByRole('heading', { name: 'Estimated cost' }).waitFor();
    await page.getByRole('button', { name: 'Create Kubernetes cluster', exact: true }).click();
    await page.waitForURL(/\/clusters\/[^/]+$/);
    await expect.poll(() => page.getByTestId('cluster-status').innerText(), { timeout: 60_000 }).toContain('FAILED');

    await page.getByTestId('edit-and-retry').click();
    await page.getByRole('heading', { name: 'Networking' }).waitFor();
    expect(await page.getByLabel('Kubernetes cluster name', { exact: true }).inputValue()).toBe('retry-me');
    await expect.poll(() => page.getByTestId('service-role').innerText()).toContain('eks-cluster-role-no-policy');
    await expect
      .poll(() => page.getByTestId('subnets-field').innerText())
      .toMatch(/3 selected in 3 Availability Zones/);
    await screenshot(page, 'edit-and-retry');

    // Another tab (its own session): starts at the beginning, role B's ARN already filled in.
    const other = await rig.open(tenant);
    await other.getByRole('heading', { name: 'Service identity' }).waitFor();
    await next(other);
    expect(await other.getByLabel('Role ARN', { exact: true }).inputValue()).toBe(roleArn);
    expect(page.errors).toEqual([]);
    await other.close();
    await page.close();
  }, 150_000);

  it("switching tenant on a cluster page leaves the other tenant's cluster and its Delete button", async () => {
    expect(clusterPath, 'the journey made a cluster').toBeDefined();
    const page = await rig.open(ADMIN_ARN, clusterPath);
    await expect.poll(() => page.getByTestId('cluster-status').innerText()).toContain('CREATED');
    await page
      .getByRole('button', { name: /^Tenant ARN|^Tenant / })
      .first()
      .click();
    await page.getByTestId('tenant-input').locator('input').fill('someone-else');
    await page.getByTestId('tenant-save').click();
    await page.getByTestId('not-found').waitFor();
    expect(await page.getByRole('heading', { level: 1 }).first().innerText()).toBe('Cluster not found');
    expect(await page.getByTestId('cluster-status').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Delete', exact: true }).count()).toBe(0);
    expect(await page.locator('body').innerText()).not.toContain('NOT_FOUND');
    await page.close();
  }, 60_000);

  it('the API going down before a page’s code was loaded: what failed and Reload, never a white page', async () => {
    const page = await rig.open('browser-api-down');
    await page.getByRole('heading', { name: 'Service identity' }).waitFor();
    // Local mode loads without a red console error (config.json is served, not a 404).
    expect(page.consoleErrors).toEqual([]);
    // The API (which also serves the console's files) stops answering.
    await page.route('**/*', (route) => route.abort('connectionrefused'));
    await page.getByRole('link', { name: 'Clusters', exact: true }).click();
    await page.getByTestId('page-error').waitFor();
    expect(await page.getByTestId('page-error').innerText()).toMatch(/This page could not be loaded[\s\S]*Reload/);
    expect(page.errors).toEqual([]);
    await screenshot(page, 'api-down-lazy-page');
    // Back up: Reload brings the page.
    await page.unroute('**/*');
    await page.getByTestId('reload').click();
    await page.getByRole('heading', { name: 'Clusters' }).first().waitFor();
    await page.close();
  }, 60_000);

  it('paths that do not exist say so: /anything and an unknown cluster id', async () => {
    const page = await rig.open('browser-not-found', '/anything');
    await page.getByTestId('not-found').waitFor();
    expect(await page.locator('body').innerText()).toMatch(/Page not found[\s\S]*There is no page at \/anything/);
    await page.goto(`${rig.e.stack.apiUrl}/clusters/00000000-0000-4000-8000-000000000000`);
    await page.getByTestId('not-found').waitFor();
    const text = await page.locator('body').innerText();
    expect(text).toMatch(/Cluster not found/);
    expect(text).not.toContain('NOT_FOUND');
    await page.close();
  }, 60_000);
});
