/**
 * The one place that builds AWS SDK v3 clients. Endpoint comes from AWS_ENDPOINT_URL like any SDK
 * client (the local sandbox sets it), region per call. Role-B clients get their credentials from
 * provision-role.ts and never see them leave this process.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient } from '@aws-sdk/client-eks';
import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';

export type Credentials = AwsCredentialIdentity | AwsCredentialIdentityProvider;

/** Handlers retry through the state machine (backoff with jitter); keep SDK retries short. */
const base = (region: string, credentials?: Credentials) => ({ region, maxAttempts: 2, ...(credentials ? { credentials } : {}) });

export interface ProvisionClients {
  cloudformation: CloudFormationClient;
  ec2: EC2Client;
  eks: EKSClient;
  iam: IAMClient;
  sts: STSClient;
}

export function makeClients(region: string, credentials?: Credentials): ProvisionClients {
  const cfg = base(region, credentials);
  return {
    cloudformation: new CloudFormationClient(cfg),
    ec2: new EC2Client(cfg),
    eks: new EKSClient(cfg),
    // IAM is global; SigV4 scope is us-east-1 in the aws partition.
    iam: new IAMClient(cfg),
    sts: new STSClient(cfg),
  };
}

/** STS with the service's own credentials (default chain). */
export function serviceSts(region: string): STSClient {
  return new STSClient(base(region));
}
