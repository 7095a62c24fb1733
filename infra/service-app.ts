/**
 * Builds the CDK app: reads the context settings, adds the service stack and the cdk-nag
 * AwsSolutions checks (a policy validation plugin: any unacknowledged finding fails synth).
 * infra/app.ts runs it for the CLI; the tests call it in-process.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ServiceStack } from './service-stack.js';
import { readSettings } from './settings.js';

/** The repository root (infra/..), wherever the app is started from. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface BuildOptions {
  projectRoot?: string;
  /** Register cdk-nag as a synth-time validation plugin (tests run the checks directly instead). */
  nag?: boolean;
}

export function buildServiceApp(app: App, options: BuildOptions = {}): ServiceStack {
  const settings = readSettings(app.node);
  const stack = new ServiceStack(app, settings.stackName, {
    stackName: settings.stackName,
    settings,
    projectRoot: options.projectRoot ?? PROJECT_ROOT,
  });
  if (options.nag ?? true) {
    // writeSuppressionsToCloudFormation: the reasons travel with the template for reviewers.
    Validations.of(app).addPlugins(
      new AwsSolutionsChecks(app, { verbose: true, writeSuppressionsToCloudFormation: true }),
    );
  }
  return stack;
}
