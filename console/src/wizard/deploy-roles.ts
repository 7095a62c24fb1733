/**
 * Deploy roles (`deployPrincipalArns`): IAM roles, e.g. a CI system, given edit access in the managed
 * namespaces. DOM-free, so the rules are unit-tested in Node against the API's own schema.
 *
 * The per-list rules of the API's schema are checked here before sending (role ARN, at most 5, no
 * duplicates), with the API's words and the same field paths (`deployPrincipalArns[1]`). Rules that
 * depend on other fields (not role B, not also an administrator, needs a managed cluster) are left to
 * the API: its field errors land on the same field.
 */
import type { FieldError } from '../api/types';

export const DEPLOY_FIELD = 'deployPrincipalArns';
/** The cluster template's deploy access-entry slots (functions/lib/template/parameters.ts). */
export const MAX_DEPLOY_ROLES = 5;

const PARTITIONS = 'aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc';
/** IAM's role ARN: optional path, name of 1–64 of [\w+=,.@-] (the API's ROLE_ARN_RE; kept equal by a test). */
export const DEPLOY_ROLE_ARN_RE = new RegExp(`^arn:(${PARTITIONS}):iam::(\\d{12}):role/((?:[\\x21-\\x7E]+/)?)([\\w+=,.@-]{1,64})$`);
/** IAM's limit on a role path (`/a/b/`). */
const IAM_PATH_MAX = 512;

/** The field's text → ARNs: one per line, or separated by commas or spaces. */
export function parseArnList(text: string): string[] {
  return text.split(/[\s,]+/).filter(Boolean);
}

function pathLength(arn: string): number {
  const at = arn.indexOf(':role/');
  return at < 0 ? 0 : Math.max(0, arn.lastIndexOf('/') - (at + 5) + 1);
}

/** The problems the API's schema would report for these deploy roles, as field errors. */
export function deployRoleProblems(arns: string[]): FieldError[] {
  const out: FieldError[] = [];
  arns.forEach((arn, i) => {
    if (!DEPLOY_ROLE_ARN_RE.test(arn)) {
      out.push({
        path: `${DEPLOY_FIELD}[${i}]`,
        message: `must be the ARN of an IAM role for deployments (e.g. your CI system), like arn:aws:iam::123456789012:role/ci-deploy (copy it from the IAM console: Roles → the role → ARN)${/:user\//.test(arn) ? ' — IAM users cannot be deploy principals: use a role your CI system assumes' : ''}`,
      });
    } else if (pathLength(arn) > IAM_PATH_MAX) {
      out.push({ path: `${DEPLOY_FIELD}[${i}]`, message: `has a role path longer than ${IAM_PATH_MAX} characters (IAM's limit): copy the ARN from the IAM console` });
    }
  });
  if (arns.length > MAX_DEPLOY_ROLES) out.push({ path: DEPLOY_FIELD, message: `may list at most ${MAX_DEPLOY_ROLES} roles: let several CI jobs assume one deploy role` });
  if (new Set(arns).size !== arns.length) out.push({ path: DEPLOY_FIELD, message: 'lists a role twice: give each once' });
  return out;
}
