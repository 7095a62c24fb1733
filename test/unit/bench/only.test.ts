import { describe, expect, it } from 'vitest';
import { selectOnly } from '../../../bench/lib/only.js';

describe('benchmarks: --only', () => {
  const rows = [{ key: 'throttle' }, { key: '5xx' }, { key: 'expiry' }];
  it('keeps the named rows, all of them without --only', () => {
    expect(selectOnly(rows, (r) => r.key, new Set(['5xx']))).toEqual([{ key: '5xx' }]);
    expect(selectOnly(rows, (r) => r.key, undefined)).toEqual(rows);
  });
  it('a name that does not exist fails the run instead of dropping its measurement', () => {
    expect(() => selectOnly(rows, (r) => r.key, new Set(['5xx', 'expirey']))).toThrow(
      /--only expirey: no such name \(choose from throttle, 5xx, expiry\)/,
    );
  });
});
