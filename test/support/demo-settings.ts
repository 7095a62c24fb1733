/**
 * The demo's cluster settings (events/create-cluster.json, normalised by the real schema) for unit
 * tests, with per-test overrides, so fixtures follow the one sample input instead of copies of it.
 */
import demo from '../../events/create-cluster.json' with { type: 'json' };
import { type ClusterSettings, parseClusterSettings } from '../../functions/lib/schema/cluster-settings.js';

export function demoSettings(over: Partial<ClusterSettings> = {}): ClusterSettings {
  const parsed = parseClusterSettings(demo.cluster, { roleNamePrefix: 'eks-provisioner-' });
  if (!parsed.ok)
    throw new Error(`events/create-cluster.json no longer passes the schema: ${parsed.diagnosis.message}`);
  return { ...parsed.settings, ...over };
}
