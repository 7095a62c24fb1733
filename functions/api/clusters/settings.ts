/**
 * The cluster settings of POST /v1/clusters, read with the same schema ValidateRequest uses (one
 * schema, lib/schema/cluster-settings.ts). Every field error is returned, not just the first.
 */
import type { FieldProblem } from '../../lib/diagnosis/types.js';
import { clusterSettingsSchema, type ClusterSettings } from '../../lib/schema/cluster-settings.js';
import { fieldsFromZod } from '../http/zod-fields.js';

export type SettingsResult = { ok: true; settings: ClusterSettings } | { ok: false; fields: FieldProblem[] };

export function readClusterSettings(body: unknown, _opts: { roleNamePrefix: string }): SettingsResult {
  const parsed = clusterSettingsSchema.safeParse(body);
  return parsed.success ? { ok: true, settings: parsed.data } : { ok: false, fields: fieldsFromZod(parsed.error) };
}
