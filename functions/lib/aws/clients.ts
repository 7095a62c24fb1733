/**
 * The one place that builds AWS SDK v3 clients. Endpoint comes from AWS_ENDPOINT_URL like any SDK
 * client (the local sandbox sets it), region per call.
 *
 * One factory per service, and a function constructs only the clients it uses: the SDK packages
 * are `sideEffects: false`, so esbuild drops every factory (and its client package) a function
 * never calls. That matters: the EC2 client alone is ~540 KiB minified, because the SDK's
 * generated schemas use computed object keys (`{ [_xN]: … }`) that esbuild cannot prove free of
 * side effects, so all ~810 operations' schemas stay (aws/aws-sdk-js-v3#7607). Bundling it where
 * EC2 is never called doubled bundles and cold starts.
 * test/infra/bundle-contents.test.ts checks which clients each function bundles.
 *
 * Role-B credentials come from provision-role.ts as a RoleSession and stay in this process: the
 * session keeps them in a private field, and JSON / console output of it shows only the region.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient } from '@aws-sdk/client-eks';
import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import type {
  AwsCredentialIdentity,
  AwsCredentialIdentityProvider,
  InitializeHandler,
  InitializeHandlerArguments,
  InitializeHandlerOutput,
  InitializeMiddleware,
  MetadataBearer,
} from '@aws-sdk/types';
import { StandardRetryStrategy } from '@smithy/core/retry';
import type { RetryErrorInfo, StandardRetryToken } from '@smithy/types';
import { classifyAwsError } from './aws-error.js';

export type Credentials = AwsCredentialIdentity | AwsCredentialIdentityProvider;

interface ClientConfig {
  region: string;
  maxAttempts: number;
  credentials?: Credentials;
}

/**
 * The SDK's own default of 3 attempts (standard mode: jittered back-off, 500 ms base for throttling).
 * The state machine retries whole steps, but a step like DescribeVpcResources makes over a dozen calls
 * and starts over when any one fails: with 2 attempts under 30 % throttling a call failed 1 time in 11
 * (0.3²), most step attempts failed, and 2 of 10 runs used up the step's retries (bench/fault-matrix.ts);
 * with 3 attempts a call fails 1 time in 37.
 */
export const SDK_MAX_ATTEMPTS = 3;
const base = (region: string, credentials?: Credentials): ClientConfig => ({
  region,
  maxAttempts: SDK_MAX_ATTEMPTS,
  ...(credentials ? { credentials } : {}),
});

/**
 * How often one call may assume role B again after an expired-token answer before giving up. Four
 * expiries in a row at the sandbox's 20 % rate happen to 1 call in 625 (two in a row: 1 in 25).
 */
export const MAX_RENEWALS_PER_CALL = 3;

/** Assumes role B again (dropping the cached session) and returns the fresh credentials. */
export type Renew = () => Promise<AwsCredentialIdentity>;
/** Drops the session from whatever cache handed it out, so the next step (or retry) assumes role B again. */
export type Forget = () => void;

/**
 * Where and as whom clients act: a region plus credentials (role B's, assumed by
 * provision-role.ts). Hand it to the factories below; never to an output, log or event — and if
 * it gets there by mistake, it serialises to `{ region }` only.
 *
 * With a `renew` function the session is renewable: STS sessions can end before their stated
 * expiry (revoked, or the key that assumed them rotated), and AWS then answers ExpiredToken /
 * ExpiredTokenException / RequestExpired. Retrying with the same token can only fail again, so a
 * call that meets one assumes role B again and is sent once more, within the same invocation. A
 * fresh session can be cut short too (the revocation is still propagating), so this repeats up to
 * MAX_RENEWALS_PER_CALL times: with one renewal, two expiries in a row failed the call and a step
 * making a dozen calls at a 20 % expiry rate failed 4 attempts in 10 until the state machine gave up.
 * Past the bound the expiry goes out to the caller (awsCall → AwsTransient, retried by the state machine).
 * With a `forget` function, credentials AWS still refuses then (or refuses as invalid) are dropped
 * from the cache that handed them out, so that retry assumes role B afresh.
 */
export class RoleSession {
  readonly #credentials: Credentials;
  readonly #renew: Renew | undefined;
  readonly #forget: Forget | undefined;
  #current: AwsCredentialIdentity | undefined;
  /** Bumped on each renewal: calls that failed on older credentials retry without renewing again. */
  #generation = 0;
  #renewing: Promise<void> | undefined;

  constructor(
    readonly region: string,
    credentials: Credentials,
    renew?: Renew,
    forget?: Forget,
  ) {
    this.#renew = renew;
    this.#forget = forget;
    if (renew && typeof credentials !== 'function') {
      this.#current = credentials;
      // `memoized` tells the SDK not to wrap (and pin) this provider: every signing reads the
      // session's current credentials, so a renewal reaches clients already built.
      this.#credentials = Object.assign(async () => this.#current!, { memoized: true });
    } else {
      this.#credentials = credentials;
    }
  }

  /** SDK client configuration bound to this session (for the factories). */
  clientConfig(): ClientConfig {
    return base(this.region, this.#credentials);
  }

  get renewable(): boolean {
    return this.#renew !== undefined && this.#current !== undefined;
  }

  /** Renew once for every caller that saw the credentials of `generation` expire. */
  async #renewFrom(generation: number): Promise<void> {
    if (generation !== this.#generation) return; // someone already renewed since that call was signed
    this.#renewing ??= (async () => {
      try {
        this.#current = await this.#renew!();
        this.#generation++;
      } finally {
        this.#renewing = undefined;
      }
    })();
    await this.#renewing;
  }

  /**
   * Assume role B again now (once for every caller holding the same generation). For credentials used
   * outside an SDK client — the EKS token — whose expiry only shows as the Kubernetes API's 401.
   */
  async renew(): Promise<void> {
    if (!this.renewable) return;
    await this.#renewFrom(this.#generation);
  }

  /**
   * SDK middleware: on an expired-token answer, assume role B again and send the call again (bounded);
   * credentials still refused after that (or refused as invalid) are forgotten before the error goes out.
   */
  reassumeOnExpiry(): InitializeMiddleware<object, MetadataBearer> {
    return (next: InitializeHandler<object, MetadataBearer>) =>
      async (args: InitializeHandlerArguments<object>): Promise<InitializeHandlerOutput<MetadataBearer>> => {
        for (let renewals = 0; ; renewals++) {
          const generation = this.#generation;
          try {
            return await next(args);
          } catch (err) {
            if (
              !this.renewable ||
              classifyAwsError(err).kind !== 'expired-token' ||
              renewals === MAX_RENEWALS_PER_CALL
            ) {
              throw this.#forgetIfRefused(err);
            }
            // A failed renewal surfaces as the AssumeRole failure it is (denied, throttled, 5xx).
            await this.#renewFrom(generation);
          }
        }
      };
  }

  /** Credentials AWS refuses (expired, or not valid at all) must not be handed to the next step. */
  #forgetIfRefused(err: unknown): unknown {
    const kind = classifyAwsError(err).kind;
    if (kind === 'expired-token' || kind === 'no-credentials') this.#forget?.();
    return err;
  }

  toJSON(): { region: string } {
    return { region: this.region };
  }

  /** What console.log / util.inspect show (Node's custom inspect hook). */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `RoleSession { region: '${this.region}' }`;
  }
}

/** Builds a client bound to the session; renewable sessions re-assume role B on an expired token. */
function bound<
  C extends {
    middlewareStack: { add: (mw: never, o: { step: 'initialize'; name: string; priority: 'high' }) => void };
  },
>(s: RoleSession, client: C): C {
  if (s.renewable)
    client.middlewareStack.add(s.reassumeOnExpiry() as never, {
      step: 'initialize',
      name: 'reassumeRoleOnExpiredToken',
      priority: 'high',
    });
  return client;
}

/**
 * Retries like the SDK's standard mode, except throttling, for steps that make one call and have a better
 * answer to "Rate exceeded" than the SDK's retries half a second apart: the pollers look again later
 * (lib/polling/throttled.ts), CreateClusterStack is retried by the state machine with jittered back-off
 * (ClientRequestToken makes that safe). 200 clusters in one account at ×10 made 4 CreateStack calls per
 * cluster with SDK retries (each throttled burst retried into the same empty bucket).
 */
class NoThrottlingRetry extends StandardRetryStrategy {
  override async refreshRetryTokenForRetry(
    token: StandardRetryToken,
    errorInfo: RetryErrorInfo,
  ): Promise<StandardRetryToken> {
    if (errorInfo.errorType === 'THROTTLING') throw new Error('throttled: left to the caller');
    return super.refreshRetryTokenForRetry(token, errorInfo);
  }
}

/** `retryThrottling: false`: throttled calls come straight back to the caller (above); 5xx are still retried. */
export const cloudFormationClient = (s: RoleSession, o: { retryThrottling?: boolean } = {}): CloudFormationClient =>
  bound(
    s,
    new CloudFormationClient({
      ...s.clientConfig(),
      ...(o.retryThrottling === false ? { retryStrategy: new NoThrottlingRetry(SDK_MAX_ATTEMPTS) } : {}),
    }),
  );
export const ec2Client = (s: RoleSession): EC2Client => bound(s, new EC2Client(s.clientConfig()));
export const eksClient = (s: RoleSession): EKSClient => bound(s, new EKSClient(s.clientConfig()));
/** IAM is global; the SDK scopes SigV4 to the partition's IAM region whatever region it is given. */
export const iamClient = (s: RoleSession): IAMClient => bound(s, new IAMClient(s.clientConfig()));

/** STS with the service's own credentials (default chain). */
export function serviceSts(region: string): STSClient {
  return new STSClient(base(region));
}
