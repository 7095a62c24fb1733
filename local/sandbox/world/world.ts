/**
 * `World`: the live store behind the sandbox. Holds one `WorldData`, a clock, id generation, the log of
 * captured EventBridge events, and helpers the service modules share (lookups by id/ARN, region checks).
 *
 * Service modules read and mutate `world.data` directly (it is plain data); the helpers below exist so that
 * every module answers the same question the same way (e.g. "is this region enabled for this account?").
 */
import { randomBytes } from 'node:crypto';
import type {
  Account,
  CapturedEvent,
  EksCluster,
  IamRole,
  IamUser,
  ManagedPolicy,
  Principal,
  Region,
  StsSession,
  WorldData,
} from './types.js';

export interface WorldOptions {
  /** Milliseconds since epoch; injectable so tests can move time (session expiry). Default `Date.now`. */
  now?: () => number;
}

/** Result of resolving a SigV4 access key id. */
export type AccessKeyOwner =
  | { kind: 'user'; user: IamUser; accessKeyId: string; secretAccessKey: string; active: boolean }
  | { kind: 'session'; session: StsSession };

export class World {
  /** The live state. Mutate freely; `reset()` restores the state the world was created with. */
  data: WorldData;
  /** EventBridge events accepted by PutEvents since start/reset (inspection endpoint). */
  capturedEvents: CapturedEvent[] = [];
  private readonly initial: string;
  private clockOffsetMs = 0;
  private readonly baseNow: () => number;
  /**
   * Set by the sandbox server when it serves Kubernetes APIs: gives a cluster turning ACTIVE its real
   * loopback endpoint and CA (local/sandbox/kubernetes). Not part of the data (not serialised).
   */
  kubernetes?: {
    attach(cluster: EksCluster): { endpoint: string; certificateAuthorityData: string } | undefined;
    prepare?(): void;
  };
  /**
   * Set by the sandbox server: its fault rules, for the deletions CloudFormation runs in the background
   * (faults/faults.ts deletion rules). Not part of the data (not serialised).
   */
  faults?: { deletionBlocked(resourceType: string): boolean };

  constructor(data: WorldData, options: WorldOptions = {}) {
    this.initial = JSON.stringify(data);
    this.data = JSON.parse(this.initial) as WorldData;
    this.baseNow = options.now ?? Date.now;
  }

  // ----- time ---------------------------------------------------------------------------------------------

  /** Sandbox time in ms (real time plus any `advanceClock`). */
  now(): number {
    return this.baseNow() + this.clockOffsetMs;
  }

  nowIso(): string {
    return new Date(this.now()).toISOString();
  }

  /** Move sandbox time forward (tests: make sessions expire without waiting). */
  advanceClock(ms: number): void {
    this.clockOffsetMs += ms;
  }

  /** How far `advanceClock` has moved sandbox time (saved with the world). */
  get clockOffset(): number {
    return this.clockOffsetMs;
  }

  /** The world as it was loaded (what `reset()` restores), as JSON. */
  get initialJSON(): string {
    return this.initial;
  }

  /**
   * A world saved by a sandbox with a data directory: `initial` is what reset restores, `data` the
   * state when it was saved; events and the clock offset carry on.
   */
  static restore(
    saved: { initial: WorldData; data: WorldData; capturedEvents: CapturedEvent[]; clockOffsetMs: number },
    options: WorldOptions = {},
  ): World {
    const world = new World(saved.initial, options);
    world.data = saved.data;
    world.capturedEvents = saved.capturedEvents;
    world.clockOffsetMs = saved.clockOffsetMs;
    return world;
  }

  // ----- lifecycle ----------------------------------------------------------------------------------------

  /** Restore the world as loaded, drop captured events. */
  reset(): void {
    this.data = JSON.parse(this.initial) as WorldData;
    this.capturedEvents = [];
  }

  /** Full state, secrets included (for code that needs it, e.g. saving a world file). */
  toJSON(): WorldData {
    return this.data;
  }

  /** State for the inspection endpoint: secret keys and session tokens replaced by `"***"`. */
  toPublicJSON(): WorldData {
    const copy = JSON.parse(JSON.stringify(this.data)) as WorldData;
    for (const user of copy.users) for (const key of user.accessKeys) key.secretAccessKey = '***';
    for (const s of copy.stsSessions) {
      s.secretAccessKey = '***';
      s.sessionToken = '***';
    }
    return copy;
  }

  /**
   * Per-service private state inside `data.services`, created with `init()` on first use and after reset.
   * The CloudFormation engine keeps its stacks here, so `/_sandbox/world` and `/_sandbox/reset` cover them.
   */
  serviceState<T>(service: string, init: () => T): T {
    if (!(service in this.data.services)) this.data.services[service] = init();
    return this.data.services[service] as T;
  }

  // ----- ids ----------------------------------------------------------------------------------------------

  /** Random lowercase hex of `length` chars (resource ids such as `vpc-` + 17 hex). */
  hex(length: number): string {
    return randomBytes(Math.ceil(length / 2))
      .toString('hex')
      .slice(0, length);
  }

  /** IAM-style unique id: prefix (`AROA`, `AIDA`, `ANPA`, `ASIA`) + 17 uppercase base32-ish chars. */
  uniqueId(prefix: string, length = 17): string {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
    const bytes = randomBytes(length);
    let out = prefix;
    for (const b of bytes) out += alphabet[b % alphabet.length];
    return out;
  }

  /** UUID v4 (request ids, event ids). */
  uuid(): string {
    return crypto.randomUUID();
  }

  // ----- accounts & regions -------------------------------------------------------------------------------

  account(accountId: string): Account | undefined {
    return this.data.accounts.find((a) => a.id === accountId);
  }

  region(name: string): Region | undefined {
    return this.data.regions.find((r) => r.name === name);
  }

  /** True when the region exists in the catalogue and the account has it enabled. */
  isRegionEnabled(accountId: string, region: string): boolean {
    const account = this.account(accountId);
    return !!account && !!this.region(region) && account.enabledRegions.includes(region);
  }

  /** AZ zone id for an AZ name in a region (`us-east-1a` → `use1-az1`). */
  zoneIdOf(region: string, azName: string): string | undefined {
    return this.region(region)?.availabilityZones.find((z) => z.name === azName)?.zoneId;
  }

  // ----- IAM ----------------------------------------------------------------------------------------------

  /** Who owns this access key id: an IAM user key or an STS session. */
  findAccessKey(accessKeyId: string): AccessKeyOwner | undefined {
    for (const user of this.data.users) {
      const key = user.accessKeys.find((k) => k.accessKeyId === accessKeyId);
      if (key)
        return {
          kind: 'user',
          user,
          accessKeyId,
          secretAccessKey: key.secretAccessKey,
          active: key.status === 'Active',
        };
    }
    const session = this.data.stsSessions.find((s) => s.accessKeyId === accessKeyId);
    return session ? { kind: 'session', session } : undefined;
  }

  user(accountId: string, name: string): IamUser | undefined {
    return this.data.users.find((u) => u.accountId === accountId && u.name === name);
  }

  role(accountId: string, name: string): IamRole | undefined {
    return this.data.roles.find((r) => r.accountId === accountId && r.name === name);
  }

  /**
   * Adds a role to an account (IAM CreateRole, CreateServiceLinkedRole, a CloudFormation AWS::IAM::Role):
   * the world assigns the id, ARN and creation date. Callers check permissions and name clashes first.
   */
  addRole(r: {
    accountId: string;
    name: string;
    path?: string;
    partition?: string;
    trust: IamRole['assumeRolePolicyDocument'];
    description?: string;
    maxSessionDuration?: number;
    attachedPolicyArns?: string[];
    permissionsBoundaryArn?: string;
    tags?: IamRole['tags'];
  }): IamRole {
    const path = r.path ?? '/';
    const role: IamRole = {
      accountId: r.accountId,
      name: r.name,
      roleId: this.uniqueId('AROA'),
      arn: roleArnOf(r.partition ?? 'aws', r.accountId, path, r.name),
      path,
      assumeRolePolicyDocument: r.trust,
      ...(r.description !== undefined ? { description: r.description } : {}),
      maxSessionDuration: r.maxSessionDuration ?? 3600,
      inlinePolicies: {},
      attachedPolicyArns: [...(r.attachedPolicyArns ?? [])],
      ...(r.permissionsBoundaryArn !== undefined ? { permissionsBoundaryArn: r.permissionsBoundaryArn } : {}),
      tags: r.tags ?? {},
      createDate: this.nowIso(),
    };
    this.data.roles.push(role);
    return role;
  }

  /** Role by ARN (any path): `arn:aws:iam::<acct>:role/<path/>name`. */
  roleByArn(arn: string): IamRole | undefined {
    const parsed = parseRoleArn(arn);
    if (!parsed) return undefined;
    return this.role(parsed.accountId, parsed.name);
  }

  managedPolicy(arn: string): ManagedPolicy | undefined {
    return this.data.managedPolicies.find((p) => p.arn === arn);
  }

  /** Build the caller principal for a user or a live session. */
  principalFor(owner: AccessKeyOwner): Principal | undefined {
    if (owner.kind === 'user') {
      const { user } = owner;
      return {
        kind: 'user',
        accountId: user.accountId,
        arn: user.arn,
        userId: user.userId,
        user,
        accessKeyId: owner.accessKeyId,
      };
    }
    const { session } = owner;
    const role = this.role(session.accountId, session.roleName);
    if (!role) return undefined; // role deleted after the session was issued
    return {
      kind: 'assumed-role',
      accountId: session.accountId,
      arn: session.assumedRoleArn,
      userId: `${role.roleId}:${session.sessionName}`,
      role,
      session,
      accessKeyId: session.accessKeyId,
    };
  }

  // ----- events -------------------------------------------------------------------------------------------

  captureEvent(event: CapturedEvent): void {
    this.capturedEvents.push(event);
  }
}

/** `arn:aws:iam::123456789012:role/path/name` → `{ accountId, name, path }`. */
export function parseRoleArn(arn: string): { accountId: string; name: string; path: string } | undefined {
  const m = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(.+)$/.exec(arn);
  if (!m) return undefined;
  const full = m[2]!;
  const slash = full.lastIndexOf('/');
  return {
    accountId: m[1]!,
    name: slash >= 0 ? full.slice(slash + 1) : full,
    path: slash >= 0 ? `/${full.slice(0, slash + 1)}` : '/',
  };
}

/** `arn:<partition>:iam::<account>:role<path><name>` (path starts and ends with `/`). */
export function roleArnOf(partition: string, accountId: string, path: string, name: string): string {
  return `arn:${partition}:iam::${accountId}:role${path}${name}`;
}

/** The trust policy AWS gives a service-linked role. */
export function serviceLinkedTrust(service: string): IamRole['assumeRolePolicyDocument'] {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
  };
}
