/** The 25,000-event history quota (lowered for the test) ends a run (see ended-harness.ts). One local stack per file. */
import { describe, expect, it } from 'vitest';
import { expectRecordedEnd, start, submit } from './ended-harness.js';

describe('runs that end without their Catch are recorded', () => {
  it('the history quota → EXECUTION_FAILED naming States.Runtime', async () => {
    const x = await start({ historyEventQuota: 45 });
    const c = await submit(x, 'e2e-quota', 'e2e-quota');
    const record = await expectRecordedEnd(x, 'e2e-quota', c, 'FAILED', 'EXECUTION_FAILED');
    expect(record.diagnosis?.message).toContain('States.Runtime');
    expect(record.diagnosis?.message).toMatch(/maximum number of events/);
  }, 180_000);
});
