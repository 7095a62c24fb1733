/**
 * World files: zod schema, defaults for what a hand-written world may leave out, and cross-reference checks,
 * with errors that name the field and say what to write instead.
 *
 * A world file may omit the catalogue (`regions`, `instanceTypes`, `managedPolicies` → the default world's),
 * every list it does not need (→ empty), and derivable fields: ARNs, unique ids, paths (`/`), create dates,
 * `maxSessionDuration` (3600), policies ({} / []), tags ({}), subnet/VPC states.
 */
import { z } from 'zod';
import { defaultCatalogue } from './default-world.js';
import type { WorldData } from './types.js';

const accountId = z.string().regex(/^\d{12}$/, { error: 'must be a 12-digit AWS account id' });
const tags = z.record(z.string(), z.string()).default({});
const listOrOne = z.union([z.string(), z.array(z.string())]);

const statement = z
  .object({
    Sid: z.string().optional(),
    Effect: z.enum(['Allow', 'Deny']),
    Action: listOrOne.optional(),
    NotAction: listOrOne.optional(),
    Resource: listOrOne.optional(),
    NotResource: listOrOne.optional(),
    Principal: z.union([z.literal('*'), z.record(z.string(), listOrOne)]).optional(),
    NotPrincipal: z.record(z.string(), listOrOne).optional(),
    Condition: z
      .record(z.string(), z.record(z.string(), z.union([z.string(), z.array(z.string()), z.boolean(), z.number()])))
      .optional(),
  })
  .refine((s) => s.Action !== undefined || s.NotAction !== undefined, {
    error: 'a statement needs Action or NotAction',
  });

const policyDocument = z.object({
  Version: z.string().optional(),
  Id: z.string().optional(),
  Statement: z.union([statement, z.array(statement).min(1)]),
});

const isoDate = z
  .string()
  .refine((s) => !Number.isNaN(Date.parse(s)), { error: 'must be an ISO-8601 date, e.g. 2025-01-31T00:00:00Z' });

const region = z.object({
  name: z.string().min(1),
  optInRequired: z.boolean().optional(),
  availabilityZones: z
    .array(z.object({ name: z.string(), zoneId: z.string(), eksSupported: z.boolean().default(true) }))
    .min(1),
  instanceTypeOfferings: z.record(z.string(), z.array(z.string())).default({}),
  eksVersions: z
    .array(
      z.object({
        version: z.string().regex(/^\d+\.\d+$/, { error: 'must be major.minor, e.g. "1.33"' }),
        status: z.enum(['STANDARD_SUPPORT', 'EXTENDED_SUPPORT', 'UNSUPPORTED']),
        defaultVersion: z.boolean().optional(),
        platformVersion: z.string().default('eks.1'),
        kubernetesPatchVersion: z.string().optional(),
        releaseDate: isoDate,
        endOfStandardSupportDate: isoDate,
        endOfExtendedSupportDate: isoDate,
      }),
    )
    .default([]),
});

const managedPolicy = z.object({
  arn: z.string().regex(/^arn:aws:iam::(aws|\d{12}):policy\//, {
    error: 'must be arn:aws:iam::aws:policy/<name> or arn:aws:iam::<account>:policy/<name>',
  }),
  name: z.string(),
  path: z.string().default('/'),
  policyId: z.string().default('ANPAWORLDPOLICY000001'),
  accountId: accountId.optional(),
  description: z.string().optional(),
  document: policyDocument,
  defaultVersionId: z.string().default('v1'),
  createDate: isoDate.default('2024-01-01T00:00:00.000Z'),
});

const account = z.object({
  id: accountId,
  alias: z.string().optional(),
  enabledRegions: z
    .array(z.string())
    .min(1, { error: 'list at least one region the account may use, e.g. ["us-east-1"]' }),
  stsInactiveRegions: z.array(z.string()).optional(),
  quotas: z
    .object({
      vpcsPerRegion: z.number().int().min(0).default(5),
      clustersPerRegion: z.number().int().min(0).default(100),
      nodegroupsPerCluster: z.number().int().min(0).optional(),
    })
    .default({ vpcsPerRegion: 5, clustersPerRegion: 100 }),
});

const name = z
  .string()
  .regex(/^[\w+=,.@-]{1,64}$/, { error: 'must be 1–64 characters of letters, digits and +=,.@_-' });
const path = z
  .string()
  .regex(/^\/([\x21-\x7E]*\/)?$/, { error: 'must start and end with "/", e.g. "/" or "/service-role/"' })
  .default('/');
const defaultDate = '2024-01-01T00:00:00.000Z';

const user = z.object({
  accountId,
  name,
  userId: z.string().optional(),
  arn: z.string().optional(),
  path,
  accessKeys: z
    .array(
      z.object({
        accessKeyId: z
          .string()
          .regex(/^AKIA[A-Z0-9]{12,}$/, { error: 'must look like an IAM user access key id (AKIA + 16 chars)' }),
        secretAccessKey: z.string().min(1),
        status: z.enum(['Active', 'Inactive']).default('Active'),
        createDate: isoDate.default(defaultDate),
      }),
    )
    .default([]),
  inlinePolicies: z.record(z.string(), policyDocument).default({}),
  attachedPolicyArns: z.array(z.string()).default([]),
  tags,
  createDate: isoDate.default(defaultDate),
});

const role = z.object({
  accountId,
  name,
  roleId: z.string().optional(),
  arn: z.string().optional(),
  path,
  assumeRolePolicyDocument: policyDocument,
  description: z.string().optional(),
  maxSessionDuration: z.number().int().min(3600).max(43200).default(3600),
  inlinePolicies: z.record(z.string(), policyDocument).default({}),
  attachedPolicyArns: z.array(z.string()).default([]),
  permissionsBoundaryArn: z.string().optional(),
  tags,
  createDate: isoDate.default(defaultDate),
});

const regional = { accountId, region: z.string() };

const vpc = z.object({
  ...regional,
  vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, { error: 'must look like vpc-0123456789abcdef0' }),
  cidrBlock: z.string(),
  isDefault: z.boolean().default(false),
  state: z.enum(['available', 'pending']).default('available'),
  tags,
});
const subnet = z.object({
  ...regional,
  subnetId: z.string().regex(/^subnet-[0-9a-f]{8,17}$/, { error: 'must look like subnet-0123456789abcdef0' }),
  vpcId: z.string(),
  cidrBlock: z.string(),
  availabilityZone: z.string(),
  availableIpAddressCount: z.number().int().default(251),
  mapPublicIpOnLaunch: z.boolean().default(false),
  defaultForAz: z.boolean().default(false),
  state: z.enum(['available', 'pending']).default('available'),
  tags,
});
const rule = z.object({
  ipProtocol: z.string(),
  fromPort: z.number().int().optional(),
  toPort: z.number().int().optional(),
  cidrIps: z.array(z.string()).optional(),
  sourceGroupIds: z.array(z.string()).optional(),
});
const securityGroup = z.object({
  ...regional,
  groupId: z.string().regex(/^sg-[0-9a-f]{8,17}$/, { error: 'must look like sg-0123456789abcdef0' }),
  groupName: z.string(),
  description: z.string().default(''),
  vpcId: z.string(),
  ingress: z.array(rule).default([]),
  egress: z.array(rule).default([{ ipProtocol: '-1', cidrIps: ['0.0.0.0/0'] }]),
  tags,
});
const keyPair = z.object({
  ...regional,
  keyName: z.string().min(1),
  keyPairId: z.string().default('key-0000000000000000'),
  keyFingerprint: z.string().default('00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00'),
  keyType: z.enum(['rsa', 'ed25519']).default('rsa'),
  createTime: isoDate.default(defaultDate),
  tags,
});

/** Resources the CloudFormation engine creates: accepted loosely (a world dump may contain them). */
const loose = z.array(z.record(z.string(), z.unknown())).default([]);

export const worldFileSchema = z
  .object({
    partition: z.literal('aws').default('aws'),
    regions: z.array(region).optional(),
    instanceTypes: z
      .array(
        z.object({
          name: z.string(),
          vCpus: z.number().int(),
          memoryMiB: z.number().int(),
          architectures: z.array(z.string()).default(['x86_64']),
          currentGeneration: z.boolean().default(true),
        }),
      )
      .optional(),
    managedPolicies: z.array(managedPolicy).optional(),
    accounts: z.array(account).min(1, { error: 'a world needs at least one account' }),
    users: z.array(user).default([]),
    roles: z.array(role).default([]),
    stsSessions: loose,
    vpcs: z.array(vpc).default([]),
    subnets: z.array(subnet).default([]),
    securityGroups: z.array(securityGroup).default([]),
    keyPairs: z.array(keyPair).default([]),
    eksClusters: loose,
    eksNodegroups: loose,
    eksAddons: loose,
    eksAccessEntries: loose,
    eksPodIdentityAssociations: loose,
    eventBuses: loose,
    flags: z
      .object({
        nodesFailToJoin: z.boolean().default(false),
        extraProvisioningDelayMs: z.number().min(0).optional(),
        upgradeInsightError: z.boolean().optional(),
      })
      .default({ nodesFailToJoin: false }),
    services: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

export class WorldValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid world:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'WorldValidationError';
  }
}

function idFrom(prefix: string, seed: string): string {
  let h = 2166136261;
  for (const c of seed) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let out = prefix;
  let x = h;
  for (let i = 0; i < 17; i++) {
    out += alphabet[x % 32];
    x = Math.imul(x ^ (x >>> 13), 2654435761) >>> 0 || i + 7;
  }
  return out;
}

/** Check references between parts of the world; returns problems as `field: what is wrong (fix)`. */
function crossCheck(w: WorldData): string[] {
  const problems: string[] = [];
  const accounts = new Set(w.accounts.map((a) => a.id));
  const regionNames = new Set(w.regions.map((r) => r.name));
  const policies = new Set(w.managedPolicies.map((p) => p.arn));
  w.accounts.forEach((a, i) => {
    for (const r of a.enabledRegions) {
      if (!regionNames.has(r))
        problems.push(
          `accounts[${i}].enabledRegions: '${r}' is not in regions (known: ${[...regionNames].join(', ')})`,
        );
    }
  });
  const checkAccount = (field: string, id: string) => {
    if (!accounts.has(id))
      problems.push(`${field}.accountId: '${id}' is not in accounts (add it to accounts or fix the id)`);
  };
  const keys = new Set<string>();
  w.users.forEach((u, i) => {
    checkAccount(`users[${i}]`, u.accountId);
    u.accessKeys.forEach((k, j) => {
      if (keys.has(k.accessKeyId))
        problems.push(
          `users[${i}].accessKeys[${j}].accessKeyId: '${k.accessKeyId}' is used twice (access key ids are unique)`,
        );
      keys.add(k.accessKeyId);
    });
    u.attachedPolicyArns.forEach((arn, j) => {
      if (!policies.has(arn)) problems.push(`users[${i}].attachedPolicyArns[${j}]: '${arn}' is not in managedPolicies`);
    });
  });
  w.roles.forEach((r, i) => {
    checkAccount(`roles[${i}]`, r.accountId);
    r.attachedPolicyArns.forEach((arn, j) => {
      if (!policies.has(arn)) problems.push(`roles[${i}].attachedPolicyArns[${j}]: '${arn}' is not in managedPolicies`);
    });
    if (w.roles.findIndex((o) => o.accountId === r.accountId && o.name === r.name) !== i)
      problems.push(`roles[${i}].name: '${r.name}' appears twice in account ${r.accountId}`);
  });
  const checkRegional = (field: string, x: { accountId: string; region: string }) => {
    checkAccount(field, x.accountId);
    if (!regionNames.has(x.region))
      problems.push(`${field}.region: '${x.region}' is not in regions (known: ${[...regionNames].join(', ')})`);
  };
  w.vpcs.forEach((v, i) => {
    checkRegional(`vpcs[${i}]`, v);
  });
  w.subnets.forEach((s, i) => {
    checkRegional(`subnets[${i}]`, s);
    if (!w.vpcs.some((v) => v.vpcId === s.vpcId && v.accountId === s.accountId && v.region === s.region)) {
      problems.push(
        `subnets[${i}].vpcId: '${s.vpcId}' is not a VPC of account ${s.accountId} in ${s.region} (add it to vpcs)`,
      );
    }
    const r = w.regions.find((x) => x.name === s.region);
    if (r && !r.availabilityZones.some((z) => z.name === s.availabilityZone)) {
      problems.push(
        `subnets[${i}].availabilityZone: '${s.availabilityZone}' is not an AZ of ${s.region} (known: ${r.availabilityZones.map((z) => z.name).join(', ')})`,
      );
    }
  });
  w.securityGroups.forEach((g, i) => {
    checkRegional(`securityGroups[${i}]`, g);
    if (!w.vpcs.some((v) => v.vpcId === g.vpcId && v.accountId === g.accountId))
      problems.push(`securityGroups[${i}].vpcId: '${g.vpcId}' is not in vpcs`);
  });
  w.keyPairs.forEach((k, i) => {
    checkRegional(`keyPairs[${i}]`, k);
  });
  return problems;
}

/**
 * Validate a world (parsed JSON), fill defaults and derived fields, check cross-references.
 * Throws `WorldValidationError` listing every problem as `path: message`.
 */
export function parseWorld(json: unknown): WorldData {
  const result = worldFileSchema.safeParse(json);
  if (!result.success) {
    throw new WorldValidationError(
      result.error.issues.map((i) => {
        const where = i.path.join('.') || '(root)';
        // Say "missing" plainly instead of zod's "expected string, received undefined".
        if (i.code === 'invalid_type' && /received undefined$/.test(i.message))
          return `${where}: is required (a ${i.expected})`;
        return `${where}: ${i.message}`;
      }),
    );
  }
  const f = result.data;
  const catalogue = defaultCatalogue();
  const world = {
    ...f,
    regions: f.regions ?? catalogue.regions,
    instanceTypes: f.instanceTypes ?? catalogue.instanceTypes,
    managedPolicies: f.managedPolicies ?? catalogue.managedPolicies,
    users: f.users.map((u) => ({
      ...u,
      userId: u.userId ?? idFrom('AIDA', `${u.accountId}/${u.name}`),
      arn: u.arn ?? `arn:aws:iam::${u.accountId}:user${u.path}${u.name}`,
    })),
    roles: f.roles.map((r) => ({
      ...r,
      roleId: r.roleId ?? idFrom('AROA', `${r.accountId}/${r.name}`),
      arn: r.arn ?? `arn:aws:iam::${r.accountId}:role${r.path}${r.name}`,
    })),
  } as unknown as WorldData;
  const problems = crossCheck(world);
  if (problems.length) throw new WorldValidationError(problems);
  return world;
}
