/**
 * Every Lambda handler goes through `lambdaHandler(fn)`: middy with a Powertools logger (Lambda
 * context attached), and one error rule: whatever `fn` throws leaves the function as an error named
 * in errors.ts (AwsThrottled / AwsTransient / Diagnosed), so the state machine's Retry/Catch match
 * on it and DiagnoseFailure gets a diagnosis rather than a stack trace.
 *
 * Logging: the event is never logged whole (it may be large); errors are logged by name, code and
 * message only, with access-key-shaped values redacted. Credentials never reach a log line.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { classifyAwsError, redactSecrets } from './aws/aws-error.js';
import { toStepError } from './diagnosis/from-aws-error.js';
import { ERROR_NAMES } from './errors.js';

/** One logger per process; tests may call `logger.setLogLevel('SILENT')`. */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME || 'eks-provisioner' });

export interface HandlerTools {
  logger: Logger;
  context: Context;
}

export type WrappedHandler<E, R> = (event: E, context?: Context) => Promise<R>;

/** Wraps a plain async function as a Lambda handler (middy + logger + error normalisation). */
export function lambdaHandler<E, R>(fn: (event: E, tools: HandlerTools) => Promise<R>): WrappedHandler<E, R> {
  const wrapped = middy(async (event: E, context: Context) => {
    try {
      return await fn(event, { logger, context });
    } catch (err) {
      const out = toStepError(err);
      const info = classifyAwsError(err);
      const fields = {
        errorName: out.name,
        awsErrorCode: info.code,
        ...(out.name === ERROR_NAMES.diagnosed
          ? { diagnosisCode: (out as { diagnosis?: { code?: string } }).diagnosis?.code }
          : {}),
        errorMessage: redactSecrets(String((err as Error)?.message ?? err)).slice(0, 1000),
      };
      const thrownDiagnosed = (err as Error)?.name === ERROR_NAMES.diagnosed;
      if (thrownDiagnosed) {
        // An expected, explained failure (bad subnet, missing policy…): not an error of ours.
        logger.warn('step failed with a diagnosis', fields);
      } else if (info.kind === 'unknown' && !info.fromSdk) {
        // Not an AWS answer: most likely a bug. Keep the stack for whoever reads the logs.
        logger.error('step failed unexpectedly', {
          ...fields,
          stack: redactSecrets(String((err as Error)?.stack ?? '')),
        });
      } else if (out.name === ERROR_NAMES.diagnosed) logger.warn('step failed with a diagnosis', fields);
      else logger.warn('step failed, retryable', fields);
      throw out;
    }
  }).use(injectLambdaContext(logger, { resetKeys: true }));
  // Lambda always passes a context; tests and the local runner may not.
  return (event: E, context?: Context) => wrapped(event, context ?? ({} as Context)) as Promise<R>;
}
