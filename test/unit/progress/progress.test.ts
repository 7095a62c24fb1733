/**
 * Progress reports: the words the steps' cores choose, and recordProgress, the dependency the
 * handlers give them (onto the record, best effort).
 */
import { describe, expect, it } from 'vitest';
import { configurePhase } from '../../../functions/configure-cluster/configure-cluster.js';
import { recordProgress } from '../../../functions/lib/progress/progress.js';
import type { ConfigureProgress } from '../../../functions/lib/state.js';
import { clusterRecord } from '../../support/cluster-record.js';
import { demoSettings } from '../../support/demo-settings.js';
import { MemoryStore } from '../../support/memory-store.js';

function warnings() {
  const lines: Array<{ message: string; attributes: Record<string, unknown> }> = [];
  return {
    lines,
    warn: (message: string, attributes: Record<string, unknown>) => void lines.push({ message, attributes }),
  };
}

describe('recordProgress', () => {
  it("writes each report onto the cluster's record", async () => {
    const store = new MemoryStore(() => new Date('2026-01-01T00:05:00.000Z'));
    await store.createCluster(clusterRecord('c-1', '2026-01-01T00:00:00.000Z', { settings: demoSettings() }));
    const log = warnings();
    const report = recordProgress(store, { tenantId: 'local', clusterId: 'c-1' }, log);
    await report({ phase: 'Creating the control plane', progress: { done: 2, total: 12 } });
    expect(await store.getCluster('local', 'c-1')).toMatchObject({
      phase: 'Creating the control plane',
      progress: { done: 2, total: 12 },
      updatedAt: '2026-01-01T00:05:00.000Z',
    });
    expect(log.lines).toEqual([]);
  });

  it('never throws: a failed write is a warning naming the fields, and the step goes on', async () => {
    const store = new MemoryStore();
    const log = warnings();
    await expect(
      recordProgress(store, { tenantId: 'local', clusterId: 'c-missing' }, log)({ phase: 'x', stackId: 'arn:stack' }),
    ).resolves.toBeUndefined();
    expect(log.lines).toEqual([
      {
        message: 'could not update progress on the record',
        attributes: { fields: ['phase', 'stackId'], error: 'ClusterNotFound' },
      },
    ]);
  });
});

describe('what the steps report', () => {
  it('ConfigureCluster: nodes counted while waiting, then configuring', () => {
    const look = (outcome: ConfigureProgress['outcome']) =>
      ({ outcome, nodes: { ready: 1, registered: 2, expected: 3 } }) as ConfigureProgress;
    expect(configurePhase(look('WAITING'))).toBe('Waiting for nodes (1 of 3 Ready)');
    expect(configurePhase(look('DONE'))).toBe('Configuring the cluster');
  });
});
