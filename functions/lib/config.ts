/**
 * Runtime configuration, read from the environment once. The CDK stack and the local runner set
 * the same variables, so the handlers cannot tell where they run.
 */
export interface ServiceConfig {
  /** DynamoDB single table (store). */
  tableName: string;
  /** EventBridge bus for completion events. */
  eventBusName: string;
  /** Role B names must start with this (the service may only assume such roles). */
  roleNamePrefix: string;
  /** Provisioning state machine (API starts executions of it). */
  stateMachineArn: string;
  /** Delete state machine (DELETE /v1/clusters/{id} starts executions of it). */
  deleteStateMachineArn: string;
  /** Update state machine (PATCH /v1/clusters/{id} starts executions of it). */
  updateStateMachineArn: string;
  /** Give up following a stack after this many seconds of stack time. */
  maxProvisioningSeconds: number;
  /** Local mode: the API trusts the X-Tenant-Id header. Never set in AWS. */
  local: boolean;
  /** Role B may delete what it made (opt-in; changes the generated provision policy). */
  allowDelete: boolean;
  /**
   * The console's Cognito identity pool (`region:uuid`). Callers signing with credentials of this
   * pool are tenants by their identity id; absent when the stack has no console.
   */
  identityPoolId?: string;
  /** The identity pool's authenticated role (shared by every console user; never a tenant itself). */
  identityPoolRoleArn?: string;
  /** The console's origin (`https://d123.cloudfront.net`): the only origin CORS allows. */
  corsAllowOrigin?: string;
}

export const ENV = {
  tableName: 'TABLE_NAME',
  eventBusName: 'EVENT_BUS_NAME',
  roleNamePrefix: 'ROLE_NAME_PREFIX',
  stateMachineArn: 'STATE_MACHINE_ARN',
  deleteStateMachineArn: 'DELETE_STATE_MACHINE_ARN',
  updateStateMachineArn: 'UPDATE_STATE_MACHINE_ARN',
  maxProvisioningSeconds: 'MAX_PROVISIONING_SECONDS',
  local: 'EKS_PROVISIONER_LOCAL',
  allowDelete: 'PROVISION_POLICY_ALLOW_DELETE',
  identityPoolId: 'COGNITO_IDENTITY_POOL_ID',
  identityPoolRoleArn: 'COGNITO_IDENTITY_POOL_ROLE_ARN',
  corsAllowOrigin: 'CORS_ALLOW_ORIGIN',
} as const;

export const DEFAULTS = {
  tableName: 'eks-provisioner',
  eventBusName: 'eks-provisioner',
  roleNamePrefix: 'eks-provisioner-',
  stateMachineArn: 'arn:aws:states:us-east-1:111111111111:stateMachine:eks-provisioner-provision-cluster',
  deleteStateMachineArn: 'arn:aws:states:us-east-1:111111111111:stateMachine:eks-provisioner-delete-cluster',
  updateStateMachineArn: 'arn:aws:states:us-east-1:111111111111:stateMachine:eks-provisioner-update-cluster',
  maxProvisioningSeconds: 3600,
} as const;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const seconds = Number(env[ENV.maxProvisioningSeconds] ?? DEFAULTS.maxProvisioningSeconds);
  return {
    tableName: env[ENV.tableName] || DEFAULTS.tableName,
    eventBusName: env[ENV.eventBusName] || DEFAULTS.eventBusName,
    roleNamePrefix: env[ENV.roleNamePrefix] ?? DEFAULTS.roleNamePrefix,
    stateMachineArn: env[ENV.stateMachineArn] || DEFAULTS.stateMachineArn,
    deleteStateMachineArn: env[ENV.deleteStateMachineArn] || DEFAULTS.deleteStateMachineArn,
    updateStateMachineArn: env[ENV.updateStateMachineArn] || DEFAULTS.updateStateMachineArn,
    maxProvisioningSeconds: Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULTS.maxProvisioningSeconds,
    local: env[ENV.local] === '1' || env[ENV.local] === 'true',
    allowDelete: env[ENV.allowDelete] === '1' || env[ENV.allowDelete] === 'true',
    ...(env[ENV.identityPoolId] ? { identityPoolId: env[ENV.identityPoolId] } : {}),
    ...(env[ENV.identityPoolRoleArn] ? { identityPoolRoleArn: env[ENV.identityPoolRoleArn] } : {}),
    ...(env[ENV.corsAllowOrigin] ? { corsAllowOrigin: env[ENV.corsAllowOrigin] } : {}),
  };
}
