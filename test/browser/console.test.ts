/**
 * The web console in Debian's Chromium against the local stack: the seed's journey to CREATED, the
 * seed's troubleshooting cases as a person meets them, keyboard-only use, and an axe-core scan of
 * every step. One browser and one stack for the whole file (2 cores). Screenshots: .local/screenshots/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ensureConsoleBuilt } from '../../local/console/build.js';
import { E2E } from '../e2e/harness.js';
import { axeSerious, haveChromium, launch, screenshot, tabTo, tabToButton, CHROMIUM, type Browser } from './browser.js';

if (!haveChromium) console.warn(`browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);

const ACCOUNT = '222222222222';
const REGION = 'us-east-1';
const GOOD_SUBNETS = ['demo-us-east-1a', 'demo-us-east-1b', 'demo-us-east-1c'];

describe.skipIf(!haveChromium)('web console in Chromium', () => {
  let e: E2E;
  let browser: Browser;

  beforeAll(async () => {
    await ensureConsoleBuilt();
    [e, browser] = await Promise.all([E2E.start(), launch()]);
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
    return page;
  }

  async function expectAccessible(page: Page, step: string) {
    const v = await axeSerious(page);
    expect(v, `${step}: ${JSON.stringify(v, null, 1)}`).toEqual([]);
  }

  const next = (page: Page) => page.getByRole('button', { name: 'Next', exact: true }).click();

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
    await field.locator('button').first().click();
    try {
      await page.getByRole('option', { name: option }).first().click();
    } catch (err) {
      await screenshot(page, `failed-choose-${testId}`);
      throw err;
    }
    await expect.poll(() => field.locator('button[aria-expanded=true]').count(), `${testId} stays open`).toBe(0).catch(async (err) => {
      await screenshot(page, `failed-close-${testId}`);
      throw err;
    });
  }

  async function chooseMany(page: Page, testId: string, options: string[]) {
    const field = page.getByTestId(testId);
    await field.locator('button').first().click();
    for (const o of options) await page.getByRole('option', { name: new RegExp(o) }).first().click();
    await page.keyboard.press('Escape');
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
    await page.getByRole('button', { name: 'Create Kubernetes cluster', exact: true }).click();
    // The API's field error sits on its field.
    const nameField = page.locator('[data-testid=name]').locator('xpath=ancestor::*[contains(@class,"form-field")][1]');
    await page.getByTestId('submit-problems').waitFor();
    expect(await page.getByTestId('submit-problems').innerText()).toMatch(/name/);
    await screenshot(page, '3-settings-field-error');
    expect(await page.locator('body').innerText()).toMatch(/Kubernetes cluster name[\s\S]*(letters|lower|character|name)/i);
    void nameField;

    await page.getByLabel('Kubernetes cluster name', { exact: true }).fill('browser-happy');
    await screenshot(page, '3-settings');
    await page.getByRole('button', { name: 'Create Kubernetes cluster', exact: true }).click();

    // 4. Progress, then 5. the result.
    await page.waitForURL(/\/clusters\/[^/]+$/);
    await page.getByTestId('cluster-status').waitFor();
    await screenshot(page, '4-progress');
    await expectAccessible(page, 'progress');
    await expect.poll(() => page.getByTestId('cluster-status').innerText(), { timeout: 60_000 }).toMatch(/CREATED|FAILED/);
    expect(await page.getByTestId('cluster-status').innerText()).toContain('CREATED');
    expect(await page.getByTestId('cluster-resources').innerText()).toMatch(/^(\d+) of \1 created$/);
    expect(await page.getByTestId('endpoint').innerText()).toMatch(/^https:\/\//);
    expect(await page.getByTestId('access').innerText()).toContain(roleArn);
    const download = page.waitForEvent('download');
    await page.getByTestId('kubeconfig').click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('kubeconfig-browser-happy.yaml');
    const kubeconfig = await file.path().then((p) => import('node:fs').then((fs) => fs.readFileSync(p, 'utf8')));
    expect(kubeconfig).toMatch(/apiVersion: v1[\s\S]*clusters:/);
    await screenshot(page, '5-result');
    await expectAccessible(page, 'result');

    // 6. The clusters list.
    await page.getByRole('link', { name: 'Clusters', exact: true }).click();
    await page.getByRole('link', { name: 'browser-happy' }).waitFor();
    await screenshot(page, '6-clusters');
    await expectAccessible(page, 'clusters');
    expect((page as Page & { errors?: string[] }).errors).toEqual([]);
    await page.close();
  }, 120_000);
});
