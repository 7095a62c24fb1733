/**
 * Does role B's own policy let a stack rollback delete what the stack made? With `onFailure:
 * ROLLBACK`, CloudFormation deletes every created resource with role B's credentials (the stack
 * has no service role); without the delete statement each delete is denied and the stack ends
 * ROLLBACK_FAILED with orphans. So the pre-flight reads role B's policies (inline and attached) and
 * checks that every action of the delete statement (delete-statement.ts) is allowed on the
 * resources this cluster's stack will create, with the tags the service puts on them.
 *
 * A deliberately small evaluator, conservative where it cannot know: Allow statements count only
 * with Action/Resource (not NotAction/NotResource) and conditions on keys it can fill
 * (`aws:ResourceTag/…`, `iam:PolicyARN`); a Deny that matches, or whose condition it cannot judge,
 * counts as denying. A false "missing" only asks for the statement GET /v1/setup offers; it never
 * lets a rollback start that would be denied.
 */
import { ATTACHED_MANAGED_POLICIES, managedPolicyArn, ROLE_PATH, TAG_KEYS } from '../template/constants.js';
import { deleteActions, MANAGED_BY_VALUE } from './delete-statement.js';

export interface PolicyDoc {
  Statement?: unknown;
}

interface Stmt {
  Effect?: string;
  Action?: string | string[];
  NotAction?: unknown;
  Resource?: string | string[];
  NotResource?: unknown;
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface StackPlace {
  partition: string;
  region: string;
  accountId: string;
  stackName: string;
  clusterName: string;
}

const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** IAM wildcard match (`*`, `?`), case-insensitive for actions only. */
function wildcard(pattern: string, value: string, ignoreCase = false): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    ignoreCase ? 'i' : '',
  );
  return re.test(value);
}

/** What one delete request looks like to IAM: action, resource ARN, and the condition keys we know. */
interface Request {
  action: string;
  resource: string;
  context: Record<string, string>;
}

/** The requests a rollback of this cluster's stack makes (one per action, DetachRolePolicy once per managed policy). */
export function rollbackRequests(p: StackPlace): Request[] {
  const tags = { [`aws:ResourceTag/${TAG_KEYS.managedBy}`]: MANAGED_BY_VALUE };
  const a = deleteActions();
  const arn = (service: string, resource: string, region = p.region) =>
    `arn:${p.partition}:${service}:${region}:${p.accountId}:${resource}`;
  const eksResource: Record<string, string> = {
    'eks:DeleteCluster': `cluster/${p.clusterName}`,
    'eks:DeleteNodegroup': `nodegroup/${p.clusterName}/${p.clusterName}-nodes/0`,
    'eks:DeleteAddon': `addon/${p.clusterName}/vpc-cni/0`,
    'eks:DeleteAccessEntry': `access-entry/${p.clusterName}/role/${p.accountId}/admin/0`,
    'eks:DisassociateAccessPolicy': `access-entry/${p.clusterName}/role/${p.accountId}/admin/0`,
    'eks:DeletePodIdentityAssociation': `podidentityassociation/${p.clusterName}/a-0`,
  };
  const role = `arn:${p.partition}:iam::${p.accountId}:role${ROLE_PATH}${p.stackName}-NodeRole`;
  return [
    ...a.stack.map((action) => ({
      action,
      resource: arn('cloudformation', `stack/${p.stackName}/00000000-0000-0000-0000-000000000000`),
      context: tags,
    })),
    ...a.eks.map((action) => ({
      action,
      resource: arn('eks', eksResource[action] ?? `cluster/${p.clusterName}`),
      context: tags,
    })),
    ...a.iam.flatMap((action) =>
      action === 'iam:DetachRolePolicy'
        ? ATTACHED_MANAGED_POLICIES.map((m) => ({
            action,
            resource: role,
            context: { ...tags, 'iam:PolicyARN': managedPolicyArn(m, p.partition) },
          }))
        : [{ action, resource: role, context: tags }],
    ),
  ];
}

/** true / false when the condition block can be judged with the request's keys; undefined when it cannot. */
function conditionHolds(cond: Stmt['Condition'], ctx: Record<string, string>): boolean | undefined {
  if (!cond) return true;
  for (const [op, entries] of Object.entries(cond)) {
    for (const [key, expected] of Object.entries(entries ?? {})) {
      const value = Object.entries(ctx).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1];
      if (value === undefined) return undefined;
      const values = asList(expected).map(String);
      if (op === 'StringEquals' || op === 'ArnEquals') {
        if (!values.includes(value)) return false;
      } else if (op === 'StringLike' || op === 'ArnLike') {
        if (!values.some((v) => wildcard(v, value))) return false;
      } else return undefined;
    }
  }
  return true;
}

function statements(docs: PolicyDoc[]): Stmt[] {
  return docs
    .flatMap((d) => asList(d.Statement as Stmt | Stmt[] | undefined))
    .filter((s): s is Stmt => !!s && typeof s === 'object');
}

function matches(s: Stmt, r: Request): boolean {
  return (
    asList(s.Action).some((a) => wildcard(String(a), r.action, true)) &&
    asList(s.Resource).some((res) => wildcard(String(res), r.resource))
  );
}

function allowed(stmts: Stmt[], r: Request): boolean {
  const denied = stmts.some((s) => {
    if (s.Effect !== 'Deny') return false;
    if (s.NotAction !== undefined || s.NotResource !== undefined) return true; // cannot judge: count it
    return matches(s, r) && conditionHolds(s.Condition, r.context) !== false;
  });
  if (denied) return false;
  return stmts.some(
    (s) =>
      s.Effect === 'Allow' &&
      s.NotAction === undefined &&
      s.NotResource === undefined &&
      matches(s, r) &&
      conditionHolds(s.Condition, r.context) === true,
  );
}

/** The delete actions role B's policies do not allow for this stack's rollback (empty = it may roll back). */
export function missingRollbackActions(docs: PolicyDoc[], place: StackPlace): string[] {
  const stmts = statements(docs);
  return [
    ...new Set(
      rollbackRequests(place)
        .filter((r) => !allowed(stmts, r))
        .map((r) => r.action),
    ),
  ];
}
