/**
 * The console at phone width (390 × 844) in Chromium: the clusters list and a cluster page do not
 * scroll sideways, the Account ID does not break mid-number, DELETED clusters are hidden until asked
 * for, and axe-core finds nothing serious or critical. One browser and one local stack for the file.
 */

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '../support/tools.js';
import { axeSerious, screenshot } from './browser.js';
import { type ConsoleRig, startRig } from './wizard.js';

// The page's globals inside page.evaluate callbacks (this file is type-checked without the DOM library).
declare const document: {
  documentElement: { scrollWidth: number; clientWidth: number };
  querySelector(s: string): { getClientRects(): { length: number } } | null;
};

const haveChromium = !!requireTool('chromium', 'the console browser tests (test/browser)');

describe.skipIf(!haveChromium)('console at phone width', () => {
  let rig: ConsoleRig;
  const tenant = 'browser-phone';
  let created: { id: string };
  let deletedName: string;

  beforeAll(async () => {
    rig = await startRig('console-dist-phone');
    // Two clusters through the API: one CREATED; one CREATED then DELETED (role B with the delete statement).
    const roleArn = await rig.e.createRoleB({ name: 'eks-provisioner-phone', tenant, withDeleteStatement: true });
    expect((await rig.e.api('POST', '/v1/roles', { roleArn, region: 'us-east-1' }, tenant)).status).toBe(200);
    const make = async (name: string) => {
      const r = await rig.e.api('POST', '/v1/clusters', rig.e.settings({ name, provisionRoleArn: roleArn }), tenant);
      expect(r.status, r.text).toBe(202);
      return rig.e.follow(r.body.id, tenant, 150_000);
    };
    const [kept, gone] = await Promise.all([make('phone-kept'), make('phone-gone')]);
    expect(kept.status).toBe('CREATED');
    created = kept;
    deletedName = gone.name;
    expect((await rig.e.api('DELETE', `/v1/clusters/${gone.id}`, undefined, tenant)).status).toBe(202);
    // Until the deletion ends (its state, not a fixed time).
    for (const until = Date.now() + 120_000; ; ) {
      const status = (await rig.e.api('GET', `/v1/clusters/${gone.id}`, undefined, tenant)).body.status;
      if (status === 'DELETED') break;
      if (status === 'FAILED' || Date.now() > until) throw new Error(`deletion of ${gone.id} ended ${status}`);
      await new Promise((res) => setTimeout(res, 200));
    }
  }, 240_000);
  afterAll(async () => rig?.stop());

  const noSideways = (page: Page) =>
    page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);

  it('clusters list: no sideways scroll, DELETED hidden until the toggle, axe clean', async () => {
    const page = await rig.open(tenant, '/clusters');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('link', { name: 'phone-kept' }).waitFor();
    expect(await page.getByRole('link', { name: deletedName }).count()).toBe(0);
    expect(await noSideways(page)).toBe(true);
    await screenshot(page, 'phone-clusters');
    const v = await axeSerious(page);
    expect(v, JSON.stringify(v, null, 1)).toEqual([]);
    await page.getByTestId('show-deleted').locator('input').check();
    await page.getByRole('link', { name: deletedName }).waitFor();
    await page.close();
  }, 90_000);

  it('cluster page: the Account ID on one line, no sideways scroll, axe clean', async () => {
    const page = await rig.open(tenant, `/clusters/${created.id}`);
    await page.setViewportSize({ width: 390, height: 844 });
    await expect.poll(() => page.getByTestId('cluster-status').innerText()).toContain('CREATED');
    await page.getByTestId('settings-used').waitFor();
    // One line box: the number did not wrap.
    const boxes = await page.getByTestId('account-id').evaluate((el) => {
      // The line boxes of the number's own text (a Range over it): one unless it broke mid-number.
      const e = el as unknown as {
        lastChild: unknown;
        ownerDocument: {
          createRange(): { selectNodeContents(n: unknown): void; getClientRects(): Array<{ top: number }> };
        };
      };
      const r = e.ownerDocument.createRange();
      r.selectNodeContents(e.lastChild);
      return new Set(Array.from(r.getClientRects(), (b) => Math.round(b.top))).size;
    });
    expect(boxes).toBe(1);
    expect(await page.getByTestId('nodes-ready').innerText()).toMatch(/^2 of 2$/);
    expect(await noSideways(page)).toBe(true);
    await screenshot(page, 'phone-cluster');
    const v = await axeSerious(page);
    expect(v, JSON.stringify(v, null, 1)).toEqual([]);
    await page.close();
  }, 90_000);
});
