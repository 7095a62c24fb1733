/**
 * The cluster settings of POST /v1/clusters, read with the same function ValidateRequest uses
 * (one schema: lib/schema/cluster-settings.ts). Every field error is returned, not just the first.
 */
import type { Diagnosis } from '../../lib/diagnosis/types.js';
import { parseClusterSettings } from '../../lib/schema/cluster-settings.js';
import type { ClusterSettings } from '../../lib/schema/cluster-settings.js';

export type SettingsResult = { ok: true; settings: ClusterSettings } | { ok: false; diagnosis: Diagnosis };

export function readClusterSettings(body: unknown, opts: { roleNamePrefix: string }): SettingsResult {
  return parseClusterSettings(body, opts);
}
