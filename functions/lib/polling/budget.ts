/**
 * How long one provisioning execution may run, in one place for the CDK stack, the local runner and
 * the tests: the poll cap (`maxProvisioningSeconds`, stack time) and the execution's own
 * `TimeoutSeconds` (the backstop that ends a run the ASL did not end itself).
 */

/** Allowed range of the `maxProvisioningSeconds` setting. */
export const PROVISIONING_SECONDS_BOUNDS = { min: 300, max: 86_400 } as const;

/**
 * Time the execution may spend outside polling: validation, pre-flight and CreateStack with their
 * retries before the first poll, and DiagnoseFailure / Record* / Notify* after the last one.
 */
export const EXECUTION_TIMEOUT_MARGIN_SECONDS = 1800;

/** The state machine's top-level TimeoutSeconds for a given poll cap. */
export function executionTimeoutSeconds(maxProvisioningSeconds: number): number {
  return Math.ceil(maxProvisioningSeconds) + EXECUTION_TIMEOUT_MARGIN_SECONDS;
}
