/**
 * The sandbox HTTP server on loopback: AWS requests go to the router; `/_sandbox/*` is the inspection
 * endpoint (captured events, world dump and reset, call log, faults, clock, flags).
 *
 *   const sb = await startSandbox({ port: 0 });   // random free port
 *   new STSClient({ endpoint: sb.url, region: 'us-east-1', credentials })
 *   await sb.stop();
 */

import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { checkRequest } from '../loopback/request-guard.js';
import { type DynamoBackend, startDynamo } from './dynamodb/proxy.js';
import { service as ec2 } from './ec2/service.js';
import { service as eks } from './eks/service.js';
import { service as events } from './events/service.js';
import { type FaultRule, Faults, LOAD_BALANCER_LEFT_BEHIND } from './faults/faults.js';
import { service as iam } from './iam/service.js';
import { KubernetesFront } from './kubernetes/server.js';
import { DEFAULT_RATE_LIMITS, type RateLimitConfig, RateLimiter } from './limits/rate-limits.js';
import { DYNAMODB_DIR, openStateDir, READ_ONLY_OPERATION, StateSaver } from './persist/state-dir.js';
import { type CallRecord, handleAwsRequest, type RouterEnv } from './protocol/router.js';
import type { ServiceModule } from './protocol/types.js';
import { type StepFunctionsBackend, stepFunctionsModule } from './stepfunctions/slot.js';
import { service as sts } from './sts/service.js';
import { defaultWorld } from './world/default-world.js';
import { parseWorld } from './world/schema.js';
import type { WorldData } from './world/types.js';
import { World } from './world/world.js';

/** Default time scale: simulated AWS durations run 100× faster (a 9-minute control plane takes 5.4 s). */
export const DEFAULT_TIME_SCALE = 100;

export interface SandboxOptions {
  /** Port on 127.0.0.1; 0 = a random free port (tests). Default 4566. */
  port?: number;
  /** A World, world data (validated), or omitted for the default world. */
  world?: World | WorldData | unknown;
  /** Simulated durations are divided by this. Default `DEFAULT_TIME_SCALE`. */
  timeScale?: number;
  faults?: FaultRule[];
  /**
   * AWS API rate limits per account and region (limits/rate-limits.ts): default DEFAULT_RATE_LIMITS
   * (AWS's published quotas where there are any); a config of your own; or false for none.
   */
  rateLimits?: RateLimitConfig | false;
  /** The local runner's Step Functions implementation; without it Step Functions calls are unknown operations. */
  stepFunctions?: StepFunctionsBackend;
  /** Directory for DynamoDB's on-disk store; default in memory. */
  dynamoPath?: string;
  /**
   * Keep all AWS-side state on disk here (world, stacks in flight, captured events, DynamoDB): a
   * sandbox started again on the same directory carries on where it stopped, and `world` is then
   * ignored (the saved world wins). Default: everything in memory.
   */
  dataDir?: string;
  /** Verify SigV4 signatures against the world's secret keys (default true; a wrong secret fails as in AWS). */
  verifySignatures?: boolean;
  /** Log sink for internal errors (default console.error). */
  log?: (message: string) => void;
  /** Serve a Kubernetes API (HTTPS on loopback, own CA) for each ACTIVE EKS cluster. Default true. */
  kubernetes?: boolean;
}

export interface Sandbox {
  url: string;
  port: number;
  world: World;
  faults: Faults;
  /** Rate limits in force (absent when turned off): counts of calls and throttled calls per account. */
  rateLimits?: RateLimiter;
  /** Calls served, newest last (bounded). No keys, secrets or tokens. */
  calls: CallRecord[];
  stop(): Promise<void>;
}

const MAX_CALLS = 2000;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, null, 2);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const PRIVATE_KEY_PEM = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;

/**
 * The world view without private keys: any string holding a PEM private key (the clusters' CA and
 * API server keys, whatever service state keeps them) becomes "***". The certificates stay.
 */
export function maskPrivateKeys<T>(value: T): T {
  if (typeof value === 'string') return (PRIVATE_KEY_PEM.test(value) ? '***' : value) as T;
  if (Array.isArray(value)) return value.map((v) => maskPrivateKeys(v)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskPrivateKeys(v)])) as T;
  }
  return value;
}

/** Load the CloudFormation engine when its module exists (built separately in cloudformation/). */
async function loadCloudFormation(): Promise<ServiceModule | undefined> {
  const here = new URL('./cloudformation/', import.meta.url);
  if (!existsSync(new URL('service.ts', here)) && !existsSync(new URL('service.js', here))) return undefined;
  const specifier = './cloudformation/service.js';
  const mod = (await import(specifier)) as { service?: ServiceModule };
  return mod.service;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const log = options.log ?? ((m: string) => console.error(m));
  const saved = options.dataDir ? openStateDir(options.dataDir) : undefined;
  const world = saved
    ? World.restore(saved)
    : options.world instanceof World
      ? options.world
      : new World(options.world === undefined ? defaultWorld() : parseWorld(options.world));
  const faults = new Faults(options.faults ?? []);
  const timeScale = options.timeScale ?? DEFAULT_TIME_SCALE;
  const rateLimits =
    options.rateLimits === false ? undefined : new RateLimiter(options.rateLimits ?? DEFAULT_RATE_LIMITS, timeScale);
  const dynamo: DynamoBackend = await startDynamo(
    options.dataDir ? join(options.dataDir, DYNAMODB_DIR) : options.dynamoPath,
  );
  const cloudformation = await loadCloudFormation();
  const kubernetes =
    options.kubernetes === false
      ? undefined
      : new KubernetesFront(world, {
          timeScale: options.timeScale ?? DEFAULT_TIME_SCALE,
          verifySignatures: options.verifySignatures ?? true,
          log,
        });
  await kubernetes?.start();
  if (kubernetes) world.kubernetes = kubernetes;
  world.faults = faults;

  const modules: Partial<Record<string, ServiceModule>> = { sts, iam, ec2, eks, events };
  if (cloudformation) modules.cloudformation = cloudformation;
  if (options.stepFunctions) modules.states = stepFunctionsModule(options.stepFunctions);

  if (saved) for (const [name, m] of Object.entries(modules)) m?.onResume?.(world, saved.modules[name]);
  const saver = options.dataDir
    ? new StateSaver(
        options.dataDir,
        () => ({
          initial: JSON.parse(world.initialJSON),
          data: world.data,
          capturedEvents: world.capturedEvents,
          clockOffsetMs: world.clockOffset,
          modules: Object.fromEntries(
            Object.entries(modules)
              .map(([name, m]) => [name, m?.snapshot?.(world)])
              .filter(([, v]) => v !== undefined),
          ),
        }),
        log,
      )
    : undefined;

  const calls: CallRecord[] = [];
  const env: RouterEnv = {
    world,
    faults,
    ...(rateLimits ? { rateLimits } : {}),
    timeScale,
    modules,
    rawBackends: { dynamodb: dynamo.backend },
    verifySignatures: options.verifySignatures ?? true,
    onCall: (r) => {
      // Saved before the answer leaves: what a caller was told has happened survives a crash.
      if (saver && r.status < 400 && r.service !== 'dynamodb' && !READ_ONLY_OPERATION.test(r.operation)) saver.flush();
      calls.push(r);
      if (calls.length > MAX_CALLS) calls.splice(0, calls.length - MAX_CALLS);
    },
    onInternalError: (err, service, operation) =>
      log(
        `[sandbox] internal error in ${service}.${operation}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
      ),
  };

  async function inspection(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer): Promise<void> {
    const route = `${req.method} ${url.pathname.replace(/\/$/, '')}`;
    const json = (): Record<string, unknown> =>
      body.length ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
    switch (route) {
      case 'GET /_sandbox/health':
        return sendJson(res, 200, { ok: true });
      case 'GET /_sandbox/events': {
        const source = url.searchParams.get('source');
        const bus = url.searchParams.get('bus');
        return sendJson(res, 200, {
          events: world.capturedEvents.filter(
            (e) => (!source || e.source === source) && (!bus || e.eventBusName === bus),
          ),
        });
      }
      case 'GET /_sandbox/world':
        return sendJson(res, 200, maskPrivateKeys(world.toPublicJSON()));
      case 'POST /_sandbox/reset':
        world.reset();
        calls.length = 0;
        rateLimits?.reset();
        for (const m of Object.values(modules)) m?.onReset?.(world);
        if (url.searchParams.get('dynamodb') === '1') await dynamo.clear();
        return sendJson(res, 200, { reset: true });
      case 'GET /_sandbox/calls':
        return sendJson(res, 200, { calls });
      case 'GET /_sandbox/rate-limits':
        return sendJson(
          res,
          200,
          rateLimits
            ? { enabled: true, timeScale, config: rateLimits.config, ...rateLimits.snapshot() }
            : { enabled: false },
        );
      case 'GET /_sandbox/faults':
        return sendJson(res, 200, { faults: faults.list() });
      case 'PUT /_sandbox/faults':
      case 'POST /_sandbox/faults': {
        const b = json();
        faults.set((b.faults ?? b) as FaultRule[]);
        return sendJson(res, 200, { faults: faults.list() });
      }
      case 'POST /_sandbox/clock': {
        const advanceMs = Number(json().advanceMs ?? 0);
        if (!Number.isFinite(advanceMs) || advanceMs < 0)
          return sendJson(res, 400, { message: 'advanceMs must be a non-negative number of milliseconds' });
        world.advanceClock(advanceMs);
        return sendJson(res, 200, { now: world.nowIso() });
      }
      case 'PATCH /_sandbox/flags':
      case 'POST /_sandbox/flags': {
        const flags = json();
        // An earlier flag, now a general deletion fault rule: say how to set it instead of ignoring it.
        if ('loadBalancerLeftBehind' in flags) {
          return sendJson(res, 400, {
            message: `loadBalancerLeftBehind is no longer a flag: it is a deletion fault rule. Set it with PUT /_sandbox/faults ${JSON.stringify([LOAD_BALANCER_LEFT_BEHIND])} and clear it with PUT /_sandbox/faults [] (nothing was changed).`,
          });
        }
        Object.assign(world.data.flags, flags);
        return sendJson(res, 200, { flags: world.data.flags });
      }
      default:
        return sendJson(res, 404, {
          message: `Unknown sandbox endpoint ${route}. Try GET /_sandbox/events, GET /_sandbox/world, POST /_sandbox/reset, GET /_sandbox/calls, GET|PUT /_sandbox/faults, GET /_sandbox/rate-limits, POST /_sandbox/clock, PATCH /_sandbox/flags.`,
        });
    }
  }

  let port = 0;
  const server = createServer((req, res) => {
    // Loopback Host names only, no browser page of another origin (DNS rebinding, cross-site POSTs).
    const verdict = checkRequest(req.headers, { port });
    if (!verdict.ok) {
      req.resume();
      return sendJson(res, 403, { message: verdict.message });
    }
    void (async () => {
      try {
        const body = await readBody(req);
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        if (url.pathname.startsWith('/_sandbox')) {
          try {
            return await inspection(req, res, url, body);
          } catch (e) {
            return sendJson(res, 400, { message: e instanceof Error ? e.message : String(e) });
          }
        }
        const out = await handleAwsRequest(env, {
          method: req.method ?? 'GET',
          url,
          rawUrl: req.url ?? '/',
          headers: req.headers,
          body,
        });
        const payload = typeof out.body === 'string' ? Buffer.from(out.body) : out.body;
        res.writeHead(out.status, { ...out.headers, 'content-length': payload.length });
        res.end(payload);
      } catch (e) {
        log(`[sandbox] request failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        if (!res.headersSent) sendJson(res, 500, { message: 'sandbox internal error' });
        else res.end();
      }
    })();
  });
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 4566, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    world,
    faults,
    ...(rateLimits ? { rateLimits } : {}),
    calls,
    stop: async () => {
      for (const m of Object.values(modules)) await m?.onStop?.();
      await kubernetes?.stop();
      saver?.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await dynamo.stop();
    },
  };
}
