/**
 * The cluster settings (the seed's form in camelCase). One schema for the API, the state machine and
 * the web console (which checks the form with it before sending), with the rules AWS itself applies,
 * so a bad request is refused before anything is made. Every message names the field and says how
 * to fix it.
 *
 * `checkClusterSettings` is the entry point here: pure, returns the normalised settings or every field
 * problem (not just the first). functions/lib/schema/cluster-settings.ts wraps it in a diagnosis.
 */
import * as z from 'zod/mini';
// From core directly: `z.core.X` at run time would make esbuild keep all of zod's core namespace (compile, JSON Schema, every locale).
import { $ZodPreprocess } from 'zod/v4/core';
import { MAX_NAMESPACES, NAMESPACE_RE } from '../../functions/lib/kubernetes/namespaces.js';
// Plain constants (no Node, no AWS SDK): safe in the browser bundle.
import { STACK_NAME_PREFIX } from '../../functions/lib/template/constants.js';
import {
  DEFAULT_UPGRADE_POLICY,
  MAX_ADMIN_PRINCIPALS,
  MAX_DEPLOY_PRINCIPALS,
  UPGRADE_POLICIES,
} from '../../functions/lib/template/parameters.js';
import './zod-locale.js';

/** One problem with one field: `path` as the API reports it (`subnetIds`, `subnetIds[1]`, `tags.Env`). */
export interface FieldProblem {
  path: string;
  message: string;
}

/** Partitions an IAM ARN may name. */
export const PARTITIONS = [
  'aws',
  'aws-cn',
  'aws-us-gov',
  'aws-iso',
  'aws-iso-b',
  'aws-iso-e',
  'aws-iso-f',
  'aws-eusc',
] as const;
const PARTITION_RE = PARTITIONS.join('|');

/** Role ARN: optional path (`/a/b/`), name of 1–64 of [\w+=,.@-] (IAM's rules). The path group is `?`, not `*`:
 * its class includes `/`, so a repeated group backtracks exponentially on hostile input (ReDoS). */
export const ROLE_ARN_RE = new RegExp(
  `^arn:(${PARTITION_RE}):iam::(\\d{12}):role/((?:[\\x21-\\x7E]+/)?)([\\w+=,.@-]{1,64})$`,
);
/** IAM principals EKS access entries accept: roles and users. */
export const PRINCIPAL_ARN_RE = new RegExp(
  `^arn:(${PARTITION_RE}):iam::(\\d{12}):(role|user)/(?:[\\x21-\\x7E]+/)?[\\w+=,.@-]{1,64}$`,
);
export const REGION_RE = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;
export const VPC_ID_RE = /^vpc-([0-9a-f]{8}|[0-9a-f]{17})$/;
export const SUBNET_ID_RE = /^subnet-([0-9a-f]{8}|[0-9a-f]{17})$/;
export const SECURITY_GROUP_ID_RE = /^sg-([0-9a-f]{8}|[0-9a-f]{17})$/;
/** e.g. t3.medium, m7i-flex.large, u-6tb1.112xlarge, c7g.metal */
export const INSTANCE_TYPE_RE = /^[a-z][a-z0-9-]*\.[a-z0-9-]+$/;
export const KUBERNETES_VERSION_RE = /^\d+\.\d+$/;
/** Valid as an EKS cluster name ([0-9A-Za-z][A-Za-z0-9\-_]*) and inside a stack name ([a-zA-Z][-a-zA-Z0-9]*). */
export const CLUSTER_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9-]*$/;
/** EKS allows 100 characters; the stack name `eks-provisioner-<name>` stays within CloudFormation's 128. */
export const CLUSTER_NAME_MAX = 100;
// Lives with the template's facts so zod-free functions (deletion) can use it.
export { STACK_NAME_PREFIX };

/** Managed node groups: at most 450 nodes per group (EKS service quota "Nodes per managed node group"). */
export const NODE_COUNT_MAX = 450;
/** EKS accepts 1–5 security groups for the cluster's network interfaces. */
export const SECURITY_GROUPS_MAX = 5;
/** AWS allows 50 tags per resource; the service adds its own (cluster id, tenant, name...). */
export const RESERVED_TAG_COUNT = 5;
export const USER_TAGS_MAX = 50 - RESERVED_TAG_COUNT;
export const RESERVED_TAG_PREFIXES = ['aws:', 'eks-provisioner:'];
/** AWS tag characters: letters, digits, spaces and _ . : / = + - @ */
const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** A string, trimmed before its checks run (zod/mini: checks are listed in `check(...)`, run in order). */
const trimmed = (...checks: Array<z.core.$ZodCheck<string>>) => z.string().check(z.trim(), ...checks);

/** IAM's limit on a role or user path (`/a/b/`). Longer ARNs are not IAM ARNs, and would not fit a store key. */
export const IAM_PATH_MAX = 512;
/** The path of a role/user ARN (`…:role/a/b/name` → `/a/b/`), found without a regex (no backtracking on hostile input). */
function iamPathLength(arn: string): number {
  const at = Math.max(arn.indexOf(':role/'), arn.indexOf(':user/'));
  return at < 0 ? 0 : Math.max(0, arn.lastIndexOf('/') - (at + 5) + 1);
}
const pathWithinLimit = (arn: string) => iamPathLength(arn) <= IAM_PATH_MAX;

const roleArnChecks = (what: string) => [
  z.regex(ROLE_ARN_RE, {
    error: `must be the ARN of an IAM ${what}, like arn:aws:iam::123456789012:role/${what === 'provision role (role B)' ? 'eks-provisioner-provision' : 'eks-cluster-role'} (copy it from the IAM console: Roles → the role → ARN)`,
  }),
  z.refine<string>(pathWithinLimit, {
    error: `has a role path longer than ${IAM_PATH_MAX} characters (IAM's limit): copy the ARN from the IAM console`,
  }),
];

/** No duplicates in a list (compared after trimming). */
const noDuplicates = (error: string) => z.refine<string[]>((ids) => new Set(ids).size === ids.length, { error });

/** Form order: the order of the schema's keys, the sort order of field problems. Checked against the schema by a test. */
export const CLUSTER_SETTINGS_FIELDS = [
  'name',
  'environmentScope',
  'region',
  'provisionRoleArn',
  'serviceRoleArn',
  'kubernetesVersion',
  'upgradePolicy',
  'keyName',
  'vpcId',
  'subnetIds',
  'securityGroupIds',
  'instanceType',
  'nodeCount',
  'managed',
  'onFailure',
  'adminPrincipalArns',
  'namespaces',
  'deployPrincipalArns',
  'tags',
] as const satisfies ReadonlyArray<keyof ClusterSettings>;

/**
 * '' and null mean "left out" (a form's empty field). zod/mini has no `preprocess`; this builds the same
 * core node classic `z.preprocess` does (a pipe from a transform), so the input type keeps the key optional.
 */
function emptyAsMissing<B extends z.core.$ZodType>(schema: B): z.core.$ZodPreprocess<B, unknown> {
  return new $ZodPreprocess({
    type: 'pipe',
    in: z.transform(emptyToUndefined),
    out: schema,
  }) as unknown as z.core.$ZodPreprocess<B, unknown>;
}

function makeSchema(roleNamePrefix: string) {
  return z.strictObject({
    name: trimmed(
      z.minLength(1, { error: 'is required: give the cluster a name' }),
      z.maxLength(CLUSTER_NAME_MAX, { error: `must be at most ${CLUSTER_NAME_MAX} characters` }),
      z.refine((v: string) => v === '' || CLUSTER_NAME_RE.test(v), {
        error:
          'may contain only letters, digits and hyphens, and must start with a letter or digit (it names the EKS cluster and the CloudFormation stack)',
      }),
    ),
    environmentScope: z._default(
      trimmed(
        z.minLength(1, { error: 'must not be empty: use "*" for every environment' }),
        z.maxLength(255, { error: 'must be at most 255 characters' }),
        z.regex(/^[A-Za-z0-9_/${}. *-]*$/, {
          error: 'may contain letters, digits, spaces and _ / $ { } . * - only (e.g. "*", "production", "review/*")',
        }),
      ),
      '*',
    ),
    region: trimmed(z.regex(REGION_RE, { error: 'must be an AWS region code such as us-east-1 or eu-west-1' })),
    provisionRoleArn: trimmed(
      ...roleArnChecks('provision role (role B)'),
      z.refine((arn: string) => !ROLE_ARN_RE.test(arn) || roleNameOf(arn).startsWith(roleNamePrefix), {
        error: `must name a role whose name starts with "${roleNamePrefix}" (the service may only assume such roles): rename role B, e.g. ${roleNamePrefix}provision`,
      }),
    ),
    serviceRoleArn: trimmed(...roleArnChecks('cluster service role (role A)')),
    kubernetesVersion: emptyAsMissing(
      z.optional(
        trimmed(
          z.regex(KUBERNETES_VERSION_RE, {
            error:
              'must be a Kubernetes minor version such as "1.33" (major.minor), or left out for the newest supported',
          }),
        ),
      ),
    ),
    upgradePolicy: z._default(
      z.enum(UPGRADE_POLICIES, {
        error:
          'must be "STANDARD" (at the end of standard support EKS upgrades the control plane to the next version; no extra charge) or "EXTENDED" (stays on the version for 12 more months, billed at six times the standard control-plane price)',
      }),
      DEFAULT_UPGRADE_POLICY,
    ),
    keyName: emptyAsMissing(
      z.optional(
        z.string().check(
          z.maxLength(255, { error: 'must be at most 255 characters' }),
          z.regex(/^[\x20-\x7E]+$/, {
            error: "must be ASCII text: the name of an EC2 key pair in the cluster's region",
          }),
        ),
      ),
    ),
    vpcId: trimmed(z.regex(VPC_ID_RE, { error: 'must be a VPC id such as vpc-0a1b2c3d4e5f60001' })),
    subnetIds: z
      .array(trimmed(z.regex(SUBNET_ID_RE, { error: 'must be a subnet id such as subnet-0a1b2c3d4e5f60011' })), {
        error: 'must be a list of subnet ids',
      })
      .check(
        z.minLength(2, { error: 'needs at least two subnets, in at least two Availability Zones' }),
        noDuplicates('lists a subnet twice: give each subnet once'),
      ),
    securityGroupIds: z._default(
      z
        .array(
          trimmed(z.regex(SECURITY_GROUP_ID_RE, { error: 'must be a security group id such as sg-0a1b2c3d4e5f60021' })),
          {
            error: 'must be a list of security group ids',
          },
        )
        .check(
          z.maxLength(SECURITY_GROUPS_MAX, {
            error: `may list at most ${SECURITY_GROUPS_MAX} security groups (an EKS limit)`,
          }),
          noDuplicates('lists a security group twice: give each once'),
        ),
      [],
    ),
    instanceType: trimmed(
      z.regex(INSTANCE_TYPE_RE, { error: 'must be an EC2 instance type such as t3.medium or m5.large' }),
    ),
    nodeCount: z
      .number({ error: 'must be a whole number of worker nodes, e.g. 2' })
      .check(
        z.int({ error: 'must be a whole number of worker nodes, e.g. 2' }),
        z.minimum(1, { error: 'must be at least 1 worker node' }),
        z.maximum(NODE_COUNT_MAX, { error: `must be at most ${NODE_COUNT_MAX} (the managed node group limit)` }),
      ),
    managed: z._default(z.boolean({ error: 'must be true or false' }), true),
    onFailure: z._default(
      z.enum(['KEEP', 'ROLLBACK'], {
        error: 'must be "KEEP" (keep the failed stack to inspect) or "ROLLBACK" (delete what was made)',
      }),
      'KEEP',
    ),
    adminPrincipalArns: z._default(
      z
        .array(
          trimmed(
            z.regex(PRINCIPAL_ARN_RE, {
              error: 'must be an IAM role or user ARN such as arn:aws:iam::123456789012:role/Admin',
            }),
          ),
          {
            error: 'must be a list of IAM principal ARNs',
          },
        )
        .check(
          z.maxLength(MAX_ADMIN_PRINCIPALS, {
            error: `may list at most ${MAX_ADMIN_PRINCIPALS} principals: give cluster-admin to an IAM role and let people assume it, or add more access entries after creation`,
          }),
          z.refine((ids: string[]) => ids.every(pathWithinLimit), {
            error: `has an ARN whose path is longer than ${IAM_PATH_MAX} characters (IAM's limit)`,
          }),
          noDuplicates('lists a principal twice: give each once'),
        ),
      [],
    ),
    namespaces: emptyAsMissing(
      z.optional(
        z
          .array(
            trimmed(
              z.regex(NAMESPACE_RE, {
                error:
                  'must be a Kubernetes namespace name: lower-case letters, digits and "-", starting and ending with a letter or digit, at most 63 characters (e.g. "production")',
              }),
              z.refine((n: string) => !n.startsWith('kube-') && n !== 'default', {
                error: 'must not be "default" or start with "kube-" (reserved by Kubernetes)',
              }),
            ),
            { error: 'must be a list of namespace names, one per environment' },
          )
          .check(
            z.minLength(1, {
              error: 'must list at least one namespace, or be left out to derive one from environmentScope',
            }),
            z.maxLength(MAX_NAMESPACES, { error: `may list at most ${MAX_NAMESPACES} namespaces` }),
            noDuplicates('lists a namespace twice: give each once'),
          ),
      ),
    ),
    deployPrincipalArns: z._default(
      z
        .array(trimmed(...roleArnChecks('role for deployments (e.g. your CI system)')), {
          error: 'must be a list of IAM role ARNs',
        })
        .check(
          z.maxLength(MAX_DEPLOY_PRINCIPALS, {
            error: `may list at most ${MAX_DEPLOY_PRINCIPALS} roles: let several CI jobs assume one deploy role`,
          }),
          noDuplicates('lists a role twice: give each once'),
        ),
      [],
    ),
    tags: z._default(
      z
        .record(
          z.string().check(
            z.minLength(1, { error: 'tag keys must not be empty' }),
            z.maxLength(128, { error: 'tag keys must be at most 128 characters' }),
            z.regex(TAG_CHARS, { error: 'tag keys may contain letters, digits, spaces and _ . : / = + - @ only' }),
            z.refine((k: string) => !RESERVED_TAG_PREFIXES.some((p) => k.toLowerCase().startsWith(p)), {
              error: `tag keys must not start with ${RESERVED_TAG_PREFIXES.map((p) => `"${p}"`).join(' or ')} (reserved)`,
            }),
          ),
          z.string({ error: 'tag values must be strings' }).check(
            // CloudFormation stack tags (which carry these to every resource) need a value of 1–256 characters.
            z.minLength(1, {
              error:
                'tag values must not be empty: CloudFormation stack tags need at least one character (leave the tag out instead)',
            }),
            z.maxLength(256, { error: 'tag values must be at most 256 characters' }),
            z.regex(TAG_CHARS, { error: 'tag values may contain letters, digits, spaces and _ . : / = + - @ only' }),
          ),
          { error: 'must be an object of tag key → value' },
        )
        .check(
          z.refine((t: Record<string, string>) => Object.keys(t).length <= USER_TAGS_MAX, {
            error: `may have at most ${USER_TAGS_MAX} tags (AWS allows 50 per resource; the service adds ${RESERVED_TAG_COUNT})`,
          }),
        ),
      {},
    ),
  });
}

function emptyToUndefined(v: unknown): unknown {
  return v === '' || v === null ? undefined : v;
}

/** Same IAM role (account + name; EKS ignores role paths when it maps a session to its role). */
function sameRole(a: string, b: string): boolean {
  const ma = ROLE_ARN_RE.exec(a);
  const mb = ROLE_ARN_RE.exec(b);
  return !!ma && !!mb && ma[1] === mb[1] && ma[2] === mb[2] && ma[4] === mb[4];
}

/** Role name from a role ARN (`arn:aws:iam::1:role/path/name` → `name`). */
export function roleNameOf(arn: string): string {
  const m = ROLE_ARN_RE.exec(arn.trim());
  return m?.[4] ?? arn.split('/').pop() ?? arn;
}

/** Account id from a role ARN, or undefined when it is not one. */
export function accountIdOf(arn: string): string | undefined {
  return ROLE_ARN_RE.exec(arn.trim())?.[2];
}

/** The partition a region belongs to (cn-north-1 → aws-cn, us-gov-west-1 → aws-us-gov...). */
export function partitionOfRegion(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-isof-')) return 'aws-iso-f';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('eu-isoe-')) return 'aws-iso-e';
  if (region.startsWith('eusc-')) return 'aws-eusc';
  return 'aws';
}

type ClusterSettingsSchema = ReturnType<typeof makeSchema>;
export type ClusterSettings = z.output<ClusterSettingsSchema>;

/** One schema per role-name prefix (a deployment has one): built on first use, not per parse. */
const schemas = new Map<string, ClusterSettingsSchema>();
export function clusterSettingsSchemaFor(opts: { roleNamePrefix: string }): ClusterSettingsSchema {
  let schema = schemas.get(opts.roleNamePrefix);
  if (!schema) schemas.set(opts.roleNamePrefix, (schema = makeSchema(opts.roleNamePrefix)));
  return schema;
}

/** The schema with the default role-B name prefix. Use `clusterSettingsSchemaFor` for another. */
export const clusterSettingsSchema = clusterSettingsSchemaFor({ roleNamePrefix: STACK_NAME_PREFIX });

/** Fields the input may carry but that are deliberately ignored (never trusted from callers). */
const IGNORED_FIELDS = ['externalId'];

/** `['subnetIds', 1]` → `subnetIds[1]`; `['tags', 'Env']` → `tags.Env`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>(
    (acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)),
    '',
  );
}

function issuesToFields(issues: readonly z.core.$ZodIssue[], raw: Record<string, unknown>): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const issue of issues) {
    if (issue.code === 'invalid_key') {
      // A bad tag key: report it on the map with the key named.
      const key = issue.path[issue.path.length - 1];
      const inner = issue.issues.map((i) => i.message).join('; ');
      out.push({ path: formatPath(issue.path.slice(0, -1)), message: `key "${String(key)}": ${inner}` });
      continue;
    }
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({
          path: formatPath([...issue.path, key]),
          message: `is not a cluster setting: remove it (known settings: ${CLUSTER_SETTINGS_FIELDS.join(', ')})`,
        });
      }
      continue;
    }
    let message = issue.message;
    const top = issue.path[0];
    if (issue.code === 'invalid_type' && issue.path.length === 1 && typeof top === 'string' && raw[top] === undefined) {
      message = /^Invalid input/.test(message) ? 'is required' : `is required; it ${message}`;
    }
    out.push({ path: formatPath(issue.path), message });
  }
  return out;
}

/** Rules between fields; each only runs when its fields are individually well-formed. */
function crossFieldProblems(raw: Record<string, unknown>): FieldProblem[] {
  const out: FieldProblem[] = [];
  const str = (k: string) => (typeof raw[k] === 'string' ? (raw[k] as string).trim() : undefined);
  const region = str('region');
  const roleB = str('provisionRoleArn');
  const roleA = str('serviceRoleArn');
  const mB = roleB ? ROLE_ARN_RE.exec(roleB) : null;
  const mA = roleA ? ROLE_ARN_RE.exec(roleA) : null;
  if (region && REGION_RE.test(region)) {
    const partition = partitionOfRegion(region);
    for (const [field, m] of [
      ['provisionRoleArn', mB],
      ['serviceRoleArn', mA],
    ] as const) {
      if (m && m[1] !== partition) {
        out.push({
          path: field,
          message: `is in partition "${m[1]}" but region ${region} is in "${partition}": use a role ARN starting arn:${partition}:iam:: or a region of that partition`,
        });
      }
    }
  }
  if (mA && mB && mA[2] !== mB[2]) {
    out.push({
      path: 'serviceRoleArn',
      message: `is in account ${mA[2]} but the provision role is in account ${mB[2]}: the cluster role must be in the account the cluster is created in`,
    });
  }
  // An SSH key without source security groups: EKS then opens port 22 on every node to 0.0.0.0/0.
  const keyName = str('keyName');
  const groups = raw.securityGroupIds;
  if (keyName && (groups === undefined || (Array.isArray(groups) && groups.length === 0))) {
    out.push({
      path: 'securityGroupIds',
      message:
        'must list at least one security group when keyName is set: with an SSH key and no source security group, EKS opens port 22 on every node to the whole internet (0.0.0.0/0). Give the security groups SSH may come from, or leave keyName out (use SSM Session Manager instead)',
    });
  }
  // EKS allows one access entry per principal, and the creator (role B) already has cluster-admin.
  const principalLists = [
    ['adminPrincipalArns', raw.adminPrincipalArns],
    ['deployPrincipalArns', raw.deployPrincipalArns],
  ] as const;
  const admins0 = Array.isArray(raw.adminPrincipalArns)
    ? raw.adminPrincipalArns.map((a) => (typeof a === 'string' ? a.trim() : a))
    : [];
  for (const [field, list] of principalLists) {
    if (!Array.isArray(list)) continue;
    list.forEach((a, i) => {
      const arn = typeof a === 'string' ? a.trim() : undefined;
      if (!arn) return;
      if (roleB && sameRole(arn, roleB)) {
        out.push({
          path: `${field}[${i}]`,
          message:
            'is the provision role (role B): EKS already gives the cluster creator cluster-admin, and allows one access entry per principal — remove it (people who may assume role B get access through it)',
        });
      } else if (field === 'deployPrincipalArns' && admins0.includes(arn)) {
        out.push({
          path: `${field}[${i}]`,
          message:
            'is also in adminPrincipalArns: EKS allows one access entry per principal — keep it in one list only',
        });
      }
    });
  }
  if (raw.managed === false && Array.isArray(raw.deployPrincipalArns) && raw.deployPrincipalArns.length > 0) {
    out.push({
      path: 'deployPrincipalArns',
      message:
        'needs managed: true — deploy roles get access to the managed namespaces only; set managed to true or leave deployPrincipalArns out',
    });
  }
  if (raw.managed === false && Array.isArray(raw.namespaces) && raw.namespaces.length > 0) {
    out.push({
      path: 'namespaces',
      message:
        'needs managed: true — the service creates namespaces only for managed clusters; set managed to true or leave namespaces out',
    });
  }
  const admins = raw.adminPrincipalArns;
  if (region && REGION_RE.test(region) && Array.isArray(admins)) {
    const partition = partitionOfRegion(region);
    admins.forEach((a, i) => {
      const m = typeof a === 'string' ? PRINCIPAL_ARN_RE.exec(a.trim()) : null;
      if (m && m[1] !== partition)
        out.push({
          path: `adminPrincipalArns[${i}]`,
          message: `is in partition "${m[1]}", not "${partition}" of region ${region}`,
        });
    });
  }
  return out;
}

export type CheckResult = { ok: true; settings: ClusterSettings } | { ok: false; fields: FieldProblem[] };

/**
 * Validates and normalises cluster settings. Pure: no I/O, no clock. Every problem is reported;
 * fields are sorted in form order.
 */
export function checkClusterSettings(input: unknown, opts: { roleNamePrefix: string }): CheckResult {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return {
      ok: false,
      fields: [
        { path: 'cluster', message: 'must be a JSON object of cluster settings (name, region, provisionRoleArn, ...)' },
      ],
    };
  }
  const raw: Record<string, unknown> = { ...(input as Record<string, unknown>) };
  for (const k of IGNORED_FIELDS) delete raw[k];

  const parsed = clusterSettingsSchemaFor(opts).safeParse(raw);
  const fields = [...(parsed.success ? [] : issuesToFields(parsed.error.issues, raw)), ...crossFieldProblems(raw)];
  if (parsed.success && fields.length === 0) return { ok: true, settings: parsed.data };

  const order = (p: string) => {
    const i = CLUSTER_SETTINGS_FIELDS.indexOf(p.split(/[.[]/)[0] as keyof ClusterSettings);
    return i < 0 ? CLUSTER_SETTINGS_FIELDS.length : i;
  };
  fields.sort((a, b) => order(a.path) - order(b.path));
  return { ok: false, fields };
}
