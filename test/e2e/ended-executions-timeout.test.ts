/** The definition's TimeoutSeconds ends a run (see ended-harness.ts). One local stack per file. */

import { describe, it } from 'vitest';
import { type AslDefinition, loadDefinition } from '../../local/runner/definition.js';
import { expectRecordedEnd, placement, start, submit } from './ended-harness.js';

describe('runs that end without their Catch are recorded', () => {
  it("the definition's TimeoutSeconds → EXECUTION_TIMED_OUT", async () => {
    const definition = { ...(await loadDefinition(placement)), TimeoutSeconds: 300 } as AslDefinition;
    const x = await start({ definition });
    const c = await submit(x, 'e2e-timeout', 'e2e-timeout');
    await expectRecordedEnd(x, 'e2e-timeout', c, 'TIMED_OUT', 'EXECUTION_TIMED_OUT');
  }, 180_000);
});
