/** An uncatchable States.Runtime ends a run (see ended-harness.ts). One local stack per file. */

import { describe, expect, it } from 'vitest';
import { loadDefinition } from '../../local/runner/definition.js';
import { expectRecordedEnd, placement, start, submit } from './ended-harness.js';

describe('runs that end without their Catch are recorded', () => {
  it('an uncatchable States.Runtime (a path that does not exist) → EXECUTION_FAILED', async () => {
    const definition = await loadDefinition(placement);
    const notify = definition.States['NotifyStarted']!;
    const entry = (notify.Parameters!['Entries'] as Array<{ Detail: Record<string, unknown> }>)[0]!;
    entry.Detail['name.$'] = '$.cluster.noSuchField';
    const x = await start({ definition });
    const c = await submit(x, 'e2e-runtime', 'e2e-runtime');
    const record = await expectRecordedEnd(x, 'e2e-runtime', c, 'FAILED', 'EXECUTION_FAILED');
    expect(record.diagnosis?.message).toContain('States.Runtime');
  }, 180_000);
});
