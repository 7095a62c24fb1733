/** Public entry points of the AWS sandbox. */

export type { FaultRule } from './faults/faults.js';
export { authorize, authorizeAssumeRole } from './iam/evaluate.js';
export { type OperationHandler, type RequestContext, SandboxAwsError, type ServiceModule } from './protocol/types.js';
export { DEFAULT_TIME_SCALE, type Sandbox, type SandboxOptions, startSandbox } from './server.js';
export type { StepFunctionsBackend, StepFunctionsOperation } from './stepfunctions/slot.js';
export {
  CUSTOMER_ACCESS_KEY_ID,
  CUSTOMER_ACCOUNT_ID,
  CUSTOMER_SECRET_ACCESS_KEY,
  DEMO,
  defaultWorld,
  SERVICE_ACCOUNT_ID,
} from './world/default-world.js';
export { parseWorld, WorldValidationError } from './world/schema.js';
export type * from './world/types.js';
export { World } from './world/world.js';
