/**
 * Test kit for the API: API Gateway REST proxy events, and the app wired to the tests' in-memory
 * Store (test/support/memory-store.ts, held to the DynamoDB store's contract).
 */
import { SFNClient } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { type ApiLog, createApiHandler } from '../../../functions/api/app.js';
import type { ApiDeps } from '../../../functions/api/deps.js';
import { DEFAULTS, type ServiceConfig } from '../../../functions/lib/config.js';
import { proxyEvent } from '../../../local/api/proxy-event.js';
import { MemoryStore } from '../../support/memory-store.js';

export { issuedExternalIds, MemoryStore } from '../../support/memory-store.js';

// Safety net: an AWS call a test forgot to mock fails fast on a closed loopback port, never the internet.
process.env.AWS_ENDPOINT_URL ??= 'http://127.0.0.1:9';

export const silentLog: ApiLog & { lines: Array<Record<string, unknown>> } = {
  lines: [],
  info(message, attributes) {
    this.lines.push({ level: 'info', message, ...attributes });
  },
  error(message, attributes) {
    this.lines.push({ level: 'error', message, ...attributes });
  },
};

export function testConfig(overrides: Partial<ServiceConfig> = {}): ServiceConfig {
  return {
    tableName: 'test-table',
    eventBusName: 'test-bus',
    roleNamePrefix: DEFAULTS.roleNamePrefix,
    stateMachineArn: 'arn:aws:states:us-east-1:111111111111:stateMachine:eks-provisioner-provision-cluster',
    deleteStateMachineArn: DEFAULTS.deleteStateMachineArn,
    updateStateMachineArn: DEFAULTS.updateStateMachineArn,
    maxProvisioningSeconds: 3600,
    local: true,
    allowDelete: false,
    ...overrides,
  };
}

export interface EventInput {
  method: string;
  path: string;
  body?: unknown;
  /** Raw body string (wins over `body`). */
  rawBody?: string;
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  query?: Record<string, string>;
  multiValueQuery?: Record<string, string[]>;
  tenant?: string;
  userArn?: string | null;
  isBase64Encoded?: boolean;
}

/** An API Gateway REST (v1) proxy event as a `/{proxy+}` resource delivers it. */
export function apiEvent(i: EventInput): APIGatewayProxyEvent {
  const headers: Record<string, string> = { Accept: 'application/json', ...(i.headers ?? {}) };
  if (i.tenant !== undefined) headers['X-Tenant-Id'] = i.tenant;
  const body = i.rawBody ?? (i.body === undefined ? null : JSON.stringify(i.body));
  if (body !== null && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
    headers['Content-Type'] = 'application/json';
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(headers)) multiValueHeaders[k] = [v];
  Object.assign(multiValueHeaders, i.multiValueHeaders ?? {});
  // Own keys, as JSON.parse gives the Lambda its event: `__proto__` is a name, not the prototype.
  const multiQuery: Record<string, string[]> = Object.create(null);
  for (const [k, v] of Object.entries(i.query ?? {})) multiQuery[k] = [v];
  Object.assign(multiQuery, i.multiValueQuery ?? {});
  return proxyEvent({
    method: i.method,
    path: i.path,
    multiValueHeaders,
    multiValueQuery: multiQuery,
    body,
    isBase64Encoded: i.isBase64Encoded ?? false,
    stage: 'prod',
    contextPath: `/prod${i.path}`,
    protocol: 'HTTP/1.1',
    sourceIp: '203.0.113.7',
    userAgent: 'vitest',
    userArn: i.userArn ?? null,
    accountId: '111111111111',
    apiId: 'abcdef1234',
    resourceId: 'abc123',
    requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
    requestTimeEpoch: 1_700_000_000_000,
  });
}

export interface TestApi {
  call: (
    i: EventInput,
  ) => Promise<{ statusCode: number; headers: Record<string, string>; body: any; raw: APIGatewayProxyResult }>;
  store: MemoryStore;
  deps: ApiDeps;
}

let idCounter = 0;
export function makeTestApi(opts: { config?: Partial<ServiceConfig>; store?: MemoryStore } = {}): TestApi {
  const store = opts.store ?? new MemoryStore();
  const deps: ApiDeps = {
    config: testConfig(opts.config),
    store,
    sfn: new SFNClient({ region: 'us-east-1' }),
    now: () => new Date('2026-11-29T12:00:00.000Z'),
    newId: () => `00000000-0000-4000-8000-${String(++idCounter).padStart(12, '0')}`,
  };
  const handler = createApiHandler(deps, silentLog);
  return {
    store,
    deps,
    call: async (i) => {
      const raw = await handler(apiEvent(i));
      let body: unknown;
      try {
        body = JSON.parse(raw.body);
      } catch {
        body = raw.body;
      }
      return { statusCode: raw.statusCode, headers: (raw.headers ?? {}) as Record<string, string>, body, raw };
    },
  };
}

// The demo world.
export const SERVICE_ACCOUNT = '111111111111';
export const CUSTOMER_ACCOUNT = '222222222222';
export const ROLE_B = `arn:aws:iam::${CUSTOMER_ACCOUNT}:role/eks-provisioner-provision`;
export const ROLE_A = `arn:aws:iam::${CUSTOMER_ACCOUNT}:role/eks-cluster-role`;

export function validSettings(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'demo',
    region: 'us-east-1',
    provisionRoleArn: ROLE_B,
    serviceRoleArn: ROLE_A,
    vpcId: 'vpc-0a1b2c3d4e5f60718',
    subnetIds: ['subnet-0a1b2c3d4e5f60711', 'subnet-0a1b2c3d4e5f60712'],
    securityGroupIds: ['sg-0a1b2c3d4e5f60713'],
    instanceType: 'm5.large',
    nodeCount: 2,
    ...overrides,
  };
}

/** Registers role B for a tenant straight in the store (as a successful POST /v1/roles would). */
export async function seedRole(store: MemoryStore, tenantId: string, roleArn = ROLE_B, region = 'us-east-1') {
  await store.getOrCreateTenant(tenantId);
  await store.putRole({
    tenantId,
    roleArn,
    region,
    accountId: roleArn.split(':')[4]!,
    registeredAt: '2026-11-29T11:00:00.000Z',
  });
}
