/**
 * The cluster settings schema lives in shared/settings (the web console checks its form with the same
 * one); here it becomes the API's and the state machine's VALIDATION_FAILED diagnosis.
 */

import { type ClusterSettings, checkClusterSettings } from '../../../shared/settings/cluster-settings.js';
import { makeDiagnosis } from '../diagnosis/catalog.js';
import type { Diagnosis } from '../diagnosis/types.js';

export * from '../../../shared/settings/cluster-settings.js';

export type ParseResult = { ok: true; settings: ClusterSettings } | { ok: false; diagnosis: Diagnosis };

/** Validates and normalises cluster settings: the settings, or VALIDATION_FAILED with every field problem. */
export function parseClusterSettings(input: unknown, opts: { roleNamePrefix: string }): ParseResult {
  const checked = checkClusterSettings(input, opts);
  if (checked.ok) return checked;
  const { fields } = checked;
  const roleFields = fields.filter((f) => f.path === 'provisionRoleArn' || f.path === 'serviceRoleArn');
  const evidence = { ...(roleFields.length ? { roleNamePrefix: opts.roleNamePrefix } : {}) };
  // The seed's "Role ARN must be a valid Amazon Resource Name" keeps its own code among the problems.
  const problems = roleFields.map((f) => ({ code: 'INVALID_ROLE_ARN' as const, message: `${f.path} ${f.message}` }));
  return {
    ok: false,
    diagnosis: makeDiagnosis('VALIDATION_FAILED', evidence, { fields, ...(problems.length ? { problems } : {}) }),
  };
}
