/**
 * The definition as deployed: the ASL file plus what CDK cannot put into a file definition
 * (aws-cdk-lib applies `timeout` only to definitions built from CDK states, so a file's definition
 * would run with no execution timeout at all). Pure: the local runner builds the same document.
 */

/** Parses the ASL text and sets its top-level `TimeoutSeconds` (an integer ≥ 1, as Step Functions requires). */
export function withExecutionTimeout<T extends object>(
  definition: T,
  timeoutSeconds: number,
): T & { TimeoutSeconds: number } {
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > 99_999_999) {
    throw new Error(
      `Execution TimeoutSeconds must be a whole number of seconds between 1 and 99999999, got ${timeoutSeconds}.`,
    );
  }
  return { ...definition, TimeoutSeconds: timeoutSeconds };
}

/** The ASL file's text → the definition text CDK deploys (substitutions still `${…}`). */
export function deployedDefinitionText(aslText: string, timeoutSeconds: number): string {
  let parsed: object;
  try {
    parsed = JSON.parse(aslText) as object;
  } catch (e) {
    throw new Error(`The state machine definition is not valid JSON: ${(e as Error).message}`);
  }
  return JSON.stringify(withExecutionTimeout(parsed, timeoutSeconds), null, 2);
}
