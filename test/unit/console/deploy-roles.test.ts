/**
 * The console's check of deploy roles (console/src/wizard/deploy-roles.ts) against the API's schema:
 * for every list the console refuses, the API refuses it on the same paths, and what the console
 * sends the API accepts (the cross-field rules are the API's alone).
 */
import { describe, expect, it } from 'vitest';
import {
  DEPLOY_ROLE_ARN_RE,
  deployRoleProblems,
  MAX_DEPLOY_ROLES,
  parseArnList,
} from '../../../console/src/wizard/deploy-roles.js';
import demo from '../../../events/create-cluster.json' with { type: 'json' };
import { parseClusterSettings, ROLE_ARN_RE } from '../../../functions/lib/schema/cluster-settings.js';
import { MAX_DEPLOY_PRINCIPALS } from '../../../functions/lib/template/parameters.js';

const role = (name: string, account = '222222222222') => `arn:aws:iam::${account}:role/${name}`;
const LONG_PATH = `arn:aws:iam::222222222222:role/${'p/'.repeat(300)}ci`;

/** The API's field paths for deployPrincipalArns on otherwise valid settings. */
function apiPaths(arns: string[]): string[] {
  const r = parseClusterSettings(
    { ...structuredClone(demo.cluster), deployPrincipalArns: arns },
    { roleNamePrefix: 'eks-provisioner-' },
  );
  return r.ok ? [] : (r.diagnosis.fields ?? []).map((f) => f.path).filter((p) => p.startsWith('deployPrincipalArns'));
}

describe('console deploy roles', () => {
  it('splits the field on lines, commas and spaces', () => {
    expect(parseArnList(` ${role('a')},\n${role('b')}  ${role('c')}\n`)).toEqual([role('a'), role('b'), role('c')]);
    expect(parseArnList(' \n , ')).toEqual([]);
  });

  it("uses the API's role ARN rule and limit", () => {
    expect(DEPLOY_ROLE_ARN_RE.source).toBe(ROLE_ARN_RE.source);
    expect(MAX_DEPLOY_ROLES).toBe(MAX_DEPLOY_PRINCIPALS);
  });

  const cases: Array<[string, string[]]> = [
    ['two roles', [role('ci-a'), role('team/ci-b')]],
    ['a user', [role('ci-a'), 'arn:aws:iam::222222222222:user/ci']],
    ['a group', ['arn:aws:iam::222222222222:group/ci']],
    ['an account of 11 digits', [role('ci', '22222222222')]],
    ['a role path over 512 characters', [LONG_PATH]],
    ['the same role twice', [role('ci-a'), role('ci-a')]],
    ['six roles', [1, 2, 3, 4, 5, 6].map((i) => role(`ci-${i}`))],
    ['another partition', ['arn:aws-cn:iam::222222222222:role/ci']],
  ];
  it.each(cases)('%s: refused on the same paths as the API', (_what, arns) => {
    const mine = deployRoleProblems(arns)
      .map((f) => f.path)
      .sort();
    expect(mine).toEqual(apiPaths(arns).sort());
  });

  it('names the fix for an IAM user', () => {
    const [p] = deployRoleProblems(['arn:aws:iam::222222222222:user/ci']);
    expect(p).toEqual({
      path: 'deployPrincipalArns[0]',
      message: expect.stringMatching(/must be the ARN of an IAM role.*IAM users cannot be deploy principals/),
    });
  });

  it('leaves role B and the administrators to the API (rules across fields)', () => {
    expect(deployRoleProblems([demo.cluster.provisionRoleArn])).toEqual([]);
    expect(apiPaths([role('ci'), demo.cluster.provisionRoleArn])).toEqual(['deployPrincipalArns[1]']);
  });
});
