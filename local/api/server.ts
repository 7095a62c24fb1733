/**
 * The API on loopback for the local stack: a small Node HTTP server that turns each request into
 * the API Gateway REST proxy event the deployed Lambda gets and runs the same handler. The local
 * flag is always on here, so `X-Tenant-Id` names the tenant (default `local`). Every path outside
 * /v1 is the built web console (console/dist), so the console and the API share one origin.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { type ApiHandler, type ApiLog, createApiHandler } from '../../functions/api/app.js';
import type { ApiDeps } from '../../functions/api/deps.js';
import { defaultApiDeps } from '../../functions/api/handler.js';
import { loadConfig } from '../../functions/lib/config.js';
import { consoleDist } from '../console/build.js';
import { serveConsole } from '../console/static.js';
import { checkRequest } from '../loopback/request-guard.js';
import { type IamAuthOptions, IamAuthorizer, type VerifiedIdentity } from './iam-auth.js';
import { proxyEvent } from './proxy-event.js';

/** Bodies beyond this are not even read (the handler's own limit is 64 KiB). */
const MAX_READ_BYTES = 1024 * 1024;

export interface ApiServerOptions {
  port?: number;
  host?: string;
  /** Replace parts of the wiring (tests: an in-memory store, a mocked Step Functions client). */
  deps?: Partial<ApiDeps>;
  log?: ApiLog;
  /** The built console served outside /v1 (default console/dist or EKS_PROVISIONER_CONSOLE_DIST; false: API only). */
  consoleDir?: string | false;
  /**
   * `local` (default): the tenant is the `X-Tenant-Id` header, nothing is signed. `iam`: as the deployed
   * API — SigV4 verified against the sandbox's world, identity policy + the API's resource policy
   * evaluated with API Gateway's rules, the tenant derived from the verified principal.
   */
  auth?: 'local' | 'iam';
  /** With `auth: 'iam'`: the sandbox's world (required) and where the API is modelled to live. */
  iam?: IamAuthOptions;
}

export interface RunningApiServer {
  url: string;
  stop: () => Promise<void>;
}

const consoleLog: ApiLog = {
  info: (message, a) => console.log(JSON.stringify({ level: 'INFO', message, ...a })),
  error: (message, a) => console.error(JSON.stringify({ level: 'ERROR', message, ...a })),
};

export async function startApiServer(opts: ApiServerOptions = {}): Promise<RunningApiServer> {
  const host = opts.host ?? '127.0.0.1';
  const overrides = opts.deps ?? {};
  if (opts.auth === 'iam' && !opts.iam?.world)
    throw new Error(
      "startApiServer({ auth: 'iam' }) needs iam.world: the sandbox's world holds the keys and policies to check.",
    );
  const iam = opts.auth === 'iam' ? new IamAuthorizer(opts.iam!) : undefined;
  // Local tenant header only without IAM authorization; with it the handler reads the principal, as in AWS.
  const deps = defaultApiDeps({ ...overrides, config: { ...loadConfig(), ...(overrides.config ?? {}), local: !iam } });
  const handler = createApiHandler(deps, opts.log ?? consoleLog);

  const consoleDir = opts.consoleDir === undefined ? consoleDist() : opts.consoleDir;
  let port = 0;
  const server = createServer((req, res) => {
    // Loopback Host names and this server's own origin only (DNS rebinding, cross-site POSTs).
    const verdict = checkRequest(req.headers, { port, boundHost: host });
    if (!verdict.ok) {
      req.resume();
      send(res, 403, {
        error: { code: verdict.reason === 'host' ? 'FORBIDDEN_HOST' : 'FORBIDDEN_ORIGIN', message: verdict.message },
      });
      return;
    }
    const path = (req.url ?? '/').split('?')[0]!;
    if (consoleDir && !isApiPath(path)) {
      serveConsole(consoleDir, req, res).catch(() =>
        send(res, 500, {
          error: { code: 'INTERNAL_ERROR', message: 'The local server failed to serve a console file.' },
        }),
      );
      return;
    }
    serve(handler, req, res, iam).catch(() =>
      send(res, 500, { error: { code: 'INTERNAL_ERROR', message: 'The local API server failed to answer.' } }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 3000, host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/** /v1 and below (also percent-encoded spellings of it) belong to the API. */
function isApiPath(path: string): boolean {
  let p = path;
  try {
    p = decodeURIComponent(path);
  } catch {
    return true; // the API answers malformed encodings with its own 400
  }
  return p === '/v1' || p.startsWith('/v1/');
}

async function serve(
  handler: ApiHandler,
  req: IncomingMessage,
  res: ServerResponse,
  iam?: IamAuthorizer,
): Promise<void> {
  const body = await readBody(req);
  if (body === 'too-large') {
    send(res, 413, {
      error: {
        code: 'PAYLOAD_TOO_LARGE',
        message: 'The request body is larger than 64 KiB; cluster settings are a few KiB at most.',
      },
    });
    return;
  }
  const requestId = randomUUID();
  const event = toProxyEvent(req, body, requestId);
  if (!event) {
    send(res, 400, { error: { code: 'BAD_REQUEST', message: 'The request path is not valid percent-encoding.' } });
    return;
  }
  if (iam) {
    const verdict = iam.check(
      { method: event.httpMethod, rawUrl: req.url ?? '/', path: event.path, headers: req.headers, body },
      requestId,
    );
    if (!verdict.ok) {
      res.writeHead(verdict.status, { 'Content-Type': 'application/json' });
      res.end(verdict.body);
      return;
    }
    withIdentity(event, verdict.identity, iam);
  }
  const out = await handler(event);
  res.writeHead(out.statusCode, Object.fromEntries(Object.entries(out.headers ?? {}).map(([k, v]) => [k, String(v)])));
  res.end(out.body);
}

function send(res: ServerResponse, status: number, body: unknown) {
  if (res.headersSent) return res.end();
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_READ_BYTES) tooLarge = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(tooLarge ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * The REST (v1) proxy event for a request, as API Gateway builds it: path percent-decoded but not
 * dot-normalised, query and headers in single- and multi-value form, no IAM identity.
 */
export function toProxyEvent(
  req: IncomingMessage,
  body: Buffer,
  requestId: string = randomUUID(),
): APIGatewayProxyEvent | undefined {
  const raw = req.url ?? '/';
  const q = raw.indexOf('?');
  let path: string;
  try {
    path = decodeURIComponent(q < 0 ? raw : raw.slice(0, q));
  } catch {
    return undefined;
  }
  // Null-prototype maps: a parameter named __proto__, constructor or toString is just a name.
  const multiQuery: Record<string, string[]> = Object.create(null);
  for (const [k, v] of new URLSearchParams(q < 0 ? '' : raw.slice(q + 1))) (multiQuery[k] ??= []).push(v);
  const multiHeaders: Record<string, string[]> = Object.create(null);
  for (const [k, v] of Object.entries(req.headersDistinct)) if (v) multiHeaders[k] = v;
  const text = body.toString('utf8');
  // Bodies that are not valid UTF-8 travel base64-encoded, as API Gateway does for binary.
  const binary = body.length > 0 && !Buffer.from(text, 'utf8').equals(body);
  return proxyEvent({
    method: req.method ?? 'GET',
    path,
    multiValueHeaders: multiHeaders,
    multiValueQuery: multiQuery,
    body: body.length === 0 ? null : binary ? body.toString('base64') : text,
    isBase64Encoded: binary,
    stage: 'local',
    protocol: `HTTP/${req.httpVersion}`,
    sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
    userAgent: req.headers['user-agent'] ?? null,
    userArn: null,
    accountId: 'local',
    apiId: 'local',
    resourceId: 'local',
    requestId,
    requestTimeEpoch: Date.now(),
  });
}

/** The identity API Gateway puts in the event for a SigV4 caller it authorized. */
function withIdentity(event: APIGatewayProxyEvent, id: VerifiedIdentity, iam: IamAuthorizer): void {
  Object.assign(event.requestContext.identity, {
    accountId: id.accountId,
    accessKey: id.accessKey,
    caller: id.caller,
    user: id.user,
    userArn: id.userArn,
  });
  Object.assign(event.requestContext, { accountId: iam.accountId, apiId: iam.apiId });
}
