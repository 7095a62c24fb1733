/**
 * Browser-test support: Debian's Chromium driven by playwright-core (headless, fresh profile),
 * the local stack in this process (test/e2e/harness.ts) serving the built console, screenshots
 * as artefacts in .local/screenshots/, and an axe-core scan helper.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { vi } from 'vitest';
import { CHROMIUM_PATH } from '../support/tools.js';

// What a page shows comes from the API over the sandbox; on a loaded machine that takes more than
// expect.poll's default second (one run in five failed waiting for the key pair field's text; the
// journey's edit-and-retry poll failed the same way in a full browser run). Every browser test file
// imports this module, so every file gets the same cap; a cap is a limit, never a wait.
vi.setConfig({ expect: { poll: { timeout: 15_000 } } });

// Globals of the page, used only inside page.evaluate callbacks (the test program has no DOM library).
interface FocusTarget {
  tagName: string;
  innerText: string;
  outerHTML: string;
  matches(sel: string): boolean;
  closest(sel: string): unknown;
  getAttribute(name: string): string | null;
}
interface PageAnimation {
  playState: string;
  pending: boolean;
  effect: { getTiming(): { iterations?: number } } | null;
}
declare const window: object;
declare const document: { activeElement: FocusTarget | null; body: unknown; getAnimations(): PageAnimation[] };
declare function requestAnimationFrame(cb: () => void): number;
type HTMLElement = FocusTarget;

export const CHROMIUM = CHROMIUM_PATH;
export const SCREENSHOTS = fileURLToPath(new URL('../../.local/screenshots/', import.meta.url));

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** One headless Chromium with a fresh --user-data-dir (Playwright passes it from userDataDir). */
export async function launch(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'eks-provisioner-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1440, height: 900 },
    // prefers-reduced-motion: Cloudscape then skips its fades and slides, so what axe measures is what stays on screen.
    reducedMotion: 'reduce',
    acceptDownloads: true,
    timeout: 30_000,
  });
  context.setDefaultTimeout(15_000);
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[]; failureSummary?: string }>;
}

/**
 * Waits until no finite CSS animation or transition is running or pending, on two frames in a row
 * (a React render may start a transition on the next frame). Endless ones (spinners) never end and
 * change no colour, so they do not count. A fading dialog measured mid-fade has blended colours:
 * axe must see the page as it stays.
 */
export async function settled(page: Page, timeoutMs = 10_000): Promise<void> {
  // One evaluate that resolves when settled (waitForFunction would take the returned Promise as truthy).
  const quiet = await page.evaluate(async (timeout) => {
    const frame = () => new Promise<void>((r) => requestAnimationFrame(() => r()));
    const moving = () =>
      document
        .getAnimations()
        .filter((a) => (a.pending || a.playState === 'running') && a.effect?.getTiming().iterations !== Infinity)
        .length;
    const until = Date.now() + timeout;
    for (let stillFrames = 0; stillFrames < 2; ) {
      if (Date.now() > until) return false;
      await frame();
      stillFrames = moving() === 0 ? stillFrames + 1 : 0;
    }
    return true;
  }, timeoutMs);
  if (!quiet) throw new Error(`the page was still animating after ${timeoutMs / 1000} s`);
}

/** axe-core (WCAG 2.x A/AA rules) on the settled page; answers the serious and critical violations. */
export async function axeSerious(page: Page): Promise<AxeViolation[]> {
  await settled(page);
  return axeSeriousNow(page);
}

/** The same scan on the page as it is this instant, moving or not (only to show why axeSerious waits). */
export async function axeSeriousNow(page: Page): Promise<AxeViolation[]> {
  // Evaluated over the DevTools protocol: the console's CSP (no inline scripts) does not apply to it.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run: (ctx: unknown, o: unknown) => Promise<{ violations: AxeViolation[] }> } }
    ).axe;
    const r = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
      resultTypes: ['violations'],
    });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes
        .slice(0, 3)
        .map((n) => ({ target: n.target, ...(n.failureSummary ? { failureSummary: n.failureSummary } : {}) })),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Presses Tab until the focused element matches `selector` (or is inside an element matching it). */
export async function tabTo(page: Page, selector: string, o: { max?: number; shift?: boolean } = {}): Promise<void> {
  const max = o.max ?? 80;
  for (let i = 0; i < max; i++) {
    const hit = await page.evaluate((sel) => {
      const a = document.activeElement;
      return !!a && a !== document.body && (a.matches(sel) || !!a.closest(sel));
    }, selector);
    if (hit) return;
    await page.keyboard.press(o.shift ? 'Shift+Tab' : 'Tab');
  }
  const where = await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 200));
  throw new Error(`Tab never reached ${selector} in ${max} presses (focus on ${where})`);
}

/** Tab (or Shift+Tab) to a button by its visible text (exact, or a RegExp). */
export async function tabToButton(page: Page, text: string | RegExp, o: { shift?: boolean } = {}): Promise<void> {
  const max = 80;
  for (let i = 0; i < max; i++) {
    const t = await page.evaluate(() => {
      const a = document.activeElement as HTMLElement | null;
      return a && (a.tagName === 'BUTTON' || a.getAttribute('role') === 'button') ? a.innerText.trim() : undefined;
    });
    if (t !== undefined && (typeof text === 'string' ? t === text : text.test(t))) return;
    await page.keyboard.press(o.shift ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`Tab never reached the button "${String(text)}"`);
}
