/**
 * e2e harness: one local stack in this test process (sandbox + runner + API on free loopback ports,
 * a fast sandbox clock), an HTTP helper that keeps every response it saw (for the secrets scan), and
 * the customer's side of the seed's set-up (role B through the sandbox's IAM API).
 */
import { readFileSync } from 'node:fs';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { GetExecutionHistoryCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DEFAULT_WORLD } from '../../local/runner/environment.js';
import { type LocalStack, startLocalStack } from '../../local/runner/stack.js';

// Handler logs (Powertools JSON) would bury the test report; E2E_VERBOSE=1 shows them.
if (!process.env['E2E_VERBOSE']) process.env['POWERTOOLS_LOG_LEVEL'] = 'SILENT';

/** Sandbox seconds per wall second in e2e: a 12-minute stack takes about a second. */
export const E2E_TIME_SCALE = 600;

export interface HttpResult<T = any> {
  status: number;
  body: T;
  text: string;
}

export interface ClusterRecord {
  id: string;
  name: string;
  status: 'CREATING' | 'CREATED' | 'FAILED' | 'DELETING' | 'DELETED';
  phase?: string;
  progress?: { done: number; total: number };
  outputs?: Record<string, string>;
  diagnosis?: { code: string; title: string; message: string; remediation: string[]; cause?: { code: string } };
  executionArn?: string;
}

export interface CapturedEvent {
  source: string;
  detailType: string;
  detail: Record<string, any>;
}

export class E2E {
  /** Every response body the tests received (API and sandbox inspection). */
  readonly seen: string[] = [];
  private readonly iam: IAMClient;

  constructor(readonly stack: LocalStack) {
    this.iam = new IAMClient({
      region: 'us-east-1',
      endpoint: stack.awsEndpoint!,
      credentials: {
        accessKeyId: DEFAULT_WORLD.customer.accessKeyId,
        secretAccessKey: DEFAULT_WORLD.customer.secretAccessKey,
      },
    });
  }

  static async start(): Promise<E2E> {
    const silent = { info: () => undefined, error: () => undefined };
    const stack = await startLocalStack({
      sandboxPort: 0,
      apiPort: 0,
      timeScale: E2E_TIME_SCALE,
      log: () => undefined,
      ...(process.env['E2E_VERBOSE'] ? {} : { apiLog: silent }),
    });
    return new E2E(stack);
  }

  async stop(): Promise<void> {
    this.iam.destroy();
    await this.stack.stop();
  }

  get sandboxUrl(): string {
    return this.stack.awsEndpoint!;
  }

  async http<T = any>(method: string, url: string, body?: unknown, tenant?: string): Promise<HttpResult<T>> {
    const res = await fetch(url, {
      method,
      headers: { 'content-type': 'application/json', ...(tenant ? { 'x-tenant-id': tenant } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    this.seen.push(text);
    return { status: res.status, text, body: (text ? JSON.parse(text) : undefined) as T };
  }

  api<T = any>(method: string, path: string, body?: unknown, tenant?: string): Promise<HttpResult<T>> {
    return this.http<T>(method, `${this.stack.apiUrl}${path}`, body, tenant);
  }

  /** The seed's role B, created by the customer with what GET /v1/setup says — or deliberately not quite. */
  async createRoleB(o: {
    name: string;
    tenant: string;
    externalId?: string;
    withoutActions?: RegExp;
    withDeleteStatement?: boolean;
  }): Promise<string> {
    const setup = await this.api('GET', '/v1/setup', undefined, o.tenant);
    if (setup.status !== 200) throw new Error(`GET /v1/setup → ${setup.status} ${setup.text}`);
    const trust = structuredClone(setup.body.provisionRoleTrustPolicy);
    if (o.externalId !== undefined) replaceExternalId(trust, o.externalId);
    const policy = structuredClone(setup.body.provisionRolePolicy);
    if (o.withoutActions) dropActions(policy, o.withoutActions);
    await this.iam.send(new CreateRoleCommand({ RoleName: o.name, AssumeRolePolicyDocument: JSON.stringify(trust) }));
    await this.iam.send(
      new PutRolePolicyCommand({ RoleName: o.name, PolicyName: 'provision', PolicyDocument: JSON.stringify(policy) }),
    );
    // The optional statement that lets the service delete the cluster (GET /v1/setup's provisionRoleDeleteStatement).
    if (o.withDeleteStatement) {
      await this.iam.send(
        new PutRolePolicyCommand({
          RoleName: o.name,
          PolicyName: 'eks-provisioner-delete',
          PolicyDocument: JSON.stringify(setup.body.provisionRoleDeleteStatement),
        }),
      );
    }
    return `arn:aws:iam::${DEFAULT_WORLD.customer.accountId}:role/${o.name}`;
  }

  /** Replaces role B's trust policy as the customer would in the IAM console. */
  async setTrustPolicy(roleName: string, doc: unknown): Promise<void> {
    await this.iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: roleName, PolicyDocument: JSON.stringify(doc) }));
  }

  async setTrustExternalId(roleName: string, tenant: string, externalId: string): Promise<void> {
    const setup = await this.api('GET', '/v1/setup', undefined, tenant);
    const trust = structuredClone(setup.body.provisionRoleTrustPolicy);
    replaceExternalId(trust, externalId);
    await this.iam.send(
      new UpdateAssumeRolePolicyCommand({ RoleName: roleName, PolicyDocument: JSON.stringify(trust) }),
    );
  }

  /** events/create-cluster.json's settings with a name and role B of this test. */
  settings(overrides: Record<string, unknown>): Record<string, unknown> {
    const sample = JSON.parse(readFileSync(new URL('../../events/create-cluster.json', import.meta.url), 'utf8')) as {
      cluster: Record<string, unknown>;
    };
    return { ...sample.cluster, ...overrides };
  }

  async follow(id: string, tenant: string, timeoutMs = 60_000): Promise<ClusterRecord> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const r = await this.api<ClusterRecord>('GET', `/v1/clusters/${id}`, undefined, tenant);
      if (r.status !== 200) throw new Error(`GET /v1/clusters/${id} → ${r.status} ${r.text}`);
      if (r.body.status !== 'CREATING') return r.body;
      if (Date.now() > until) throw new Error(`cluster ${id} still CREATING after ${timeoutMs} ms: ${r.text}`);
      await new Promise((res) => setTimeout(res, 100));
    }
  }

  async events(clusterId?: string): Promise<CapturedEvent[]> {
    const r = await this.http<{ events: CapturedEvent[] }>(
      'GET',
      `${this.sandboxUrl}/_sandbox/events?source=eks-provisioner`,
    );
    return r.body.events.filter((e) => !clusterId || e.detail?.['clusterId'] === clusterId);
  }

  /** Waits for the completion event of a cluster (the record is written just before it). */
  async completionEvent(clusterId: string): Promise<CapturedEvent | undefined> {
    const until = Date.now() + 5000;
    for (;;) {
      const hit = (await this.events(clusterId)).find((e) => /(Succeeded|Failed)$/.test(e.detailType));
      if (hit || Date.now() > until) return hit;
      await new Promise((res) => setTimeout(res, 100));
    }
  }

  async setFlags(flags: Record<string, unknown>): Promise<void> {
    const r = await this.http('PATCH', `${this.sandboxUrl}/_sandbox/flags`, flags);
    if (r.status !== 200) throw new Error(`PATCH /_sandbox/flags → ${r.status} ${r.text}`);
  }

  /** Every execution's full history, through the Step Functions API (the service's own credentials). */
  async executionHistories(): Promise<string[]> {
    const sfn = new SFNClient({ region: 'us-east-1', endpoint: this.sandboxUrl });
    try {
      const out: string[] = [];
      const list = await sfn.send(
        new ListExecutionsCommand({ stateMachineArn: this.stack.runner.stateMachineArn, maxResults: 1000 }),
      );
      for (const e of list.executions ?? []) {
        let nextToken: string | undefined;
        do {
          const h = await sfn.send(
            new GetExecutionHistoryCommand({
              executionArn: e.executionArn,
              maxResults: 1000,
              ...(nextToken ? { nextToken } : {}),
            }),
          );
          out.push(JSON.stringify(h.events));
          nextToken = h.nextToken;
        } while (nextToken);
      }
      return out;
    } finally {
      sfn.destroy();
    }
  }
}

function replaceExternalId(doc: unknown, externalId: string): void {
  const walk = (v: unknown) => {
    if (!v || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (k === 'sts:ExternalId') (v as Record<string, unknown>)[k] = Array.isArray(x) ? [externalId] : externalId;
      else walk(x);
    }
  };
  walk(doc);
}

function dropActions(policy: { Statement: unknown }, pattern: RegExp): void {
  const statements = (Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement]) as Array<{
    Action?: string | string[];
  }>;
  const kept = statements
    .map((s) => {
      const actions =
        s.Action === undefined
          ? undefined
          : (Array.isArray(s.Action) ? s.Action : [s.Action]).filter((a) => !pattern.test(a));
      return actions === undefined ? s : { ...s, Action: actions };
    })
    .filter((s) => s.Action === undefined || s.Action.length > 0);
  policy.Statement = kept;
}
