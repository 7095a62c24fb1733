/**
 * The console's "Update cluster" page in Debian's Chromium against the local stack (issue 22): a
 * cluster made on 1.32 is upgraded to 1.33 from the console (review: control plane → node group →
 * add-ons; then progress and the outcome on the cluster page; EKS itself on 1.33, one "EKS Cluster
 * Update Succeeded" event); a change made elsewhere meanwhile gives the 412 message; an update the
 * pre-flight refuses (an ERROR upgrade insight) shows its diagnosis and changes nothing; the pages
 * hold at phone width; axe finds nothing serious on any new view. The wizard's version picker shows
 * each version's support dates. One browser and one local stack for the file.
 */
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_WORLD } from '../../local/runner/environment.js';
import { requireTool } from '../support/tools.js';
import { axeSerious, screenshot } from './browser.js';
import { authenticate, type ConsoleRig, choose, fillSettings, next, startRig, type TrackedPage } from './wizard.js';

// The page's globals inside page.evaluate callbacks (this file is type-checked without the DOM library).
declare const document: { documentElement: { scrollWidth: number; clientWidth: number } };

const haveChromium = !!requireTool('chromium', 'the console browser tests (test/browser)');

describe.skipIf(!haveChromium)('console: Update cluster', () => {
  let rig: ConsoleRig;
  const tenant = 'browser-update';
  let roleArn: string;
  /** Made on 1.32: `upgraded` goes to 1.33 from the console; `kept` is refused, then raced. */
  const ids: Record<'upgraded' | 'kept' | 'forced', string> = { upgraded: '', kept: '', forced: '' };

  beforeAll(async () => {
    rig = await startRig('console-dist-update');
    roleArn = await rig.e.createRoleB({ name: 'eks-provisioner-update', tenant });
    expect((await rig.e.api('POST', '/v1/roles', { roleArn, region: 'us-east-1' }, tenant)).status).toBe(200);
    const make = async (name: string) => {
      const r = await rig.e.api(
        'POST',
        '/v1/clusters',
        rig.e.settings({ name, provisionRoleArn: roleArn, kubernetesVersion: '1.32' }),
        tenant,
      );
      expect(r.status, r.text).toBe(202);
      const c = await rig.e.follow(r.body.id, tenant, 150_000);
      expect(c.status).toBe('CREATED');
      return c.id;
    };
    [ids.upgraded, ids.kept, ids.forced] = await Promise.all([
      make('console-upgraded'),
      make('console-kept'),
      make('console-forced'),
    ]);
    // The daily support check stores each cluster's support dates (the cluster page's support block).
    await rig.e.stack.supportCheck.runNow();
  }, 240_000);
  afterAll(async () => rig?.stop());

  const record = async (id: string) =>
    (await rig.e.api('GET', `/v1/clusters/${id}`, undefined, tenant)).body as {
      version: number;
      update?: { status: string };
      settings: Record<string, unknown>;
    };
  const liveVersion = async (name: string) => {
    const eks = new EKSClient({
      region: 'us-east-1',
      endpoint: rig.e.sandboxUrl,
      credentials: {
        accessKeyId: DEFAULT_WORLD.customer.accessKeyId,
        secretAccessKey: DEFAULT_WORLD.customer.secretAccessKey,
      },
    });
    try {
      return (await eks.send(new DescribeClusterCommand({ name }))).cluster?.version;
    } finally {
      eks.destroy();
    }
  };
  const axeClean = async (page: Page) => {
    const v = await axeSerious(page);
    expect(v, JSON.stringify(v, null, 1)).toEqual([]);
  };
  const noSideways = (page: Page) =>
    page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);

  async function openUpdate(id: string): Promise<TrackedPage> {
    const page = await rig.open(tenant, `/clusters/${id}`);
    await expect.poll(() => page.getByTestId('cluster-status').innerText()).toContain('CREATED');
    // The support block: 1.32 is in standard support until 2027-03-23 (the default world's dates).
    expect(await page.getByTestId('support-type').innerText()).toBe('Standard support');
    expect(await page.getByTestId('support-block').innerText()).toMatch(
      /Standard support ends\s+2027-03-23[\s\S]*Extended support ends\s+2028-03-23/,
    );
    await page.getByTestId('update-cluster').click();
    await page.waitForURL(new RegExp(`/clusters/${id}/update$`));
    await page.getByRole('heading', { name: 'Kubernetes version and support' }).waitFor();
    return page;
  }

  it('1.32 → 1.33 from the console: review in order, progress, CREATED on 1.33 in EKS, one Succeeded event', async () => {
    const page = await openUpdate(ids.upgraded);
    // Only the current version and the next minor, each with its support dates.
    await page.getByTestId('update-version').locator('button').first().click();
    const options = await page.getByRole('option').allInnerTexts();
    expect(options).toHaveLength(2);
    expect(options[0]).toMatch(
      /^1\.32 \(current\)[\s\S]*Standard support until 2027-03-23 · extended support until 2028-03-23/,
    );
    expect(options[1]).toMatch(
      /^1\.33 \(upgrade\)[\s\S]*Standard support until 2027-07-29 · extended support until 2028-07-29/,
    );
    await page.keyboard.press('Escape');
    // Both support policies say what they do and cost.
    expect(await page.getByTestId('update-policy').innerText()).toMatch(
      /upgrades the control plane[\s\S]*No extra charge[\s\S]*12 more months[\s\S]*\$0\.60 per cluster hour/,
    );
    await axeClean(page);

    // An untouched form starts nothing.
    await page.getByTestId('update-review').click();
    await page.getByTestId('update-nothing').waitFor();
    // A switch to Extended: the review says when its higher price starts. Then back (Edit keeps the form).
    await page.getByRole('radio', { name: /^Extended/ }).check();
    await page.getByTestId('update-review').click();
    expect(await page.getByTestId('review-changes').innerText()).toBe('Support policy: STANDARD → EXTENDED');
    expect(await page.getByTestId('review-extended-cost').innerText()).toMatch(
      /\$0\.60 per cluster hour instead of \$0\.10, from the end of the version's standard support/,
    );
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    await page.getByRole('radio', { name: /^Standard/ }).check();
    // A bad node count is refused on its field before anything is sent.
    await page.getByTestId('update-node-count').locator('input').fill('0');
    await page.getByTestId('update-review').click();
    await page.getByText('Enter a whole number of nodes from 1 to 450.').waitFor();
    await page.getByTestId('update-node-count').locator('input').fill('2');

    await choose(page, 'update-version', /^1\.33 \(upgrade\)/);
    await page.getByTestId('update-version-field').getByText('Standard support until 2027-07-29').waitFor();
    const dry = page.waitForRequest(
      (r) => r.method() === 'PATCH' && new URL(r.url()).searchParams.get('dryRun') === 'true',
    );
    await page.getByTestId('update-review').click();
    expect((await dry).postDataJSON()).toEqual({ kubernetesVersion: '1.33' });
    await page.getByTestId('review-steps').waitFor();
    expect(await page.getByTestId('review-changes').innerText()).toBe('Kubernetes version: 1.32 → 1.33');
    const components = await page
      .getByTestId('review-steps')
      .locator('li')
      .evaluateAll((lis) =>
        lis.map((li) => (li as unknown as { getAttribute(n: string): string }).getAttribute('data-component')),
      );
    expect(components).toEqual(['control-plane', 'node-group', 'add-ons']);
    expect(await page.getByTestId('review-steps').innerText()).toMatch(
      /Control plane: Upgrade the control plane from Kubernetes 1\.32 to 1\.33[\s\S]*Node group: Roll the nodes[\s\S]*Disrupts: Pods are evicted[\s\S]*Add-ons: Update the add-ons/,
    );
    expect(await page.getByTestId('review-nodes-replaced').count()).toBe(0);
    await expect
      .poll(() => page.getByTestId('review-preflight').innerText())
      .toMatch(/Passed: nothing stops this update/);
    expect(await page.getByTestId('review-cost').innerText()).toMatch(/Difference: none/);
    await screenshot(page, 'update-review');
    await axeClean(page);

    const sent = page.waitForRequest((r) => r.method() === 'PATCH' && !new URL(r.url()).searchParams.has('dryRun'));
    await page.getByTestId('update-apply').click();
    expect((await sent).headers()['if-match']).toBe('"1"');
    await page.waitForURL(new RegExp(`/clusters/${ids.upgraded}$`));
    // Progress like creation's, then the outcome.
    await expect
      .poll(() => page.getByTestId('update-status').innerText(), { timeout: 120_000 })
      .toMatch(/^(Updated|Update failed)$/);
    expect(await page.getByTestId('update-status').innerText()).toBe('Updated');
    expect(await page.getByTestId('update-changes').innerText()).toBe('Kubernetes version: 1.32 → 1.33');
    expect(await page.getByTestId('update-resources').innerText()).toMatch(/^\d+ of \d+ updated$|^—$/);
    expect(await page.getByTestId('cluster-status').innerText()).toContain('CREATED');
    // The creation's elapsed time is not stretched to the update's end (updatedAt moved with it).
    expect(await page.getByTestId('cluster-elapsed').innerText()).toBe('—');
    // The update stored 1.33's support dates (never 1.32's shown as 1.33's): the sandbox's 1.33 dates.
    await expect.poll(() => page.getByTestId('support-block').innerText()).toMatch(/Kubernetes 1\.33 support/);
    expect(await page.getByTestId('support-block').innerText()).toMatch(
      /Standard support ends\s*2027-07-29[\s\S]*Extended support ends\s*2028-07-29/,
    );
    await screenshot(page, 'update-succeeded');
    await axeClean(page);

    expect(await liveVersion('console-upgraded')).toBe('1.33');
    const succeeded = (await rig.e.events(ids.upgraded)).filter((x) => x.detailType === 'EKS Cluster Update Succeeded');
    expect(succeeded).toHaveLength(1);
    expect(page.errors).toEqual([]);

    // Phone width: the cluster page with its update and the update form do not scroll sideways.
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await noSideways(page)).toBe(true);
    await axeClean(page);
    await page.getByTestId('update-cluster').click();
    await page.getByRole('heading', { name: 'Kubernetes version and support' }).waitFor();
    expect(await noSideways(page)).toBe(true);
    await screenshot(page, 'phone-update-form');
    await axeClean(page);
    await page.close();
  }, 240_000);

  it('an ERROR upgrade insight: the review shows the diagnosis, Apply is off, nothing changes', async () => {
    await rig.e.setFlags({ upgradeInsightError: true });
    try {
      const before = await record(ids.kept);
      const page = await openUpdate(ids.kept);
      await choose(page, 'update-version', /^1\.33 \(upgrade\)/);
      await page.getByTestId('update-review').click();
      await page.getByTestId('preflight-diagnosis').waitFor();
      const shown = await page.getByTestId('preflight-diagnosis').innerText();
      expect(shown).toMatch(/UPGRADE_BLOCKED_BY_INSIGHT/);
      expect(shown).toMatch(/Deprecated APIs removed in Kubernetes v1\.33/);
      expect(shown).toMatch(/aws eks describe-insight --cluster-name console-kept/);
      expect(await page.getByTestId('update-apply').isDisabled()).toBe(true);
      await screenshot(page, 'update-refused');
      await axeClean(page);
      // The review with its diagnosis at phone width: nothing scrolls sideways.
      await page.setViewportSize({ width: 390, height: 844 });
      expect(await noSideways(page)).toBe(true);
      await axeClean(page);
      const after = await record(ids.kept);
      expect(after.version).toBe(before.version);
      expect(after.update).toBeUndefined();
      expect(await liveVersion('console-kept')).toBe('1.32');
      expect((await rig.e.events(ids.kept)).filter((x) => x.detailType.startsWith('EKS Cluster Update'))).toEqual([]);
      await page.close();
    } finally {
      await rig.e.setFlags({ upgradeInsightError: false });
    }
  }, 120_000);

  it('an ERROR upgrade insight, forced from the review: the dry run and the update carry force=true, CREATED on 1.33', async () => {
    await rig.e.setFlags({ upgradeInsightError: true });
    try {
      const page = await openUpdate(ids.forced);
      await choose(page, 'update-version', /^1\.33 \(upgrade\)/);
      await page.getByTestId('update-review').click();
      await page.getByTestId('preflight-diagnosis').waitFor();
      expect(await page.getByTestId('update-apply').isDisabled()).toBe(true);
      // Forcing asks the dry run again, past the insight; the warning says what forcing risks.
      expect(await page.getByTestId('update-force').innerText()).toMatch(/fail after the upgrade/);
      const forcedDry = page.waitForRequest(
        (r) => r.method() === 'PATCH' && new URL(r.url()).searchParams.get('force') === 'true',
      );
      await page.getByTestId('update-force').locator('input').check();
      expect(new URL((await forcedDry).url()).searchParams.get('dryRun')).toBe('true');
      await expect
        .poll(() => page.getByTestId('review-preflight').innerText())
        .toMatch(/Passed: nothing stops this update/);
      await axeClean(page);
      const sent = page.waitForRequest((r) => r.method() === 'PATCH' && !new URL(r.url()).searchParams.has('dryRun'));
      await page.getByTestId('update-apply').click();
      expect(new URL((await sent).url()).searchParams.get('force')).toBe('true');
      await page.waitForURL(new RegExp(`/clusters/${ids.forced}$`));
      await expect
        .poll(() => page.getByTestId('update-status').innerText(), { timeout: 120_000 })
        .toMatch(/^(Updated|Update failed)$/);
      expect(await page.getByTestId('update-status').innerText()).toBe('Updated');
      expect(await liveVersion('console-forced')).toBe('1.33');
      expect(page.errors).toEqual([]);
      await page.close();
    } finally {
      await rig.e.setFlags({ upgradeInsightError: false });
    }
  }, 150_000);

  it('a new instance type: nodes replaced, cost difference; a change made elsewhere meanwhile: 409 busy on review, 412 on apply, the page reloads', async () => {
    const page = await openUpdate(ids.kept);
    await choose(page, 'update-instance-type', /^m5\.large/);
    await page.getByTestId('update-node-count').locator('input').fill('3');
    const dry = page.waitForRequest(
      (r) => r.method() === 'PATCH' && new URL(r.url()).searchParams.get('dryRun') === 'true',
    );
    await page.getByTestId('update-review').click();
    expect((await dry).postDataJSON()).toEqual({ instanceType: 'm5.large', nodeCount: 3 });
    await page.getByTestId('review-steps').waitFor();
    // A new instance type replaces the node group: said plainly, with the cost it adds.
    expect(await page.getByTestId('review-steps').innerText()).toMatch(
      /Replace the node group: a new group of 3 m5\.large node\(s\)[\s\S]*Disrupts: Every node is replaced/,
    );
    expect(await page.getByTestId('review-nodes-replaced').innerText()).toMatch(/Every node is replaced/);
    expect(await page.getByTestId('review-cost').innerText()).toMatch(
      /Now: \$0\.1832 per hour[\s\S]*After the update: \$0\.3880 per hour[\s\S]*Difference: \+\$0\.2048 per hour \(about \$150 per month\)/,
    );
    await axeClean(page);
    // A second tab, opened before the other change, reviews only after it started: the cluster is busy.
    const second = await openUpdate(ids.kept);
    await second.getByTestId('update-node-count').locator('input').fill('4');
    // Someone else changes the cluster (the API, their own If-Match): its version moves on.
    const v = (await record(ids.kept)).version;
    const other = await fetch(`${rig.e.stack.apiUrl}/v1/clusters/${ids.kept}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/merge-patch+json', 'x-tenant-id': tenant, 'if-match': `"${v}"` },
      // A version upgrade: it runs long enough (control plane first) for the second tab to find it running.
      body: JSON.stringify({ kubernetesVersion: '1.33' }),
    });
    expect(other.status).toBe(202);
    await second.getByTestId('update-review').click();
    expect(await second.getByTestId('update-busy').innerText()).toMatch(
      /The cluster is busy[\s\S]*being updated[\s\S]*Nothing was changed/,
    );
    await axeClean(second);
    await second.close();
    const answered = page.waitForResponse(
      (r) => r.request().method() === 'PATCH' && !new URL(r.url()).searchParams.has('dryRun'),
    );
    await page.getByTestId('update-apply').click();
    const answer = await answered;
    expect(answer.status()).toBe(412);
    expect(answer.request().headers()['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(await page.getByTestId('update-stale').innerText()).toMatch(
      /Someone else changed this cluster[\s\S]*nothing was applied/,
    );
    // Reloaded: the form shows the cluster as it is now (this page's change is not kept for a blind retry).
    await expect.poll(() => page.getByTestId('update-node-count').locator('input').inputValue()).toBe('2');
    expect(await page.getByTestId('update-instance-type').innerText()).toContain('t3.medium');
    await screenshot(page, 'update-stale');
    await axeClean(page);
    expect(page.errors).toEqual([]);
    await page.close();
  }, 120_000);

  it("the wizard: each version's end of standard and of extended support (one in extended support says so), and the support policy", async () => {
    const page = await rig.open(tenant);
    await authenticate(page, roleArn);
    await page.getByTestId('auth-success').waitFor();
    await next(page);
    await page.getByRole('heading', { name: 'Networking' }).waitFor();
    await page.getByTestId('kubernetes-version').locator('button').first().click();
    const options = await page.getByRole('option').allInnerTexts();
    expect(options.find((o) => o.startsWith('1.33'))).toMatch(
      /Standard support until 2027-07-29 · extended support until 2028-07-29/,
    );
    expect(options.find((o) => o.startsWith('1.31'))).toMatch(
      /In extended support since 2025-11-26 \(\$0\.60 per cluster hour\) · extended support until 2026-11-26/,
    );
    await page.keyboard.press('Escape');
    await page
      .getByTestId('kubernetes-version-field')
      .getByText(/Standard support until/)
      .waitFor();
    // The support policy, in the same words as the update form; the review shows the choice.
    expect(await page.getByTestId('support-policy').innerText()).toMatch(
      /upgrades the control plane[\s\S]*No extra charge[\s\S]*12 more months[\s\S]*\$0\.60 per cluster hour/,
    );
    await axeClean(page);
    await page.getByRole('radio', { name: /^Extended/ }).check();
    await fillSettings(page, { name: 'console-extended' });
    await next(page);
    await page.getByRole('heading', { name: 'Estimated cost' }).waitFor();
    expect(await page.getByTestId('review-support-policy').innerText()).toBe('EXTENDED');
    await page.close();
  }, 120_000);
});
