/**
 * IAM policy evaluation, the subset AWS applies within one account that this domain exercises:
 *
 * - identity policies: the principal's inline policies plus its attached managed policies;
 *   for an assumed role, also the session policy passed to AssumeRole (effective = intersection);
 *   a role's permissions boundary, when set, intersects as well;
 * - explicit Deny in any applicable policy wins; otherwise an Allow is needed (implicit deny);
 * - Action/NotAction (case-insensitive, `*` and `?` wildcards), Resource/NotResource (wildcards);
 * - conditions: StringEquals, StringNotEquals, StringEqualsIgnoreCase, StringLike, StringNotLike, ArnEquals,
 *   ArnLike, ArnNotEquals, ArnNotLike, Bool, Null, each with the `IfExists` suffix, and the
 *   `ForAnyValue:`/`ForAllValues:` set prefixes, operator names in any case (as IAM reads them);
 *   keys come from the request context (e.g. `sts:ExternalId`, `sts:RoleSessionName`,
 *   `iam:PassedToService`) plus global keys derived here (`aws:RequestedRegion`, `aws:PrincipalArn`,
 *   `aws:PrincipalAccount`, `aws:PrincipalType`, `aws:username`, `aws:userid`);
 * - trust policies for sts:AssumeRole (`authorizeAssumeRole`): Principal matching (`*`, account id, account
 *   root ARN, user/role ARN, service), NotPrincipal (everyone it does not name), and — when the trust delegates to the account rather than naming the
 *   caller, or the caller is in another account — the caller's own identity permission for sts:AssumeRole.
 *
 * Not modelled: resource-based policies other than trust policies, SCPs, policy variables, numeric/date
 * operators.
 */
import type { IamRole, PolicyDocument, PolicyStatement, Principal } from '../world/types.js';
import type { World } from '../world/world.js';

/** Request context for condition keys. Keys are matched case-insensitively, as IAM does. */
export interface AuthContext {
  /** The region the request targets; becomes `aws:RequestedRegion`. */
  region?: string;
  /** Service-specific keys, e.g. `{ 'iam:PassedToService': 'eks.amazonaws.com', 'sts:ExternalId': 'x' }`. */
  keys?: Record<string, string | string[] | boolean | number | undefined>;
}

export type Decision = 'allow' | 'explicit-deny' | 'implicit-deny';

export interface AuthResult {
  allowed: boolean;
  decision: Decision;
  /** Which kind of policy decided: `identity`, `session`, `boundary`, `trust`, or `service` (AWS service principal). */
  policyType: 'identity' | 'session' | 'boundary' | 'trust' | 'service';
  /** Human-readable explanation (for logs and tests, not for AWS error text). */
  reason: string;
}

// ---------------------------------------------------------------------------------------------------------
// Matching helpers
// ---------------------------------------------------------------------------------------------------------

const regexCache = new Map<string, RegExp>();

/** IAM wildcard match: `*` any run of chars, `?` one char. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const cacheKey = `${ignoreCase ? 'i' : 's'}:${pattern}`;
  let re = regexCache.get(cacheKey);
  if (!re) {
    const body = pattern
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('');
    re = new RegExp(`^${body}$`, ignoreCase ? 'is' : 's');
    regexCache.set(cacheKey, re);
  }
  return re.test(value);
}

function asList<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

export function statementsOf(doc: PolicyDocument | undefined): PolicyStatement[] {
  return doc ? asList(doc.Statement) : [];
}

function actionMatches(st: PolicyStatement, action: string): boolean {
  if (st.Action !== undefined) return asList(st.Action).some((p) => wildcardMatch(p, action, true));
  if (st.NotAction !== undefined) return !asList(st.NotAction).some((p) => wildcardMatch(p, action, true));
  return false;
}

function resourceMatches(st: PolicyStatement, resource: string): boolean {
  if (st.Resource !== undefined) return asList(st.Resource).some((p) => wildcardMatch(p, resource));
  if (st.NotResource !== undefined) return !asList(st.NotResource).some((p) => wildcardMatch(p, resource));
  return false;
}

type ContextValues = Map<string, string[]>;

function buildContext(principal: Principal, ctx: AuthContext): ContextValues {
  const values: ContextValues = new Map();
  const put = (key: string, v: string | string[] | boolean | number | undefined) => {
    if (v === undefined) return;
    values.set(key.toLowerCase(), Array.isArray(v) ? v.map(String) : [String(v)]);
  };
  put('aws:PrincipalArn', principal.kind === 'assumed-role' ? principal.role.arn : principal.arn);
  put('aws:PrincipalAccount', principal.accountId);
  put('aws:userid', principal.userId);
  if (principal.kind === 'user') {
    put('aws:PrincipalType', 'User');
    put('aws:username', principal.user.name);
  } else if (principal.kind === 'assumed-role') {
    put('aws:PrincipalType', 'AssumedRole');
  } else {
    put('aws:PrincipalType', 'Service');
    put('aws:PrincipalServiceName', principal.service);
  }
  put('aws:RequestedRegion', ctx.region);
  // Every sandbox request arrives signed by an IAM identity or a service, as AWS sees a signed HTTPS call.
  put('aws:SecureTransport', 'true');
  put('aws:PrincipalIsAWSService', principal.kind === 'service' ? 'true' : 'false');
  for (const [k, v] of Object.entries(ctx.keys ?? {})) put(k, v);
  return values;
}

function compare(base: string, expected: string, actual: string): boolean {
  switch (base) {
    case 'StringEquals':
    case 'ArnEquals':
      return expected === actual;
    case 'StringEqualsIgnoreCase':
      return expected.toLowerCase() === actual.toLowerCase();
    case 'StringLike':
    case 'ArnLike':
      return wildcardMatch(expected, actual);
    case 'Bool':
      return expected.toLowerCase() === actual.toLowerCase();
    default:
      return false;
  }
}

const NEGATED: Record<string, string> = {
  StringNotEquals: 'StringEquals',
  StringNotEqualsIgnoreCase: 'StringEqualsIgnoreCase',
  StringNotLike: 'StringLike',
  ArnNotEquals: 'ArnEquals',
  ArnNotLike: 'ArnLike',
};

/** Canonical spelling of each operator the evaluator knows, by lower-case name (IAM reads them case-insensitively). */
const OPERATORS = new Map(
  [
    'StringEquals',
    'StringNotEquals',
    'StringEqualsIgnoreCase',
    'StringNotEqualsIgnoreCase',
    'StringLike',
    'StringNotLike',
    'ArnEquals',
    'ArnLike',
    'ArnNotEquals',
    'ArnNotLike',
    'Bool',
    'Null',
  ].map((op) => [op.toLowerCase(), op]),
);

/** `ForAnyValue:StringEqualsIfExists` → set mode, base operator (canonical spelling, or undefined) and IfExists, in any case. */
export function parseOperator(raw: string): { setMode?: 'any' | 'all'; base: string | undefined; ifExists: boolean } {
  let op = raw.toLowerCase();
  let setMode: 'any' | 'all' | undefined;
  if (op.startsWith('foranyvalue:')) {
    setMode = 'any';
    op = op.slice('foranyvalue:'.length);
  } else if (op.startsWith('forallvalues:')) {
    setMode = 'all';
    op = op.slice('forallvalues:'.length);
  }
  const ifExists = op.endsWith('ifexists') && op !== 'null';
  if (ifExists) op = op.slice(0, -'ifexists'.length);
  return { ...(setMode ? { setMode } : {}), base: OPERATORS.get(op), ifExists };
}

/** Evaluate one condition operator block; unknown operators never match (fail closed). */
function operatorMatches(
  rawOperator: string,
  block: Record<string, string | string[] | boolean | number>,
  values: ContextValues,
): boolean {
  const { setMode, base: op, ifExists } = parseOperator(rawOperator);
  if (op === undefined) return false;

  for (const [key, expectedRaw] of Object.entries(block)) {
    const expected = asList(expectedRaw as string | string[]).map(String);
    const actual = values.get(key.toLowerCase());
    if (op === 'Null') {
      const wantAbsent = expected[0]?.toLowerCase() === 'true';
      if (wantAbsent !== (actual === undefined)) return false;
      continue;
    }
    const negatedBase = NEGATED[op];
    const base = negatedBase ?? op;
    if (actual === undefined || actual.length === 0) {
      // Missing key: IfExists and ForAllValues match, negated operators match, the rest do not.
      if (ifExists || setMode === 'all' || negatedBase) continue;
      return false;
    }
    const one = (a: string) => expected.some((e) => compare(base, e, a));
    let matched: boolean;
    if (setMode === 'all') matched = actual.every(one);
    else matched = actual.some(one);
    if (negatedBase) matched = setMode === 'all' ? !actual.some(one) : !matched;
    if (!matched) return false;
  }
  return true;
}

function conditionsMatch(st: PolicyStatement, values: ContextValues): boolean {
  if (!st.Condition) return true;
  return Object.entries(st.Condition).every(([op, block]) => operatorMatches(op, block, values));
}

/** Result of evaluating a set of policies: did any Deny match, did any Allow match. */
interface SetVerdict {
  deny: boolean;
  allow: boolean;
}

function evaluateSet(docs: PolicyDocument[], action: string, resource: string, values: ContextValues): SetVerdict {
  const verdict: SetVerdict = { deny: false, allow: false };
  for (const doc of docs) {
    for (const st of statementsOf(doc)) {
      if (!actionMatches(st, action) || !resourceMatches(st, resource) || !conditionsMatch(st, values)) continue;
      if (st.Effect === 'Deny') verdict.deny = true;
      else if (st.Effect === 'Allow') verdict.allow = true;
    }
  }
  return verdict;
}

/** The identity policies of a user or role: inline documents plus attached managed policy documents. */
export function identityPolicies(
  world: World,
  holder: { inlinePolicies: Record<string, PolicyDocument>; attachedPolicyArns: string[] },
): PolicyDocument[] {
  const docs = Object.values(holder.inlinePolicies);
  for (const arn of holder.attachedPolicyArns) {
    const p = world.managedPolicy(arn);
    if (p) docs.push(p.document);
  }
  return docs;
}

// ---------------------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------------------

/**
 * May `principal` perform `action` (e.g. `ec2:DescribeSubnets`) on `resourceArn` (`*` for actions without
 * resource-level permissions)? AWS service principals are always allowed (they act under their own rules).
 */
export function authorize(
  world: World,
  principal: Principal,
  action: string,
  resourceArn: string,
  context: AuthContext = {},
): AuthResult {
  if (principal.kind === 'service') {
    return {
      allowed: true,
      decision: 'allow',
      policyType: 'service',
      reason: `${principal.service} acts as a service`,
    };
  }
  const values = buildContext(principal, context);
  const holder = principal.kind === 'user' ? principal.user : principal.role;
  const identity = evaluateSet(identityPolicies(world, holder), action, resourceArn, values);

  const sets: { type: AuthResult['policyType']; verdict: SetVerdict }[] = [{ type: 'identity', verdict: identity }];
  if (principal.kind === 'assumed-role' && principal.session.sessionPolicy) {
    sets.push({
      type: 'session',
      verdict: evaluateSet([principal.session.sessionPolicy], action, resourceArn, values),
    });
  }
  const boundaryArn = principal.kind === 'assumed-role' ? principal.role.permissionsBoundaryArn : undefined;
  if (boundaryArn) {
    const boundary = world.managedPolicy(boundaryArn);
    sets.push({
      type: 'boundary',
      verdict: boundary ? evaluateSet([boundary.document], action, resourceArn, values) : { deny: false, allow: false },
    });
  }

  const denied = sets.find((s) => s.verdict.deny);
  if (denied) {
    return {
      allowed: false,
      decision: 'explicit-deny',
      policyType: denied.type,
      reason: `explicit deny in ${denied.type} policy for ${action} on ${resourceArn}`,
    };
  }
  const missing = sets.find((s) => !s.verdict.allow);
  if (missing) {
    return {
      allowed: false,
      decision: 'implicit-deny',
      policyType: missing.type,
      reason: `no ${missing.type} policy allows ${action} on ${resourceArn}`,
    };
  }
  return { allowed: true, decision: 'allow', policyType: 'identity', reason: `allowed: ${action} on ${resourceArn}` };
}

/** Does a trust-policy Principal element name this caller? Returns how: directly or via its account. */
function principalMatch(element: PolicyStatement['Principal'], caller: Principal): 'direct' | 'account' | undefined {
  if (element === undefined) return undefined;
  if (element === '*') return 'account';
  let best: 'direct' | 'account' | undefined;
  for (const [type, raw] of Object.entries(element)) {
    for (const v of asList(raw)) {
      if (type === 'Service') {
        if (caller.kind === 'service' && caller.service === v) return 'direct';
      } else if (type === 'AWS') {
        if (v === '*') best ??= 'account';
        else if (v === caller.accountId || new RegExp(`^arn:aws[a-z-]*:iam::${caller.accountId}:root$`).test(v)) {
          best ??= 'account';
        } else if (caller.kind === 'user' && v === caller.arn) {
          return 'direct';
        } else if (caller.kind === 'assumed-role' && (v === caller.role.arn || v === caller.arn)) {
          return 'direct';
        }
      }
    }
  }
  return best;
}

/**
 * sts:AssumeRole as AWS decides it: the role's trust policy must allow the caller (conditions such as
 * `sts:ExternalId` evaluated with `context.keys`), no trust Deny may match, and unless the trust policy names
 * the caller directly within the same account, the caller's identity policies must allow `sts:AssumeRole` on
 * the role ARN (cross-account always needs both sides).
 */
export function authorizeAssumeRole(
  world: World,
  caller: Principal,
  role: IamRole,
  context: AuthContext = {},
  action = 'sts:AssumeRole',
): AuthResult {
  const values = buildContext(caller, context);
  let trustAllow: 'direct' | 'account' | undefined;
  for (const st of statementsOf(role.assumeRolePolicyDocument)) {
    if (!actionMatches(st, action)) continue;
    // NotPrincipal: every principal it does not name, in any account (as the caller's account would: identity policy needed).
    const how =
      st.NotPrincipal !== undefined
        ? principalMatch(st.NotPrincipal, caller)
          ? undefined
          : 'account'
        : principalMatch(st.Principal, caller);
    if (!how || !conditionsMatch(st, values)) continue;
    if (st.Effect === 'Deny') {
      return {
        allowed: false,
        decision: 'explicit-deny',
        policyType: 'trust',
        reason: `trust policy of ${role.arn} denies ${caller.arn}`,
      };
    }
    if (st.Effect === 'Allow' && (trustAllow === undefined || how === 'direct')) trustAllow = how;
  }
  if (!trustAllow) {
    return {
      allowed: false,
      decision: 'implicit-deny',
      policyType: 'trust',
      reason: `trust policy of ${role.arn} does not allow ${caller.arn} (principal or conditions such as sts:ExternalId do not match)`,
    };
  }
  if (caller.kind === 'service')
    return { allowed: true, decision: 'allow', policyType: 'trust', reason: 'trusted service' };
  const sameAccountDirect = trustAllow === 'direct' && caller.accountId === role.accountId;
  if (sameAccountDirect)
    return { allowed: true, decision: 'allow', policyType: 'trust', reason: 'trust policy names the caller' };
  const identity = authorize(world, caller, action, role.arn, context);
  if (!identity.allowed) return identity;
  return { allowed: true, decision: 'allow', policyType: 'trust', reason: 'trust policy and identity policy allow' };
}

/** Does the role's trust policy let this AWS service assume it (e.g. `eks.amazonaws.com`)? */
export function roleTrustsService(world: World, role: IamRole, service: string): boolean {
  const caller: Principal = {
    kind: 'service',
    service,
    accountId: role.accountId,
    arn: service,
    userId: service,
  };
  return authorizeAssumeRole(world, caller, role).allowed;
}

// ---------------------------------------------------------------------------------------------------------
// AWS error text builders (wording as AWS returns it)
// ---------------------------------------------------------------------------------------------------------

/**
 * `User: arn:aws:iam::111111111111:user/app is not authorized to perform: sts:AssumeRole on
 * resource: arn:aws:iam::222222222222:role/x` — the STS AssumeRole form, no "because" clause.
 */
export function assumeRoleDeniedMessage(caller: Principal, roleArn: string): string {
  return `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`;
}

/** The clause AWS appends since 2021 saying which policy type denied. */
function becauseClause(action: string, result?: AuthResult): string {
  if (!result) return '';
  if (result.decision === 'explicit-deny') {
    const where =
      result.policyType === 'session'
        ? 'a session policy'
        : result.policyType === 'boundary'
          ? 'a permissions boundary'
          : 'an identity-based policy';
    return ` with an explicit deny in ${where}`;
  }
  const where =
    result.policyType === 'session'
      ? 'session policy'
      : result.policyType === 'boundary'
        ? 'permissions boundary'
        : 'identity-based policy';
  return ` because no ${where} allows the ${action} action`;
}

/**
 * IAM/EKS/CloudFormation/EventBridge form: `User: <arn> is not authorized to perform: <action> on resource:
 * <resource> because no identity-based policy allows the <action> action`. When the resource is `*` AWS
 * omits the "on resource" part.
 */
export function notAuthorizedMessage(caller: Principal, action: string, resource: string, result?: AuthResult): string {
  const on = resource && resource !== '*' ? ` on resource: ${resource}` : '';
  return `User: ${caller.arn} is not authorized to perform: ${action}${on}${becauseClause(action, result)}`;
}

/** EC2 `UnauthorizedOperation` message (describe calls carry no encoded message). */
export function ec2UnauthorizedMessage(caller: Principal, action: string, result?: AuthResult): string {
  return `You are not authorized to perform this operation. ${notAuthorizedMessage(caller, action, '*', result)}`;
}

// ---------------------------------------------------------------------------------------------------------
// Resource-based policies (added for the local API's IAM-authorization mode)
// ---------------------------------------------------------------------------------------------------------

/** What a resource-based policy says about one request: did an Allow match, did a Deny match. */
export interface ResourcePolicyVerdict {
  allow: boolean;
  deny: boolean;
}

/**
 * Evaluate a resource-based policy (e.g. an API Gateway resource policy) for a signed caller: a
 * statement applies when its Principal names the caller (`*`, the caller's account id or root ARN,
 * its user, role or assumed-role session ARN), its Action/Resource match and its conditions hold
 * with the same keys as identity policies. Combining the verdict with the identity policies is the
 * owning service's rule (API Gateway: same account, either allows; cross-account, both must).
 */
export function evaluateResourcePolicy(
  doc: PolicyDocument,
  caller: Principal,
  action: string,
  resourceArn: string,
  context: AuthContext = {},
): ResourcePolicyVerdict {
  const values = buildContext(caller, context);
  const verdict: ResourcePolicyVerdict = { allow: false, deny: false };
  for (const st of statementsOf(doc)) {
    if (
      !principalMatch(st.Principal, caller) ||
      !actionMatches(st, action) ||
      !resourceMatches(st, resourceArn) ||
      !conditionsMatch(st, values)
    )
      continue;
    if (st.Effect === 'Deny') verdict.deny = true;
    else if (st.Effect === 'Allow') verdict.allow = true;
  }
  return verdict;
}
