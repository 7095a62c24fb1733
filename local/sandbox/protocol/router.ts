/**
 * One AWS request in, one AWS response out: identify the service (SigV4 scope, X-Amz-Target), decode the
 * operation input with the service's protocol, identify the caller (access key → IAM user or STS session),
 * apply faults, run the handler, and encode the output or error in that protocol's format.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Faults } from '../faults/faults.js';
import { authorize, ec2UnauthorizedMessage, notAuthorizedMessage } from '../iam/evaluate.js';
import type { RateLimiter } from '../limits/rate-limits.js';
import type { Principal } from '../world/types.js';
import type { World } from '../world/world.js';
import {
  awsJsonErrorBody,
  datesToEpoch,
  decodeRestJsonRequest,
  encodeRestJsonResponse,
  restJsonErrorBody,
} from './json.js';
import { loadModel } from './model.js';
import { decodeQueryRequest, encodeEc2Error, encodeQueryError, encodeQueryResponse } from './query.js';
import { type ErrorSpec, SERVICES, type ServiceSpec, serviceForTarget } from './services.js';
import { parseSigV4, type SigV4Scope, verifySignature } from './sigv4.js';
import { type RequestContext, SandboxAwsError, type ServiceModule } from './types.js';
import { validateRequest, validationError } from './validate.js';

export interface RawRequest {
  method: string;
  url: URL;
  /** The request target exactly as sent (for signature verification); defaults to url path + search. */
  rawUrl?: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

/** One line of the call log (`GET /_sandbox/calls`): never holds keys, secrets or tokens. */
export interface CallRecord {
  time: string;
  service: string;
  operation: string;
  region?: string;
  accountId?: string;
  callerArn?: string;
  status: number;
  errorCode?: string;
  errorMessage?: string;
}

/** A pass-through backend (DynamoDB): receives the raw request once the caller is identified and allowed. */
export type RawBackend = (
  req: RawRequest,
  ctx: RequestContext,
  operation: string,
  input: Record<string, unknown>,
) => Promise<RawResponse>;

export interface RouterEnv {
  world: World;
  faults: Faults;
  /** AWS API rate limits per account and region (absent = unlimited). */
  rateLimits?: RateLimiter;
  timeScale: number;
  /** Service key → handler module (sts, iam, ec2, eks, events, states, cloudformation when present). */
  modules: Partial<Record<string, ServiceModule>>;
  /** Service key → raw backend (dynamodb). */
  rawBackends: Partial<Record<string, RawBackend>>;
  onCall?: (record: CallRecord) => void;
  /** Verify SigV4 signatures with the world's secrets (default true). */
  verifySignatures?: boolean;
  onInternalError?: (err: unknown, service: string, operation: string) => void;
}

function errFrom(spec: ErrorSpec): SandboxAwsError {
  return new SandboxAwsError(spec.code, spec.message, spec.status);
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function contentTypeFor(spec: ServiceSpec): string {
  if (spec.protocol === 'query' || spec.protocol === 'ec2') return 'text/xml';
  if (spec.protocol === 'rest-json') return 'application/json';
  return `application/x-amz-json-${spec.jsonVersion}`;
}

function renderError(spec: ServiceSpec, err: SandboxAwsError, requestId: string): RawResponse {
  const headers: Record<string, string> = { 'content-type': contentTypeFor(spec), 'x-amzn-requestid': requestId };
  let body: string;
  switch (spec.protocol) {
    case 'query':
      body = encodeQueryError(spec.model!, err, requestId);
      break;
    case 'ec2':
      body = encodeEc2Error(err, requestId);
      break;
    case 'rest-json':
      headers['x-amzn-errortype'] = err.code;
      body = restJsonErrorBody(err);
      break;
    default:
      body = awsJsonErrorBody(err);
  }
  return { status: err.httpStatus, headers, body };
}

function renderOutput(spec: ServiceSpec, operation: string, output: unknown, requestId: string): RawResponse {
  const headers: Record<string, string> = { 'content-type': contentTypeFor(spec), 'x-amzn-requestid': requestId };
  switch (spec.protocol) {
    case 'query':
    case 'ec2':
      return { status: 200, headers, body: encodeQueryResponse(spec.model!, operation, output, requestId) };
    case 'rest-json': {
      const status = loadModel(spec.model!).operations[operation]?.http.responseCode ?? 200;
      return { status, headers, body: encodeRestJsonResponse(spec.model!, operation, output) };
    }
    default:
      return { status: 200, headers, body: JSON.stringify(datesToEpoch(output ?? {})) };
  }
}

/** Identify the service of a request: SigV4 scope first, then X-Amz-Target. */
function identifyService(req: RawRequest, scopeService: string | undefined): ServiceSpec | undefined {
  if (scopeService && SERVICES[scopeService]) return SERVICES[scopeService];
  const target = header(req.headers, 'x-amz-target');
  if (target) return serviceForTarget(target);
  return undefined;
}

function decodeOperation(spec: ServiceSpec, req: RawRequest): { operation: string; input: Record<string, unknown> } {
  const bodyText = req.body.toString('utf8');
  if (spec.protocol === 'query' || spec.protocol === 'ec2') {
    const params = new URLSearchParams(req.url.search);
    for (const [k, v] of new URLSearchParams(bodyText)) params.append(k, v);
    const { action, input, known } = decodeQueryRequest(spec.model!, params);
    if (!known) throw errFrom(spec.unknownOperation(action || '(no Action)'));
    return { operation: action, input };
  }
  if (spec.protocol === 'rest-json') {
    const decoded = decodeRestJsonRequest(spec.model!, req.method, req.url, bodyText);
    if (!decoded) throw errFrom(spec.unknownOperation(`${req.method} ${req.url.pathname}`));
    return decoded;
  }
  const target = header(req.headers, 'x-amz-target') ?? '';
  const [prefix, operation] = target.split('.');
  if (prefix !== spec.targetPrefix || !operation) throw errFrom(spec.unknownOperation(target || '(no X-Amz-Target)'));
  let input: Record<string, unknown> = {};
  if (bodyText.trim()) {
    try {
      input = JSON.parse(bodyText) as Record<string, unknown>;
    } catch {
      throw new SandboxAwsError('SerializationException', 'Start of structure or map found where not expected.', 400);
    }
  }
  return { operation, input };
}

/** Resolve the caller, failing as the service does for unknown, inactive, mismatched or expired credentials. */
function identifyCaller(env: RouterEnv, spec: ServiceSpec, req: RawRequest, scope: SigV4Scope): Principal {
  const owner = env.world.findAccessKey(scope.accessKeyId);
  if (!owner) throw errFrom(spec.unknownKey);
  if (owner.kind === 'user') {
    if (!owner.active) throw errFrom(spec.unknownKey);
  } else {
    if (owner.session.sessionToken !== scope.sessionToken) throw errFrom(spec.unknownKey);
    if (Date.parse(owner.session.expiration) <= env.world.now()) throw errFrom(spec.expiredToken);
  }
  if (env.verifySignatures !== false) {
    const secret = owner.kind === 'user' ? owner.secretAccessKey : owner.session.secretAccessKey;
    const signable = {
      method: req.method,
      rawUrl: req.rawUrl ?? `${req.url.pathname}${req.url.search}`,
      headers: req.headers,
      body: req.body,
    };
    if (!verifySignature(signable, scope, secret)) throw errFrom(spec.badSignature);
  }
  const principal = env.world.principalFor(owner);
  if (!principal) throw errFrom(spec.unknownKey);
  return principal;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function handleAwsRequest(env: RouterEnv, req: RawRequest): Promise<RawResponse> {
  const requestId = env.world.uuid();
  const scope = parseSigV4(req.headers, req.url);
  const spec = identifyService(req, scope?.service);
  const record: CallRecord = {
    time: env.world.nowIso(),
    service: spec?.key ?? scope?.service ?? 'unknown',
    operation: '',
    status: 200,
  };
  const finish = (res: RawResponse, err?: SandboxAwsError): RawResponse => {
    record.status = res.status;
    if (err) {
      record.errorCode = err.code;
      record.errorMessage = err.message;
    }
    env.onCall?.(record);
    return res;
  };

  if (!spec) {
    const err = new SandboxAwsError(
      'UnknownService',
      `The sandbox does not serve service '${scope?.service ?? 'unknown'}'`,
      400,
    );
    return finish(
      {
        status: 400,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ message: err.message, __type: err.code }),
      },
      err,
    );
  }

  let operation = '';
  try {
    const decoded = decodeOperation(spec, req);
    operation = decoded.operation;
    record.operation = operation;
    if (!scope) throw errFrom(spec.missingAuth);
    record.region = scope.region;

    const latency = env.faults.latencyMs(spec.key, operation);
    if (latency > 0) await sleep(latency);

    const caller = identifyCaller(env, spec, req, scope);
    record.callerArn = caller.arn;
    record.accountId = caller.accountId;
    const region = spec.global ? 'us-east-1' : scope.region;
    // AWS answers calls to a region the account has not enabled as if the credentials were unknown there.
    if (!spec.global && !env.world.isRegionEnabled(caller.accountId, region)) throw errFrom(spec.unknownKey);

    const fault = env.faults.pick(spec.key, operation, caller.kind === 'assumed-role');
    if (fault?.kind === 'expired') throw errFrom(spec.expiredToken);
    if (fault?.kind === 'throttle') throw errFrom(spec.throttle);
    if (fault?.kind === 'error') throw errFrom(fault.status === 503 ? spec.unavailable : spec.internal);
    // The caller's account shares its buckets with every other caller in it (roles, users, services).
    if (
      env.rateLimits &&
      !env.rateLimits.take(spec.key, operation, caller.accountId, spec.global ? 'global' : region, decoded.input)
    )
      throw errFrom(spec.throttle);

    // AWS checks the request against the model's constraints before any service logic (or permission check) runs.
    if (spec.model) {
      const violations = validateRequest(loadModel(spec.model), operation, decoded.input);
      if (violations.length) throw validationError(spec.protocol, spec.key, violations);
    }

    const ctx: RequestContext = {
      world: env.world,
      caller,
      region,
      accountId: caller.accountId,
      now: env.world.now(),
      requestId,
      service: spec.key,
      operation,
      timeScale: env.timeScale,
      check: (action, resourceArn = '*', keys) => authorize(env.world, caller, action, resourceArn, { region, keys }),
      authorize: (action, resourceArn = '*', keys) => {
        const result = authorize(env.world, caller, action, resourceArn, { region, keys });
        if (result.allowed) return;
        const message =
          spec.protocol === 'ec2'
            ? ec2UnauthorizedMessage(caller, action, result)
            : notAuthorizedMessage(caller, action, resourceArn, result);
        throw new SandboxAwsError(spec.accessDenied.code, message, spec.accessDenied.status);
      },
    };

    const raw = env.rawBackends[spec.key];
    if (raw) return finish(await raw(req, ctx, operation, decoded.input));

    const handler = env.modules[spec.key]?.operations[operation];
    if (!handler) {
      const e = errFrom(spec.unknownOperation(operation));
      throw new SandboxAwsError(e.code, `${e.message} (not implemented by the sandbox)`, e.httpStatus);
    }
    const output = await handler(ctx, decoded.input);
    return finish(renderOutput(spec, operation, output, requestId));
  } catch (e) {
    let err: SandboxAwsError;
    if (e instanceof SandboxAwsError) err = e;
    else {
      env.onInternalError?.(e, spec.key, operation);
      err = errFrom(spec.internal);
    }
    return finish(renderError(spec, err, requestId), err);
  }
}
