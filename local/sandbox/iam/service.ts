/**
 * IAM (global): roles, inline and managed role policies, service-linked roles, managed policy lookup.
 * Every operation checks `iam:<Operation>` against the caller's policies first, as IAM does.
 */
import { type OperationInput, type RequestContext, SandboxAwsError, type ServiceModule } from '../protocol/types.js';
import type { IamRole, Tags } from '../world/types.js';
import { roleArnOf, serviceLinkedTrust } from '../world/world.js';
import { encodePolicyDocument, parsePolicyDocument } from './policy-document.js';

const NAME = /^[\w+=,.@-]+$/;

function validation(message: string): SandboxAwsError {
  return new SandboxAwsError('ValidationError', message, 400);
}

function noSuchRole(name: string): SandboxAwsError {
  return new SandboxAwsError('NoSuchEntity', `The role with name ${name} cannot be found.`, 404);
}

const roleArnFor = (accountId: string, path: string, name: string) => roleArnOf('aws', accountId, path, name);

function requireName(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw validation(
      `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`,
    );
  }
  if (value.length > 64)
    throw validation(
      `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must have length less than or equal to 64`,
    );
  if (!NAME.test(value))
    throw validation(
      `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+`,
    );
  return value;
}

function getRoleOrThrow(ctx: RequestContext, name: string, action: string): IamRole {
  const role = ctx.world.role(ctx.accountId, name);
  // Authorise on the ARN the role would have, so a denied caller cannot probe existence.
  ctx.authorize(action, role?.arn ?? roleArnFor(ctx.accountId, '/', name));
  if (!role) throw noSuchRole(name);
  return role;
}

function tagsIn(list: unknown): Tags {
  const tags: Tags = {};
  for (const t of (list as { Key: string; Value: string }[] | undefined) ?? []) tags[t.Key] = t.Value ?? '';
  return tags;
}

function tagsOut(tags: Tags): { Key: string; Value: string }[] | undefined {
  const list = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
  return list.length ? list : undefined;
}

/** The `Role` shape of GetRole/CreateRole (ListRoles omits tags, as AWS does). */
export function roleOut(role: IamRole, withTags = true) {
  return {
    Path: role.path,
    RoleName: role.name,
    RoleId: role.roleId,
    Arn: role.arn,
    CreateDate: role.createDate,
    AssumeRolePolicyDocument: encodePolicyDocument(role.assumeRolePolicyDocument),
    Description: role.description,
    MaxSessionDuration: role.maxSessionDuration,
    PermissionsBoundary: role.permissionsBoundaryArn
      ? { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: role.permissionsBoundaryArn }
      : undefined,
    Tags: withTags ? tagsOut(role.tags) : undefined,
    RoleLastUsed: withTags ? {} : undefined,
  };
}

function createRole(ctx: RequestContext, input: OperationInput) {
  const name = requireName(input.RoleName, 'roleName');
  const path = (input.Path as string | undefined) ?? '/';
  if (!/^\/([\x21-\x7E]*\/)?$/.test(path) || path.length > 512) {
    throw validation(
      `1 validation error detected: Value '${path}' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)`,
    );
  }
  const arn = roleArnFor(ctx.accountId, path, name);
  ctx.authorize('iam:CreateRole', arn);
  if (input.Tags) ctx.authorize('iam:TagRole', arn);
  if (typeof input.AssumeRolePolicyDocument !== 'string') {
    throw validation(
      `1 validation error detected: Value null at 'assumeRolePolicyDocument' failed to satisfy constraint: Member must not be null`,
    );
  }
  const trust = parsePolicyDocument(input.AssumeRolePolicyDocument, 'trust');
  const maxSession = input.MaxSessionDuration === undefined ? 3600 : Number(input.MaxSessionDuration);
  if (maxSession < 3600 || maxSession > 43200) {
    throw validation(
      `The requested MaxSessionDuration ${maxSession} is out of range. Valid range is 3600 to 43200 seconds.`,
    );
  }
  if (ctx.world.data.roles.some((r) => r.accountId === ctx.accountId && r.name.toLowerCase() === name.toLowerCase())) {
    throw new SandboxAwsError('EntityAlreadyExists', `Role with name ${name} already exists.`, 409);
  }
  if (input.PermissionsBoundary && !ctx.world.managedPolicy(String(input.PermissionsBoundary))) {
    throw new SandboxAwsError(
      'NoSuchEntity',
      `Scope ARN: ${String(input.PermissionsBoundary)} does not exist or is not attachable.`,
      404,
    );
  }
  const role = ctx.world.addRole({
    accountId: ctx.accountId,
    name,
    path,
    trust,
    ...(input.Description !== undefined ? { description: String(input.Description) } : {}),
    maxSessionDuration: maxSession,
    ...(input.PermissionsBoundary !== undefined ? { permissionsBoundaryArn: String(input.PermissionsBoundary) } : {}),
    tags: tagsIn(input.Tags),
  });
  return { Role: roleOut(role) };
}

function deleteRole(ctx: RequestContext, input: OperationInput) {
  const role = getRoleOrThrow(ctx, requireName(input.RoleName, 'roleName'), 'iam:DeleteRole');
  if (role.attachedPolicyArns.length > 0) {
    throw new SandboxAwsError('DeleteConflict', 'Cannot delete entity, must detach all policies first.', 409);
  }
  if (Object.keys(role.inlinePolicies).length > 0) {
    throw new SandboxAwsError('DeleteConflict', 'Cannot delete entity, must delete policies first.', 409);
  }
  ctx.world.data.roles = ctx.world.data.roles.filter((r) => r !== role);
  return {};
}

/** Opaque pagination marker (offset), as IAM's markers are opaque. */
function page<T>(items: T[], marker: unknown, maxItems: unknown): { page: T[]; IsTruncated: boolean; Marker?: string } {
  const max = maxItems === undefined ? 100 : Number(maxItems);
  if (!Number.isInteger(max) || max < 1 || max > 1000) {
    throw validation(
      `1 validation error detected: Value '${String(maxItems)}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000`,
    );
  }
  let start = 0;
  if (marker !== undefined) {
    const decoded = Number(
      Buffer.from(String(marker), 'base64')
        .toString('utf8')
        .replace(/^offset:/, ''),
    );
    if (!Number.isInteger(decoded) || decoded < 0) throw validation('Invalid Marker.');
    start = decoded;
  }
  const slice = items.slice(start, start + max);
  const truncated = start + max < items.length;
  return {
    page: slice,
    IsTruncated: truncated,
    Marker: truncated ? Buffer.from(`offset:${start + max}`).toString('base64') : undefined,
  };
}

function listRoles(ctx: RequestContext, input: OperationInput) {
  ctx.authorize('iam:ListRoles', `arn:aws:iam::${ctx.accountId}:role/`);
  const prefix = (input.PathPrefix as string | undefined) ?? '/';
  const roles = ctx.world.data.roles
    .filter((r) => r.accountId === ctx.accountId && r.path.startsWith(prefix))
    .sort((a, b) => a.name.localeCompare(b.name));
  const p = page(roles, input.Marker, input.MaxItems);
  return { Roles: p.page.map((r) => roleOut(r, false)), IsTruncated: p.IsTruncated, Marker: p.Marker };
}

/** ListUsers: like ListRoles, paginated by Marker/MaxItems; no tags in the listing (AWS omits them). */
function listUsers(ctx: RequestContext, input: OperationInput) {
  ctx.authorize('iam:ListUsers', `arn:aws:iam::${ctx.accountId}:user/`);
  const prefix = (input.PathPrefix as string | undefined) ?? '/';
  const users = ctx.world.data.users
    .filter((u) => u.accountId === ctx.accountId && u.path.startsWith(prefix))
    .sort((a, b) => a.name.localeCompare(b.name));
  const p = page(users, input.Marker, input.MaxItems);
  return {
    Users: p.page.map((u) => ({
      Path: u.path,
      UserName: u.name,
      UserId: u.userId,
      Arn: u.arn,
      CreateDate: u.createDate,
    })),
    IsTruncated: p.IsTruncated,
    Marker: p.Marker,
  };
}

function putRolePolicy(ctx: RequestContext, input: OperationInput) {
  const role = getRoleOrThrow(ctx, requireName(input.RoleName, 'roleName'), 'iam:PutRolePolicy');
  const policyName = requireName(input.PolicyName, 'policyName');
  role.inlinePolicies[policyName] = parsePolicyDocument(String(input.PolicyDocument ?? ''), 'identity');
  return {};
}

function getRolePolicy(ctx: RequestContext, input: OperationInput) {
  const role = getRoleOrThrow(ctx, requireName(input.RoleName, 'roleName'), 'iam:GetRolePolicy');
  const policyName = requireName(input.PolicyName, 'policyName');
  const doc = role.inlinePolicies[policyName];
  if (!doc) throw new SandboxAwsError('NoSuchEntity', `The role policy with name ${policyName} cannot be found.`, 404);
  return { RoleName: role.name, PolicyName: policyName, PolicyDocument: encodePolicyDocument(doc) };
}

function deleteRolePolicy(ctx: RequestContext, input: OperationInput) {
  const role = getRoleOrThrow(ctx, requireName(input.RoleName, 'roleName'), 'iam:DeleteRolePolicy');
  const policyName = requireName(input.PolicyName, 'policyName');
  if (!role.inlinePolicies[policyName])
    throw new SandboxAwsError('NoSuchEntity', `The role policy with name ${policyName} cannot be found.`, 404);
  delete role.inlinePolicies[policyName];
  return {};
}

function attachRolePolicy(ctx: RequestContext, input: OperationInput) {
  const role = getRoleOrThrow(ctx, requireName(input.RoleName, 'roleName'), 'iam:AttachRolePolicy');
  const arn = String(input.PolicyArn ?? '');
  if (!/^arn:aws[a-z-]*:iam::(aws|\d{12}):policy\//.test(arn))
    throw new SandboxAwsError('InvalidInput', `ARN ${arn} is not valid.`, 400);
  const policy = ctx.world.managedPolicy(arn);
  if (!policy || (policy.accountId && policy.accountId !== ctx.accountId)) {
    throw new SandboxAwsError('NoSuchEntity', `Policy ${arn} does not exist or is not attachable.`, 404);
  }
  if (role.attachedPolicyArns.length >= 20 && !role.attachedPolicyArns.includes(arn)) {
    throw new SandboxAwsError('LimitExceeded', 'Cannot exceed quota for PoliciesPerRole: 20', 409);
  }
  if (!role.attachedPolicyArns.includes(arn)) role.attachedPolicyArns.push(arn);
  return {};
}

function detachRolePolicy(ctx: RequestContext, input: OperationInput) {
  const role = getRoleOrThrow(ctx, requireName(input.RoleName, 'roleName'), 'iam:DetachRolePolicy');
  const arn = String(input.PolicyArn ?? '');
  if (!role.attachedPolicyArns.includes(arn))
    throw new SandboxAwsError('NoSuchEntity', `Policy ${arn} was not found.`, 404);
  role.attachedPolicyArns = role.attachedPolicyArns.filter((a) => a !== arn);
  return {};
}

function listAttachedRolePolicies(ctx: RequestContext, input: OperationInput) {
  const role = getRoleOrThrow(ctx, requireName(input.RoleName, 'roleName'), 'iam:ListAttachedRolePolicies');
  const prefix = (input.PathPrefix as string | undefined) ?? '/';
  const attached = role.attachedPolicyArns
    .map((arn) => ctx.world.managedPolicy(arn))
    .filter((p) => p?.path.startsWith(prefix))
    .map((p) => ({ PolicyName: p!.name, PolicyArn: p!.arn }));
  const p = page(attached, input.Marker, input.MaxItems);
  return { AttachedPolicies: p.page, IsTruncated: p.IsTruncated, Marker: p.Marker };
}

function listRolePolicies(ctx: RequestContext, input: OperationInput) {
  const role = getRoleOrThrow(ctx, requireName(input.RoleName, 'roleName'), 'iam:ListRolePolicies');
  const p = page(Object.keys(role.inlinePolicies).sort(), input.Marker, input.MaxItems);
  return { PolicyNames: p.page, IsTruncated: p.IsTruncated, Marker: p.Marker };
}

/** Service → service-linked role name and its AWS managed policy (the ones this domain meets). */
const SERVICE_LINKED: Record<string, { name: string; policy: string }> = {
  'eks.amazonaws.com': { name: 'AWSServiceRoleForAmazonEKS', policy: 'AmazonEKSServiceRolePolicy' },
  'eks-nodegroup.amazonaws.com': {
    name: 'AWSServiceRoleForAmazonEKSNodegroup',
    policy: 'AWSServiceRoleForAmazonEKSNodegroup',
  },
  'autoscaling.amazonaws.com': { name: 'AWSServiceRoleForAutoScaling', policy: 'AutoScalingServiceRolePolicy' },
  'elasticloadbalancing.amazonaws.com': {
    name: 'AWSServiceRoleForElasticLoadBalancing',
    policy: 'AWSElasticLoadBalancingServiceRolePolicy',
  },
};

function createServiceLinkedRole(ctx: RequestContext, input: OperationInput) {
  const serviceName = String(input.AWSServiceName ?? '');
  const known = SERVICE_LINKED[serviceName];
  if (!known) {
    throw new SandboxAwsError(
      'InvalidInput',
      `Service role name for ${serviceName} is not supported by the sandbox or the service does not exist.`,
      400,
    );
  }
  const suffix = input.CustomSuffix ? `_${String(input.CustomSuffix)}` : '';
  const name = `${known.name}${suffix}`;
  const path = `/aws-service-role/${serviceName}/`;
  const arn = roleArnFor(ctx.accountId, path, name);
  ctx.authorize('iam:CreateServiceLinkedRole', arn, { 'iam:AWSServiceName': serviceName });
  if (ctx.world.role(ctx.accountId, name)) {
    throw new SandboxAwsError(
      'InvalidInput',
      `Service role name ${name} has been taken in this account, please try a different suffix.`,
      400,
    );
  }
  const policyArn = `arn:aws:iam::aws:policy/aws-service-role/${known.policy}`;
  const role = ctx.world.addRole({
    accountId: ctx.accountId,
    name,
    path,
    trust: serviceLinkedTrust(serviceName),
    ...(input.Description !== undefined ? { description: String(input.Description) } : {}),
    attachedPolicyArns: ctx.world.managedPolicy(policyArn) ? [policyArn] : [],
  });
  return { Role: roleOut(role) };
}

function getPolicy(ctx: RequestContext, input: OperationInput) {
  const arn = String(input.PolicyArn ?? '');
  ctx.authorize('iam:GetPolicy', arn);
  const p = ctx.world.managedPolicy(arn);
  if (!p || (p.accountId && p.accountId !== ctx.accountId))
    throw new SandboxAwsError('NoSuchEntity', `Policy ${arn} was not found.`, 404);
  const attachments = ctx.world.data.roles.filter(
    (r) => r.attachedPolicyArns.includes(arn) && r.accountId === ctx.accountId,
  ).length;
  return {
    Policy: {
      PolicyName: p.name,
      PolicyId: p.policyId,
      Arn: p.arn,
      Path: p.path,
      DefaultVersionId: p.defaultVersionId,
      AttachmentCount: attachments,
      PermissionsBoundaryUsageCount: 0,
      IsAttachable: true,
      Description: p.description,
      CreateDate: p.createDate,
      UpdateDate: p.createDate,
    },
  };
}

function tagRole(ctx: RequestContext, input: OperationInput) {
  const role = getRoleOrThrow(ctx, requireName(input.RoleName, 'roleName'), 'iam:TagRole');
  Object.assign(role.tags, tagsIn(input.Tags));
  return {};
}

function untagRole(ctx: RequestContext, input: OperationInput) {
  const role = getRoleOrThrow(ctx, requireName(input.RoleName, 'roleName'), 'iam:UntagRole');
  for (const key of (input.TagKeys as string[] | undefined) ?? []) delete role.tags[key];
  return {};
}

function listRoleTags(ctx: RequestContext, input: OperationInput) {
  const role = getRoleOrThrow(ctx, requireName(input.RoleName, 'roleName'), 'iam:ListRoleTags');
  return { Tags: tagsOut(role.tags) ?? [], IsTruncated: false };
}

function updateAssumeRolePolicy(ctx: RequestContext, input: OperationInput) {
  const role = getRoleOrThrow(ctx, requireName(input.RoleName, 'roleName'), 'iam:UpdateAssumeRolePolicy');
  role.assumeRolePolicyDocument = parsePolicyDocument(String(input.PolicyDocument ?? ''), 'trust');
  return {};
}

function getUser(ctx: RequestContext, input: OperationInput) {
  const name = input.UserName as string | undefined;
  if (!name) {
    if (ctx.caller.kind !== 'user') {
      throw validation('Must specify userName when calling with non-User credentials');
    }
  }
  const user = name ? ctx.world.user(ctx.accountId, name) : ctx.caller.kind === 'user' ? ctx.caller.user : undefined;
  ctx.authorize('iam:GetUser', user?.arn ?? `arn:aws:iam::${ctx.accountId}:user/${name ?? ''}`);
  if (!user) throw new SandboxAwsError('NoSuchEntity', `The user with name ${name} cannot be found.`, 404);
  return {
    User: {
      Path: user.path,
      UserName: user.name,
      UserId: user.userId,
      Arn: user.arn,
      CreateDate: user.createDate,
      Tags: tagsOut(user.tags),
    },
  };
}

export const service: ServiceModule = {
  operations: {
    CreateRole: createRole,
    GetRole: (ctx, input) => ({
      Role: roleOut(getRoleOrThrow(ctx, requireName(input.RoleName, 'roleName'), 'iam:GetRole')),
    }),
    ListRoles: listRoles,
    DeleteRole: deleteRole,
    PutRolePolicy: putRolePolicy,
    GetRolePolicy: getRolePolicy,
    DeleteRolePolicy: deleteRolePolicy,
    AttachRolePolicy: attachRolePolicy,
    DetachRolePolicy: detachRolePolicy,
    ListAttachedRolePolicies: listAttachedRolePolicies,
    ListRolePolicies: listRolePolicies,
    CreateServiceLinkedRole: createServiceLinkedRole,
    GetPolicy: getPolicy,
    TagRole: tagRole,
    UntagRole: untagRole,
    ListRoleTags: listRoleTags,
    UpdateAssumeRolePolicy: updateAssumeRolePolicy,
    GetUser: getUser,
    ListUsers: listUsers,
  },
};
