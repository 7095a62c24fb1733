/** Resuming after a crash: execution names for resumed runs, and the sandbox's saved-state file. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { productWorld } from '../../local/runner/product-world.js';
import { resumedExecutionName } from '../../local/runner/resume.js';
import { openStateDir, StateSaver, WORLD_FILE } from '../../local/sandbox/persist/state-dir.js';

describe('resumedExecutionName', () => {
  const arn = (name: string) =>
    `arn:aws:states:us-east-1:111111111111:execution:eks-provisioner-provision-cluster:${name}`;
  it('never reuses a name: -r1 after the first run, -r2 after -r1', () => {
    expect(resumedExecutionName('c-abc', arn('c-abc'))).toBe('c-abc-r1');
    expect(resumedExecutionName('c-abc', arn('c-abc-r1'))).toBe('c-abc-r2');
    expect(resumedExecutionName('c-abc', undefined)).toBe('c-abc-r1');
  });
  it('stays within the 80 characters Step Functions allows', () => {
    const id = 'x'.repeat(80);
    expect(resumedExecutionName(id, arn(id))).toHaveLength(80);
    expect(resumedExecutionName(id, arn(id))).toMatch(/-r1$/);
  });
});

describe('the sandbox state directory', () => {
  it('starts empty, saves, and reads back what was saved', () => {
    const dir = mkdtempSync(join(tmpdir(), 'state-dir-'));
    expect(openStateDir(dir)).toBeUndefined();
    const world = productWorld();
    const saver = new StateSaver(
      dir,
      () => ({
        initial: world,
        data: world,
        capturedEvents: [],
        clockOffsetMs: 42,
        modules: { cloudformation: { callers: {} } },
      }),
      () => undefined,
      60_000,
    );
    saver.stop();
    const saved = openStateDir(dir)!;
    expect(saved.clockOffsetMs).toBe(42);
    expect(saved.data.accounts.map((a) => a.id)).toEqual(world.accounts.map((a) => a.id));
  });
  it('refuses a file that is not a saved sandbox, saying what to do', () => {
    const dir = mkdtempSync(join(tmpdir(), 'state-dir-'));
    writeFileSync(join(dir, WORLD_FILE), '{"hello":1}');
    expect(() => openStateDir(dir)).toThrow(/not a saved sandbox.*move it away/);
  });
});
