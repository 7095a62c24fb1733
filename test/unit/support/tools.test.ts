/** requireTool: a missing tool skips with a message on a developer's machine and fails under CI=true. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { findTool, inCi, requireTool } from '../../support/tools.js';

// No PATH: every command-line tool is missing; no Chromium at that path either.
const bare = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  PATH: '',
  CHROMIUM_PATH: '/nonexistent/chromium',
  ...extra,
});

afterEach(() => vi.restoreAllMocks());

describe('requireTool', () => {
  it('skips a missing tool with a message naming the tests and the install command, outside CI', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    for (const name of ['aws', 'kubectl', 'cfn-lint', 'moto', 'chromium'] as const) {
      expect(requireTool(name, `the ${name} checks`, bare())).toBeUndefined();
    }
    expect(warn).toHaveBeenCalledTimes(5);
    expect(String(warn.mock.calls[3]![0])).toMatch(
      /^skipped: the moto checks needs moto, which is not installed: pip install "moto\[server\]"/,
    );
    expect(String(warn.mock.calls[4]![0])).toContain('apt-get install -y chromium');
  });

  it('throws for a missing tool under CI=true, so a green CI means the check ran', () => {
    for (const name of ['aws', 'kubectl', 'cfn-lint', 'moto', 'chromium'] as const) {
      expect(() => requireTool(name, `the ${name} checks`, bare({ CI: 'true' }))).toThrow(
        new RegExp(`the ${name} checks needs ${name}.*CI=true`),
      );
    }
  });

  it('answers the tool where it is installed, under CI too', () => {
    // node is on this PATH (it runs this test); a Chromium path that exists stands in for the browser.
    expect(findTool('chromium', bare({ CHROMIUM_PATH: process.execPath }))?.command).toEqual([process.execPath]);
    expect(
      requireTool('chromium', 'the browser tests', bare({ CI: 'true', CHROMIUM_PATH: process.execPath }))?.version,
    ).toBe(process.execPath);
  });

  it('reads CI as CI services set it', () => {
    expect(inCi({ CI: 'true' })).toBe(true);
    expect(inCi({ CI: '1' })).toBe(true);
    expect(inCi({ CI: 'false' })).toBe(false);
    expect(inCi({})).toBe(false);
  });
});
