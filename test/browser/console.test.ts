/**
 * The web console in Debian's Chromium against the local stack: the seed's journey to CREATED, the
 * seed's troubleshooting cases as a person meets them, keyboard-only use, and an axe-core scan of
 * every step. One browser and one stack for the whole file (2 cores). Screenshots: .local/screenshots/.
 */

import { fileURLToPath } from 'node:url';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import type { Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { ensureConsoleBuilt } from '../../local/console/build.js';
import { DEFAULT_WORLD } from '../../local/runner/environment.js';
import { startLocalStack } from '../../local/runner/stack.js';
import { E2E } from '../e2e/harness.js';
import { requireTool } from '../support/tools.js';
import { axeSerious, axeSeriousNow, type Browser, launch, screenshot, tabTo, tabToButton } from './browser.js';

// The page's globals inside page.evaluate callbacks (this file is type-checked without the DOM library).
declare const window: { localStorage: { setItem(k: string, v: string): void } };

// This file's console build lives in .local/, so console/dist (which the CDK stack deploys) is never rewritten mid-suite.
process.env['EKS_PROVISIONER_CONSOLE_DIST'] ||= fileURLToPath(
  new URL('../../.local/console-dist-test/', import.meta.url),
);

// The tests' caps are wide: the keyboard journey took 39-124 s across runs on 2 shared cores
// (load average above 20); a cap is a limit, never a wait. expect.poll's cap is set in browser.ts.

const haveChromium = !!requireTool('chromium', 'the console browser tests (test/browser)');

const ACCOUNT = '222222222222';
const REGION = 'us-east-1';
const GOOD_SUBNETS = ['demo-us-east-1a', 'demo-us-east-1b', 'demo-us-east-1c'];

describe.skipIf(!haveChromium)('web console in Chromium', () => {
  let e: E2E;
  let browser: Browser;

  beforeAll(async () => {
    await ensureConsoleBuilt();
    // Time ×100, not the e2e ×600: a person watches the progress page, and on a loaded machine ×600 turns
    // a few slow wall seconds into the state machine's own time limit (EXECUTION_TIMED_OUT).
    const silent = { info: () => undefined, error: () => undefined };
    const stack = startLocalStack({
      sandboxPort: 0,
      apiPort: 0,
      timeScale: 100,
      log: () => undefined,
      ...(process.env['E2E_VERBOSE'] ? {} : { apiLog: silent }),
    });
    [e, browser] = await Promise.all([stack.then((s) => new E2E(s)), launch()]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await e?.stop();
  });

  /** A page for `tenant` (the header's tenant picker persists it in localStorage). */
  async function open(tenant: string, path = '/'): Promise<Page> {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    (page as Page & { errors?: string[] }).errors = errors;
    await page.goto(`${e.stack.apiUrl}/clusters`);
    await page.evaluate((t) => window.localStorage.setItem('eks-provisioner.tenant', t), tenant);
    await page.goto(`${e.stack.apiUrl}${path}`);
    // What the page looked like when a test failed: an artefact next to the step screenshots.
    onTestFailed(async () => {
      if (!page.isClosed()) await screenshot(page, `failed-${tenant}`).catch(() => undefined);
    });
    return page;
  }

  async function expectAccessible(page: Page, step: string) {
    const v = await axeSerious(page);
    expect(v, `${step}: ${JSON.stringify(v, null, 1)}`).toEqual([]);
  }

  it('axe measures a settled page: a fade-in caught mid-way has blended colours, the settled one has its own', async () => {
    // The delete-refused dialog's code, as it settles: #656871 on #fff5f5 (5.2:1), fading in from opacity 0.2.
    const page = await browser.context.newPage();
    await page.setContent(`<!doctype html><html lang="en"><head><title>fade</title><style>
      @keyframes fade { from { opacity: 0.2 } to { opacity: 1 } }
      .alert { background: #fff5f5; padding: 8px; animation: fade 1.5s linear }
      small { color: #656871 }
    </style></head><body><main><div class="alert"><p>Delete refused <small>(DELETE_NOT_PERMITTED)</small></p></div></main></body></html>`);
    // Hold the fade at its start (opacity 0.2) while axe measures "now", then let it run: axeSerious waits it out.
    const fade = (op: 'pause' | 'play') =>
      page.evaluate(
        (o) =>
          (globalThis as unknown as { document: { getAnimations(): Array<{ pause(): void; play(): void }> } }).document
            .getAnimations()
            .forEach((a) => {
              a[o]();
            }),
        op,
      );
    await fade('pause');
    const midFade = await axeSeriousNow(page);
    expect(midFade.map((v) => v.id)).toContain('color-contrast');
    await fade('play');
    expect(await axeSerious(page)).toEqual([]);
    await page.close();
  });

  /** IAM roles in the customer's account, as their CI system would have (EKS refuses access entries for missing ones). */
  async function createCiRoles(names: string[]): Promise<string[]> {
    const iam = new IAMClient({
      region: REGION,
      endpoint: e.sandboxUrl,
      credentials: {
        accessKeyId: DEFAULT_WORLD.customer.accessKeyId,
        secretAccessKey: DEFAULT_WORLD.customer.secretAccessKey,
      },
    });
    const trust = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' }],
    };
    try {
      for (const RoleName of names)
        await iam.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: JSON.stringify(trust) }));
    } finally {
      iam.destroy();
    }
    return names.map((n) => `arn:aws:iam::${ACCOUNT}:role/${n}`);
  }

  const next = (page: Page) => page.getByRole('button', { name: 'Next', exact: true }).click();

  /** Settings → the review step (every setting, what will be made, the cost) → "Create Kubernetes cluster". */
  async function reviewAndCreate(page: Page) {
    await next(page);
    await page.getByRole('heading', { name: 'Estimated cost' }).waitFor();
    await page.getByRole('button', { name: 'Create Kubernetes cluster', exact: true }).click();
  }

  async function authenticate(page: Page, roleArn: string, region = REGION) {
    await page.getByRole('heading', { name: 'Service identity' }).waitFor();
    await next(page);
    await page.getByLabel('Role ARN', { exact: true }).fill(roleArn);
    await page.getByRole('combobox', { name: 'Cluster Region' }).fill(region);
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Authenticate with AWS', exact: true }).click();
  }

  async function choose(page: Page, testId: string, option: string | RegExp) {
    const field = page.getByTestId(testId);
    const open = () => field.locator('button[aria-expanded=true]').count();
    // A dependent list (e.g. instance types after the subnets change) may be re-rendered under the
    // pointer while it reloads; the click then lands on an option that is gone. Pick again, at most 3 times.
    for (let attempt = 1; ; attempt++) {
      if ((await open()) === 0) await field.locator('button').first().click();
      try {
        await page.getByRole('option', { name: option }).first().click();
      } catch (err) {
        await screenshot(page, `failed-choose-${testId}`);
        throw err;
      }
      const closed = await expect
        .poll(open, { timeout: 2_000 })
        .toBe(0)
        .then(
          () => true,
          () => false,
        );
      if (closed) return;
      if (attempt === 3) {
        await screenshot(page, `failed-close-${testId}`);
        throw new Error(`${testId} stays open after ${attempt} picks of ${String(option)}`);
      }
    }
  }

  async function chooseMany(page: Page, testId: string, options: string[]) {
    const field = page.getByTestId(testId);
    // As in choose(): a list that reloads under the pointer (security groups after the VPC) can swallow a
    // pick. The chosen options show as tokens in the field; pick the missing ones again, at most 3 times.
    for (let attempt = 1; ; attempt++) {
      const shown = await field.innerText();
      const missing = options.filter((o) => !shown.includes(o));
      if (missing.length === 0) return;
      if (attempt > 3) {
        await screenshot(page, `failed-choose-many-${testId}`);
        throw new Error(`${testId}: ${missing.join(', ')} not selected after 3 attempts`);
      }
      await field.locator('button').first().click();
      for (const o of missing)
        await page
          .getByRole('option', { name: new RegExp(o) })
          .first()
          .click();
      await page.keyboard.press('Escape');
      await expect
        .poll(() => field.innerText(), { timeout: 2_000 })
        .toContain(missing[missing.length - 1]!)
        .catch(() => undefined);
    }
  }

  async function fillSettings(page: Page, o: { name: string; serviceRole?: string; subnets?: string[] }) {
    await page.getByLabel('Kubernetes cluster name', { exact: true }).fill(o.name);
    await choose(page, 'service-role', new RegExp(`^${o.serviceRole ?? 'eks-cluster-role'}\\b`));
    await choose(page, 'vpc', /demo/);
    await chooseMany(page, 'subnets', o.subnets ?? GOOD_SUBNETS);
    await chooseMany(page, 'security-groups', ['demo-eks']);
    await choose(page, 'instance-type', /t3\.medium/);
    await choose(page, 'key-pair', /demo-key/);
  }

  it('the seed journey with the mouse: set-up → Authenticate with AWS → settings (field errors on their fields) → progress → CREATED → clusters list', async () => {
    const tenant = 'browser-happy';
    const roleArn = await e.createRoleB({ name: 'eks-provisioner-browser', tenant });
    const setup = (await e.api('GET', '/v1/setup', undefined, tenant)).body;
    const page = await open(tenant);

    // 1. Set-up: the service's Account ID and this tenant's External ID, policies as JSON.
    await page.getByRole('heading', { name: 'Service identity' }).waitFor();
    await expect.poll(() => page.getByText(setup.externalId).first().isVisible()).toBe(true);
    await expect.poll(() => page.getByText(setup.accountId).first().isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Copy External ID' }).count()).toBe(1);
    expect(await page.getByLabel('trust policy', { exact: true }).innerText()).toContain(setup.externalId);
    await screenshot(page, '1-setup');
    await expectAccessible(page, 'set-up');

    // 2. Authenticate with AWS.
    await authenticate(page, roleArn);
    await page.getByText('Authenticated with AWS').waitFor();
    await screenshot(page, '2-authenticate');
    await expectAccessible(page, 'authenticate');
    await next(page);

    // 3. Cluster settings: lists through role B.
    await page.getByRole('heading', { name: 'Networking' }).waitFor();
    await fillSettings(page, { name: 'Bad_Name!' });
    await expectAccessible(page, 'cluster settings');

    // Deploy roles (deployPrincipalArns): two CI roles the customer made in their account.
    const ciRoles = await createCiRoles(['ci-deploy-a', 'ci-deploy-b']);
    const isPost = (r: Request) => r.method() === 'POST' && new URL(r.url()).pathname === '/v1/clusters';
    let posts = 0;
    page.on('request', (r) => void (isPost(r) && posts++));
    const deployField = page.getByTestId('deploy-principals-field');
    const deployInput = page.getByTestId('deploy-principals').locator('textarea');
    // The console's own check (the API's list rule): an IAM user is refused on the field, nothing is sent.
    await deployInput.fill(`${ciRoles[0]}\narn:aws:iam::${ACCOUNT}:user/ci`);
    await deployInput.blur();
    await expect
      .poll(() => deployField.innerText())
      .toMatch(/deployPrincipalArns\[1\]: must be the ARN of an IAM role[\s\S]*IAM users cannot be deploy principals/);
    await next(page);
    await page.getByTestId('submit-problems').waitFor();
    expect(await page.getByTestId('submit-problems').innerText()).toMatch(/deployPrincipalArns\[1\]/);
    expect(posts).toBe(0);

    // Two role ARNs, the second role B: the API's schema (run in the browser too) refuses it across
    // fields (role B is the creator, already admin) and the name, on their fields; nothing is sent.
    await deployInput.fill(`${ciRoles[0]}\n${roleArn}`);
    await next(page);
    await expect
      .poll(() => page.getByTestId('submit-problems').innerText())
      .toMatch(/name[\s\S]*deployPrincipalArns\[1\]/);
    expect(posts).toBe(0);
    expect(await deployField.innerText()).toMatch(/deployPrincipalArns\[1\]: is the provision role \(role B\)/);
    await screenshot(page, '3-settings-field-error');
    expect(await page.locator('body').innerText()).toMatch(
      /Kubernetes cluster name[\s\S]*(letters|lower|character|name)/i,
    );
    await expectAccessible(page, 'field errors');

    await page.getByLabel('Kubernetes cluster name', { exact: true }).fill('browser-happy');
    await deployInput.fill(`${ciRoles[0]},\n${ciRoles[1]}`);
    await screenshot(page, '3-settings');
    const sent = page.waitForRequest(isPost);
    await reviewAndCreate(page);
    expect((await sent).postDataJSON()).toMatchObject({ name: 'browser-happy', deployPrincipalArns: ciRoles });

    // 4. Progress, then 5. the result.
    await page.waitForURL(/\/clusters\/[^/]+$/);
    await page.getByTestId('cluster-status').waitFor();
    await screenshot(page, '4-progress');
    await expectAccessible(page, 'progress');
    await expect
      .poll(() => page.getByTestId('cluster-status').innerText(), { timeout: 60_000 })
      .toMatch(/CREATED|FAILED/);
    expect(await page.getByTestId('cluster-status').innerText()).toContain('CREATED');
    expect(await page.getByTestId('cluster-resources').innerText()).toMatch(/^(\d+) of \1 created$/);
    expect(await page.getByTestId('endpoint').innerText()).toMatch(/^https:\/\//);
    const access = await page.getByTestId('access').innerText();
    expect(access).toContain(roleArn);
    for (const ci of ciRoles) expect(access).toContain(`${ci} — edit in apps (deploy role)`);
    const download = page.waitForEvent('download');
    await page.getByTestId('kubeconfig').click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('kubeconfig-browser-happy.yaml');
    const kubeconfig = await file.path().then((p) => import('node:fs').then((fs) => fs.readFileSync(p, 'utf8')));
    expect(kubeconfig).toMatch(/apiVersion: v1[\s\S]*clusters:/);
    await screenshot(page, '5-result');
    await expectAccessible(page, 'result');

    // 6. The clusters list.
    await page.getByRole('button', { name: 'All clusters', exact: true }).click();
    await page.getByRole('link', { name: 'browser-happy' }).waitFor();
    await screenshot(page, '6-clusters');
    await expectAccessible(page, 'clusters');

    // Delete, as offered: role B made from the default policy may not delete → the refusal and the manual way.
    if (await page.getByRole('radio').count()) {
      await page.getByRole('radio', { name: 'browser-happy' }).check();
      await page.getByTestId('delete').click();
      await page.getByTestId('confirm-delete').click();
      await expectDiagnosis(page, 'delete-diagnosis', { title: /.+/, text: [/DELETE_NOT_PERMITTED/], minSteps: 1 });
      await screenshot(page, '6-clusters-delete-refused');
      await expectAccessible(page, 'delete refused');
    }
    expect((page as Page & { errors?: string[] }).errors).toEqual([]);
    await page.close();
  }, 300_000);

  async function expectDiagnosis(page: Page, testId: string, o: { title: RegExp; text: RegExp[]; minSteps: number }) {
    const box = page.getByTestId(testId);
    await box.waitFor({ timeout: 60_000 });
    const text = await box.innerText();
    expect(text).toMatch(o.title);
    for (const t of o.text) expect(text).toMatch(t);
    expect(await box.getByTestId('remediation').locator('li').count()).toBeGreaterThanOrEqual(o.minSteps);
  }

  it("seed troubleshooting: a wrong External ID in role B's trust is refused at Authenticate with AWS, with the three checks and this tenant's values", async () => {
    const tenant = 'browser-extid';
    const roleArn = await e.createRoleB({
      name: 'eks-provisioner-ui-wrong-extid',
      tenant,
      externalId: 'not-the-external-id-from-the-console',
    });
    const setup = (await e.api('GET', '/v1/setup', undefined, tenant)).body;
    const page = await open(tenant);
    await authenticate(page, roleArn);
    await expectDiagnosis(page, 'auth-diagnosis', {
      title: /could not assume/i,
      text: [/sts:AssumeRole/, new RegExp(setup.externalId), new RegExp(setup.accountId), /External ID/],
      minSteps: 3,
    });
    // Not authenticated: the settings step stays closed.
    await next(page);
    expect(await page.getByText('Authenticate with AWS first').first().isVisible()).toBe(true);
    await screenshot(page, 'trouble-wrong-external-id');
    await expectAccessible(page, 'wrong External ID');
    await page.close();
  });

  it('seed troubleshooting: role A without AmazonEKSClusterPolicy is flagged on the Service role field and the failure shows the diagnosis', async () => {
    const tenant = 'browser-rolea';
    const roleArn = await e.createRoleB({ name: 'eks-provisioner-ui-rolea', tenant });
    const page = await open(tenant);
    await authenticate(page, roleArn);
    await page.getByTestId('auth-success').waitFor();
    await next(page);
    await fillSettings(page, { name: 'browser-rolea', serviceRole: 'eks-cluster-role-no-policy' });
    expect(await page.locator('body').innerText()).toMatch(
      /eks-cluster-role-no-policy does not have AmazonEKSClusterPolicy attached/,
    );
    await screenshot(page, 'trouble-role-a-warning');
    await reviewAndCreate(page);
    await page.waitForURL(/\/clusters\/[^/]+$/);
    await expectDiagnosis(page, 'cluster-diagnosis', {
      title: /.+/,
      text: [/AmazonEKSClusterPolicy/, /CLUSTER_ROLE_MISSING_EKS_POLICY/],
      minSteps: 1,
    });
    expect(await page.getByTestId('cluster-status').innerText()).toContain('FAILED');
    await screenshot(page, 'trouble-role-a-failed');
    await expectAccessible(page, 'role A failure');
    await page.close();
  }, 180_000);

  it('seed troubleshooting: key pairs are loaded from the Cluster Region — none in us-west-2, and the field says so', async () => {
    const tenant = 'browser-keys-region';
    const roleArn = await e.createRoleB({ name: 'eks-provisioner-ui-keys', tenant });
    const page = await open(tenant);
    await authenticate(page, roleArn, 'us-west-2');
    await page.getByTestId('auth-success').waitFor();
    await next(page);
    await page.getByTestId('key-pair').waitFor();
    await expect
      .poll(() => page.locator('body').innerText(), { timeout: 15_000 })
      .toMatch(/Key pair name[\s\S]*No EC2 key pairs in us-west-2/)
      .catch(async (err) => {
        await screenshot(page, 'failed-key-pair-region');
        throw err;
      });
    await page.getByTestId('key-pair').locator('button').first().click();
    const options = await page.getByRole('option').allInnerTexts();
    expect(options.join('|')).not.toMatch(/demo-key/);
    await page.keyboard.press('Escape');
    await screenshot(page, 'trouble-key-pair-region');
    await expectAccessible(page, 'key pair region');
    await page.close();
  }, 180_000);

  it('seed troubleshooting: a subnet in an Availability Zone EKS rejects ends in a diagnosis naming the zone', async () => {
    const tenant = 'browser-az';
    const roleArn = await e.createRoleB({ name: 'eks-provisioner-ui-az', tenant });
    const page = await open(tenant);
    await authenticate(page, roleArn);
    await page.getByTestId('auth-success').waitFor();
    await next(page);
    await fillSettings(page, { name: 'browser-az', subnets: ['demo-us-east-1a', 'demo-us-east-1d'] });
    expect(await page.locator('body').innerText()).toMatch(/us-east-1d \(use1-az3\)/);
    await reviewAndCreate(page);
    // Refused before anything starts (form) or found by the workflow (cluster page): either way in words.
    const where = await Promise.race([
      page
        .getByTestId('submit-problems')
        .waitFor({ timeout: 60_000 })
        .then(() => 'submit-problems'),
      page
        .getByTestId('submit-diagnosis')
        .waitFor({ timeout: 60_000 })
        .then(() => 'submit-diagnosis'),
      page
        .getByTestId('cluster-diagnosis')
        .waitFor({ timeout: 60_000 })
        .then(() => 'cluster-diagnosis'),
    ]);
    expect(await page.getByTestId(where).innerText()).toMatch(/use1-az3|us-east-1d/);
    await screenshot(page, 'trouble-rejected-az');
    await expectAccessible(page, 'rejected AZ');
    await page.close();
  }, 180_000);

  it('keyboard alone: every step of the wizard, to CREATED and the kubeconfig download', async () => {
    const tenant = 'browser-keyboard';
    const roleArn = await e.createRoleB({ name: 'eks-provisioner-ui-keyboard', tenant });
    const page = await open(tenant);
    const k = page.keyboard;
    await page.getByRole('heading', { name: 'Service identity' }).waitFor();

    // 1. Set-up: the copy buttons and the policy blocks are reachable; Next.
    await tabTo(page, 'button[aria-label="Copy External ID"]');
    await tabTo(page, 'pre[aria-label="trust policy"]');
    await tabToButton(page, 'Next');
    await k.press('Enter');

    // 2. Role ARN, Cluster Region, Authenticate with AWS.
    await tabTo(page, '[data-testid=role-arn] input');
    await k.type(roleArn);
    await k.press('Tab');
    await k.press('Control+A');
    await k.type('us-east-1');
    await k.press('Escape');
    await tabToButton(page, 'Authenticate with AWS');
    await k.press('Enter');
    await page.getByTestId('auth-success').waitFor();
    await tabToButton(page, 'Next');
    await k.press('Enter');

    // 3. Settings with the keyboard: type into inputs; open lists with Enter, filter, arrow, Enter.
    await page.getByRole('heading', { name: 'Networking' }).waitFor();
    await tabTo(page, '[data-testid=name] input');
    await k.type('browser-keyboard');
    const pick = async (testId: string, filters: string[], o: { multi?: boolean } = {}) => {
      await tabTo(page, `[data-testid=${testId}] button[aria-haspopup]`);
      await expect
        .poll(() => page.getByTestId(testId).locator('[role=option]').count(), { message: `${testId} options` })
        .toBeGreaterThan(0)
        .catch(() => undefined);
      await k.press('Enter');
      for (const f of filters) {
        await k.press('Control+A');
        await k.type(f);
        await k.press('ArrowDown');
        await k.press('Enter');
      }
      if (o.multi) await k.press('Escape');
    };
    await pick('service-role', ['eks-cluster-role']);
    await expect.poll(() => page.getByTestId('service-role').innerText()).toMatch(/^eks-cluster-role$/m);
    await pick('vpc', ['demo']);
    await expect.poll(() => page.getByTestId('subnets').locator('button[aria-haspopup]').isDisabled()).toBe(false);
    await pick('subnets', GOOD_SUBNETS, { multi: true });
    await pick('security-groups', ['demo-eks'], { multi: true });
    await pick('instance-type', ['t3.medium']);
    expect(await page.getByTestId('instance-type').innerText()).toContain('t3.medium');
    await tabTo(page, '[data-testid=node-count] input');
    await k.press('Control+A');
    await k.type('3');
    await tabTo(page, '[data-testid=key-pair] button[aria-haspopup]');
    await k.press('Enter');
    await k.press('ArrowDown');
    await k.press('Enter');
    expect(await page.getByTestId('key-pair').innerText()).toContain('demo-key');
    await tabTo(page, '[data-testid=managed] input');
    const body = await page.locator('body').innerText();
    expect(body).toMatch(/3 selected in 3 Availability Zones/);
    await screenshot(page, 'keyboard-3-settings');
    await tabToButton(page, 'Next');
    await k.press('Enter');
    await page.getByRole('heading', { name: 'Estimated cost' }).waitFor();
    await tabToButton(page, 'Create Kubernetes cluster');
    await k.press('Enter');

    // 4–5. Progress to CREATED, then the kubeconfig by keyboard.
    await page.waitForURL(/\/clusters\/[^/]+$/);
    await expect
      .poll(() => page.getByTestId('cluster-status').innerText(), { timeout: 60_000 })
      .toMatch(/CREATED|FAILED/);
    expect(await page.getByTestId('cluster-status').innerText()).toContain('CREATED');
    const download = page.waitForEvent('download');
    await tabToButton(page, 'Download kubeconfig');
    await k.press('Enter');
    expect((await download).suggestedFilename()).toBe('kubeconfig-browser-keyboard.yaml');

    // 6. The clusters list by keyboard, and the tenant picker in the header.
    await tabToButton(page, 'All clusters');
    await k.press('Enter');
    await page.getByRole('link', { name: 'browser-keyboard' }).waitFor();
    await tabToButton(page, /^Tenant: browser-keyboard$/, { shift: true });
    await k.press('Enter');
    await tabTo(page, '[data-testid=tenant-input] input');
    await k.press('Control+A');
    await k.type('browser-other-tenant');
    await k.press('Enter');
    await expect.poll(() => page.getByRole('link', { name: 'browser-keyboard' }).count()).toBe(0);
    expect(await page.locator('body').innerText()).toMatch(/Tenant: browser-other-tenant/);
    await page.close();
  }, 300_000);
});
