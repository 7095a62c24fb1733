/** Public entry points of the AWS sandbox. */
export { startSandbox, DEFAULT_TIME_SCALE, type Sandbox, type SandboxOptions } from './server.js';
export { World } from './world/world.js';
export { defaultWorld, DEMO, SERVICE_ACCOUNT_ID, CUSTOMER_ACCOUNT_ID, CUSTOMER_ACCESS_KEY_ID, CUSTOMER_SECRET_ACCESS_KEY } from './world/default-world.js';
export { parseWorld, WorldValidationError } from './world/schema.js';
export type * from './world/types.js';
export type { FaultRule } from './faults/faults.js';
export type { StepFunctionsBackend, StepFunctionsOperation } from './stepfunctions/slot.js';
export { SandboxAwsError, type RequestContext, type ServiceModule, type OperationHandler } from './protocol/types.js';
export { authorize, authorizeAssumeRole } from './iam/evaluate.js';
