/**
 * What a step tells the user while it runs (the record's phase/progress, the stack id, an update's
 * progress). The step's core decides what to say and hands it to a `ReportProgress` dependency, so
 * the words are tested with the core; the handler wires it to the record with `recordProgress`.
 */
import type { ClusterRecord, Store } from '../store/types.js';

/** The record fields a running step may refresh. */
export type ProgressUpdate = Partial<Pick<ClusterRecord, 'phase' | 'progress' | 'stackId' | 'update'>>;

/** Best effort by contract: never throws (a lost report is harmless, the next one writes again). */
export type ReportProgress = (update: ProgressUpdate) => Promise<void>;

/** Writes each report onto the cluster's record; a failed write is logged as a warning, not thrown. */
export function recordProgress(
  store: Pick<Store, 'updateCluster'>,
  record: { tenantId: string; clusterId: string },
  log: { warn(message: string, attributes: Record<string, unknown>): void },
): ReportProgress {
  return async (update) => {
    try {
      await store.updateCluster(record.tenantId, record.clusterId, update);
    } catch (err) {
      log.warn('could not update progress on the record', {
        fields: Object.keys(update),
        error: String((err as Error)?.name ?? err),
      });
    }
  };
}
