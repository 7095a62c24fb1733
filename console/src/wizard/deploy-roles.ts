/**
 * Deploy roles (`deployPrincipalArns`): IAM roles, e.g. a CI system, given edit access in the managed
 * namespaces. DOM-free, unit-tested in Node.
 *
 * The list's rules are the API's own schema (shared/settings): role ARN, at most 5, no duplicates,
 * with the API's words and field paths (`deployPrincipalArns[1]`). The console adds one hint: an IAM
 * user is not a deploy principal.
 */

import { MAX_DEPLOY_PRINCIPALS } from '../../../functions/lib/template/parameters';
import { clusterSettingsSchema, formatPath, ROLE_ARN_RE } from '../../../shared/settings/cluster-settings';
import type { FieldError } from '../api/types';

export const DEPLOY_FIELD = 'deployPrincipalArns';
export const MAX_DEPLOY_ROLES = MAX_DEPLOY_PRINCIPALS;
export const DEPLOY_ROLE_ARN_RE = ROLE_ARN_RE;

/** The field's text → ARNs: one per line, or separated by commas or spaces. */
export function parseArnList(text: string): string[] {
  return text.split(/[\s,]+/).filter(Boolean);
}

/** The problems the API's schema reports for these deploy roles, as field errors. */
export function deployRoleProblems(arns: string[]): FieldError[] {
  const r = clusterSettingsSchema.shape.deployPrincipalArns.safeParse(arns);
  if (r.success) return [];
  return r.error.issues.map((i) => {
    const path = formatPath([DEPLOY_FIELD, ...i.path]);
    const arn = typeof i.path[0] === 'number' ? arns[i.path[0]] : undefined;
    const hint =
      arn && /:user\//.test(arn) ? ' — IAM users cannot be deploy principals: use a role your CI system assumes' : '';
    return { path, message: `${i.message}${hint}` };
  });
}
