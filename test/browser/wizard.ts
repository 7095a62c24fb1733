/**
 * Browser-test support for files that walk the console's wizard: one local stack and one Chromium
 * per file, a page per tenant, and the pickers of the settings step (lists that reload under the
 * pointer are picked again rather than waited for by time).
 */
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { expect, onTestFailed } from 'vitest';
import { ensureConsoleBuilt } from '../../local/console/build.js';
import { startLocalStack } from '../../local/runner/stack.js';
import { E2E } from '../e2e/harness.js';
import { type Browser, launch, screenshot } from './browser.js';

// The page's globals inside page.evaluate callbacks (this file is type-checked without the DOM library).
declare const window: { localStorage: { setItem(k: string, v: string): void } };

export const ACCOUNT = '222222222222';
export const REGION = 'us-east-1';
export const GOOD_SUBNETS = ['demo-us-east-1a', 'demo-us-east-1b', 'demo-us-east-1c'];

/** A page that records its uncaught errors and its console errors. */
export type TrackedPage = Page & { errors: string[]; consoleErrors: string[] };

export interface ConsoleRig {
  e: E2E;
  browser: Browser;
  open(tenant: string, path?: string): Promise<TrackedPage>;
  stop(): Promise<void>;
}

/** The built console (in .local/, never console/dist) on a local stack at ×100 time, and one Chromium. */
export async function startRig(distName: string): Promise<ConsoleRig> {
  process.env['EKS_PROVISIONER_CONSOLE_DIST'] ||= fileURLToPath(new URL(`../../.local/${distName}/`, import.meta.url));
  await ensureConsoleBuilt();
  const silent = { info: () => undefined, error: () => undefined };
  const stack = startLocalStack({
    sandboxPort: 0,
    apiPort: 0,
    timeScale: 100,
    log: () => undefined,
    ...(process.env['E2E_VERBOSE'] ? {} : { apiLog: silent }),
  });
  const [e, browser] = await Promise.all([stack.then((s) => new E2E(s)), launch()]);
  const open = async (tenant: string, path = '/'): Promise<TrackedPage> => {
    const page = (await browser.context.newPage()) as TrackedPage;
    page.errors = [];
    page.consoleErrors = [];
    page.on('pageerror', (err) => page.errors.push(err.message));
    page.on(
      'console',
      (m) => void (m.type() === 'error' && page.consoleErrors.push(`${m.text()} ${m.location().url}`)),
    );
    await page.goto(`${e.stack.apiUrl}/clusters`);
    await page.evaluate((t) => window.localStorage.setItem('eks-provisioner.tenant', t), tenant);
    page.consoleErrors.length = 0;
    await page.goto(`${e.stack.apiUrl}${path}`);
    onTestFailed(async () => {
      if (!page.isClosed())
        await screenshot(page, `failed-${tenant.replace(/[^A-Za-z0-9-]/g, '_')}`).catch(() => undefined);
    });
    return page;
  };
  return {
    e,
    browser,
    open,
    stop: async () => {
      await browser?.close();
      await e?.stop();
    },
  };
}

export const next = (page: Page) => page.getByRole('button', { name: 'Next', exact: true }).click();

export async function authenticate(page: Page, roleArn: string, region = REGION) {
  await page.getByRole('heading', { name: 'Service identity' }).waitFor();
  await next(page);
  await page.getByLabel('Role ARN', { exact: true }).fill(roleArn);
  await page.getByRole('combobox', { name: 'Cluster Region' }).fill(region);
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'Authenticate with AWS', exact: true }).click();
}

export async function choose(page: Page, testId: string, option: string | RegExp) {
  const field = page.getByTestId(testId);
  const open = () => field.locator('button[aria-expanded=true]').count();
  for (let attempt = 1; ; attempt++) {
    if ((await open()) === 0) await field.locator('button').first().click();
    await page.getByRole('option', { name: option }).first().click();
    const closed = await expect
      .poll(open, { timeout: 2_000 })
      .toBe(0)
      .then(
        () => true,
        () => false,
      );
    if (closed) return;
    if (attempt === 3) throw new Error(`${testId} stays open after ${attempt} picks of ${String(option)}`);
  }
}

export async function chooseMany(page: Page, testId: string, options: string[]) {
  const field = page.getByTestId(testId);
  for (let attempt = 1; ; attempt++) {
    const shown = await field.innerText();
    const missing = options.filter((o) => !shown.includes(o));
    if (missing.length === 0) return;
    if (attempt > 3) throw new Error(`${testId}: ${missing.join(', ')} not selected after 3 attempts`);
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

export async function fillSettings(page: Page, o: { name: string; serviceRole?: string; subnets?: string[] }) {
  await page.getByLabel('Kubernetes cluster name', { exact: true }).fill(o.name);
  await choose(page, 'service-role', new RegExp(`^${o.serviceRole ?? 'eks-cluster-role'}\\b`));
  await choose(page, 'vpc', /demo/);
  await chooseMany(page, 'subnets', o.subnets ?? GOOD_SUBNETS);
  await chooseMany(page, 'security-groups', ['demo-eks']);
  await choose(page, 'instance-type', /t3\.medium/);
}
