/**
 * The service-handler contract of the sandbox.
 *
 * HOW A SERVICE REGISTERS OPERATIONS
 * ----------------------------------
 * A service is a module exporting `service: ServiceModule`: a map from the AWS operation name (exactly as in
 * the API reference / botocore model, e.g. `DescribeStacks`) to a handler
 *
 *     (ctx: RequestContext, input) => output | Promise<output>
 *
 * - `input` is the request already decoded from the wire into the SDK's own shape: member names as in the
 *   API (`StackName`, `Parameters: [{ ParameterKey, ParameterValue }]`, EC2 `Filters: [{ Name, Values }]`,
 *   EKS path labels and query strings merged in under their *member* names, e.g. DescribeNodegroup
 *   `{ clusterName, nodegroupName }` although the URI label is `{name}`). Numbers/booleans are typed;
 *   timestamps are `Date`.
 * - `output` is a plain object in the operation's output shape (e.g. `{ Stacks: [...] }`, `{ cluster: {...} }`).
 *   Timestamps may be `Date`, ISO strings or epoch ms; tags as the API has them. The protocol layer serialises
 *   it (XML for Query/EC2 via the vendored model in `local/sandbox/models/`, JSON otherwise).
 * - failures: `throw new SandboxAwsError(code, message, httpStatus)` with AWS's real code and wording;
 *   the protocol layer renders it in the service's own error format. Any other exception becomes a
 *   500 `InternalFailure` (and is logged): treat that as a sandbox bug.
 * - permission checks: call `ctx.authorize(action, resourceArn, keys?)` — it evaluates the caller's IAM
 *   policies and throws the service's own access-denied error (`AccessDenied`, `UnauthorizedOperation`,
 *   `AccessDeniedException`) with AWS's wording when denied.
 *
 * The router (`protocol/router.ts`) maps each SigV4 signing name / X-Amz-Target to one ServiceModule. The
 * CloudFormation engine plugs in as `local/sandbox/cloudformation/service.ts` exporting
 * `export const service: ServiceModule`; the router loads it when that file exists, otherwise every
 * CloudFormation call answers as an unimplemented operation.
 */
import type { AuthContext, AuthResult } from '../iam/evaluate.js';
import type { Principal } from '../world/types.js';
import type { World } from '../world/world.js';

export interface RequestContext {
  world: World;
  /** Who signed the request (resolved from the SigV4 access key). */
  caller: Principal;
  /** Region from the SigV4 credential scope (`us-east-1` for IAM, which is global). */
  region: string;
  /** The caller's account id (resources the call creates/reads live here). */
  accountId: string;
  /** Sandbox time (ms since epoch) when the request arrived; use `world.now()` for later moments. */
  now: number;
  requestId: string;
  /** Service key of this call (`sts`, `iam`, `ec2`, `cloudformation`, `eks`, `events`, …). */
  service: string;
  operation: string;
  /** Durations the sandbox simulates are divided by this (1 = real AWS durations). */
  timeScale: number;
  /**
   * Check the caller may perform `action` on `resourceArn` (default `*`); throws this service's access
   * denied error when not. `keys` adds condition keys (e.g. `{ 'iam:PassedToService': 'eks.amazonaws.com' }`).
   */
  authorize(action: string, resourceArn?: string, keys?: AuthContext['keys']): void;
  /** Same evaluation without throwing (for engines that record the failure themselves). */
  check(action: string, resourceArn?: string, keys?: AuthContext['keys']): AuthResult;
}

// biome-ignore lint/suspicious/noExplicitAny: wire input decoded by the protocol layer and checked against the service model, not a TS type
export type OperationInput = Record<string, any>;

export type OperationHandler = (ctx: RequestContext, input: OperationInput) => unknown | Promise<unknown>;

export interface ServiceModule {
  /** Operation name → handler. Operations absent here answer as not implemented by the sandbox. */
  operations: Record<string, OperationHandler>;
  /** Optional: called after `POST /_sandbox/reset` restored the world (drop timers, caches). */
  onReset?(world: World): void;
  /** Optional: called when the sandbox stops (clear timers so the process can exit). */
  onStop?(): void | Promise<void>;
  /**
   * Optional, for a sandbox that keeps its state on disk: what the module keeps outside world state
   * (JSON), and how it carries on from a saved world plus that snapshot (restart timers).
   */
  snapshot?(world: World): unknown;
  onResume?(world: World, snapshot: unknown): void;
}

/**
 * An AWS error as the service would return it. `code` is AWS's error code (`ValidationError`,
 * `InvalidVpcID.NotFound`, `ResourceNotFoundException`…); `httpStatus` defaults to 400.
 * `fields` adds members some JSON errors carry (e.g. EKS `clusterName`), ignored by XML protocols.
 */
export class SandboxAwsError extends Error {
  readonly code: string;
  readonly httpStatus: number;
  readonly fields: Record<string, unknown>;
  /** Whether AWS classes this as a client (`Sender`) error; 5xx are `Receiver`. */
  readonly senderFault: boolean;

  constructor(code: string, message: string, httpStatus = 400, fields: Record<string, unknown> = {}) {
    super(message);
    this.name = code;
    this.code = code;
    this.httpStatus = httpStatus;
    this.fields = fields;
    this.senderFault = httpStatus < 500;
  }
}
