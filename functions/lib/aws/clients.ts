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
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';

export type Credentials = AwsCredentialIdentity | AwsCredentialIdentityProvider;

interface ClientConfig {
  region: string;
  maxAttempts: number;
  credentials?: Credentials;
}

/** Handlers retry through the state machine (backoff with jitter); keep SDK retries short. */
const base = (region: string, credentials?: Credentials): ClientConfig => ({ region, maxAttempts: 2, ...(credentials ? { credentials } : {}) });

/**
 * Where and as whom clients act: a region plus credentials (role B's, assumed by
 * provision-role.ts). Hand it to the factories below; never to an output, log or event — and if
 * it gets there by mistake, it serialises to `{ region }` only.
 */
export class RoleSession {
  readonly #credentials: Credentials;

  constructor(
    readonly region: string,
    credentials: Credentials,
  ) {
    this.#credentials = credentials;
  }

  /** SDK client configuration bound to this session (for the factories). */
  clientConfig(): ClientConfig {
    return base(this.region, this.#credentials);
  }

  toJSON(): { region: string } {
    return { region: this.region };
  }

  /** What console.log / util.inspect show (Node's custom inspect hook). */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `RoleSession { region: '${this.region}' }`;
  }
}

export const cloudFormationClient = (s: RoleSession): CloudFormationClient => new CloudFormationClient(s.clientConfig());
export const ec2Client = (s: RoleSession): EC2Client => new EC2Client(s.clientConfig());
export const eksClient = (s: RoleSession): EKSClient => new EKSClient(s.clientConfig());
/** IAM is global; the SDK scopes SigV4 to the partition's IAM region whatever region it is given. */
export const iamClient = (s: RoleSession): IAMClient => new IAMClient(s.clientConfig());

/** STS with the service's own credentials (default chain). */
export function serviceSts(region: string): STSClient {
  return new STSClient(base(region));
}
