/**
 * `eks-provisioner start` (npm start): the local stack, the demo, then keep serving until Ctrl-C.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiError, ApiNotRunningError, describeApiError } from '../cli/api-client.js';
import { logLine, quiet, say, style, warn } from '../cli/terminal.js';
import { ensureConsoleBuilt } from './console/build.js';
import { DEMO_ROLE_NAME, runDemo } from './demo/demo.js';
import { DEFAULT_WORLD } from './runner/environment.js';
import { type LocalStack, startLocalStack } from './runner/stack.js';
import { WORLD_FILE } from './sandbox/persist/state-dir.js';

export const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));

export interface StartOptions {
  demo: boolean;
  port: number;
  sandboxPort: number;
  timeScale?: number;
  world?: string;
  dataDir?: string;
  aws: boolean;
  verbose: boolean;
  /** The API authorizes with IAM as API Gateway does (sandbox keys and policies); the demo is skipped. */
  iamAuth?: boolean;
}

export async function start(o: StartOptions): Promise<void> {
  const t0 = Date.now();
  const logFile = join(REPO_ROOT, '.local', 'eks-provisioner.log');
  const restore = o.verbose ? () => undefined : quiet(logFile);
  // One broken execution or request never takes the stack down: note it in the log and go on.
  process.on('unhandledRejection', (e) =>
    logLine(`unhandled rejection: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`),
  );
  process.on('uncaughtException', (e) => logLine(`uncaught exception: ${e.stack ?? e.message}`));

  let world: unknown;
  if (o.world) {
    try {
      world = JSON.parse(await readFile(resolve(o.world), 'utf8'));
    } catch (e) {
      warn(`--world ${o.world}: ${(e as Error).message}`);
      process.exitCode = 2;
      restore();
      return;
    }
  }

  // A data dir with saved state: the demo ran before (its cluster name is taken); just carry on.
  const restored = !!o.dataDir && !o.aws && existsSync(join(resolve(o.dataDir), WORLD_FILE));
  say(style.bold(o.aws ? 'eks-provisioner — local runner against real AWS' : 'eks-provisioner — local stack'));
  // The web console is served from its build; build it first when the sources changed (a few seconds).
  let consoleNote = '';
  try {
    const t = Date.now();
    if ((await ensureConsoleBuilt()) === 'built')
      consoleNote = ` (console built in ${((Date.now() - t) / 1000).toFixed(1)} s)`;
  } catch (e) {
    warn(`The web console could not be built (${(e as Error).message.split('\n')[0]}); the API works without it.`);
    logLine(`console build: ${(e as Error).stack ?? String(e)}`);
  }
  let stack: LocalStack;
  try {
    stack = await startLocalStack({
      apiPort: o.port,
      sandboxPort: o.sandboxPort,
      aws: o.aws,
      log: logLine,
      // test/statemachine validates the ASL; validating again here would add seconds to every start.
      validateDefinition: false,
      ...(o.iamAuth ? { apiAuth: 'iam' as const } : {}),
      ...(o.timeScale ? { timeScale: o.timeScale } : {}),
      ...(world !== undefined ? { world } : {}),
      ...(o.dataDir ? { dataDir: resolve(o.dataDir) } : {}),
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE')
      warn(
        `Port in use (${err.message}). Is another local stack running? Stop it, or pick other ports with --port / --sandbox-port.`,
      );
    else warn(`Could not start the local stack: ${err.message}`);
    if (!o.verbose) warn(`Details: ${relative(process.cwd(), logFile)}`);
    logLine(err.stack ?? String(err));
    process.exitCode = 1;
    restore();
    return;
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      warn('Forced exit.');
      process.exit(130);
    }
    stopping = true;
    say(`\n${signal === 'SIGINT' ? 'Ctrl-C: ' : ''}stopping the local stack…`);
    await stack.stop();
    say('Stopped.');
    restore();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  if (stack.mode === 'sandbox') {
    say(
      `AWS sandbox ${stack.awsEndpoint} (time ×${stack.timeScale}), Step Functions runner, API ${stack.apiUrl} — ready in ${((Date.now() - t0) / 1000).toFixed(1)} s${consoleNote}`,
    );
  } else {
    say(
      `Runner against AWS account ${stack.accountId} (${stack.region}), API ${stack.apiUrl}${stack.created.length ? `; created ${stack.created.join(', ')}` : ''}`,
    );
  }

  if (o.dataDir && stack.mode === 'sandbox')
    say(
      style.dim(
        `   state kept in ${o.dataDir} (sandbox world + DynamoDB table)${restored ? ', carried on from the last run (no demo)' : ''}`,
      ),
    );
  if (stack.resumed.length)
    say(`Resumed ${stack.resumed.length} cluster(s) left CREATING by the previous run: ${stack.resumed.join(', ')}`);
  if (stack.resumedDeletions.length)
    say(
      `Resumed the deletion of ${stack.resumedDeletions.length} cluster(s) left DELETING by the previous run: ${stack.resumedDeletions.join(', ')}`,
    );

  let nextFile: string | undefined;
  if (o.iamAuth) {
    say(
      style.dim(
        '   API with IAM authorization: sign requests (service execute-api, us-east-1) with a key of the sandbox world, e.g.',
      ),
    );
    say(
      style.dim(
        `   AWS_ACCESS_KEY_ID=<key> AWS_SECRET_ACCESS_KEY=<secret> eks-provisioner setup --api ${stack.apiUrl} --sign --api-region us-east-1`,
      ),
    );
    say(style.dim('   (the demo, which uses X-Tenant-Id, does not run in this mode; see docs/api-access.md)'));
  }
  if (o.demo && !o.iamAuth && stack.mode === 'sandbox' && !restored) {
    say('');
    try {
      const result = await runDemo({ apiUrl: stack.apiUrl!, sandboxUrl: stack.awsEndpoint!, root: REPO_ROOT });
      nextFile = relative(process.cwd(), result.nextClusterFile);
      say(
        style.dim(
          `   demo wall time ${(result.wallMs / 1000).toFixed(1)} s (stack start to finish: ${((Date.now() - t0) / 1000).toFixed(1)} s)`,
        ),
      );
    } catch (e) {
      if (e instanceof ApiError) for (const line of describeApiError(e)) warn(line);
      else if (e instanceof ApiNotRunningError) warn(e.message);
      else warn(`The demo stopped: ${(e as Error).message}`);
      logLine(`demo: ${(e as Error).stack ?? String(e)}`);
      process.exitCode = 1;
    }
  } else if (o.aws && o.demo) {
    say(style.dim('(no demo with --aws: it would create real IAM roles and an EKS cluster in your account)'));
  }

  printServing(stack, nextFile, o.verbose ? undefined : relative(process.cwd(), logFile), o.iamAuth === true);
}

function printServing(
  stack: LocalStack,
  nextFile: string | undefined,
  logFile: string | undefined,
  iamAuth = false,
): void {
  const api = stack.apiUrl ?? '';
  say('');
  say(style.bold('The local stack keeps running (Ctrl-C stops it):'));
  say(`  Console      ${api}/   (open it in a browser: the seed's wizard; pick the tenant in the header)`);
  if (nextFile)
    say(
      `               role B for tenant "local" (made by the demo): arn:aws:iam::${DEFAULT_WORLD.customer.accountId}:role/${DEMO_ROLE_NAME}, region ${DEFAULT_WORLD.region}`,
    );
  say(
    iamAuth
      ? `  API          ${api}/v1   (IAM authorization: SigV4-signed requests only, the signing principal is the tenant; the console needs the default mode)`
      : `  API          ${api}/v1   (tenant header X-Tenant-Id, default "local"; try ${api}/v1/setup)`,
  );
  if (stack.awsEndpoint) {
    say(
      `  AWS sandbox  ${stack.awsEndpoint}   (AWS_ENDPOINT_URL for the AWS CLI / SDKs; ${stack.awsEndpoint}/_sandbox/events, /_sandbox/world, /_sandbox/calls)`,
    );
  }
  if (logFile) say(`  Log          ${logFile}   (handler logs; --verbose shows them here)`);
  say('');
  say(style.bold('Submit another cluster:'));
  const file = nextFile ?? 'my-cluster.json';
  if (!nextFile)
    say(`  (write the cluster settings to ${file}; see events/create-cluster.json and GET ${api}/v1/setup for role B)`);
  say(`  curl -sS -X POST ${api}/v1/clusters -H 'content-type: application/json' --data-binary @${file}`);
  say(`  npx eks-provisioner provision ${file}        # submits and follows it; exit code 0 = CREATED`);
  say(`  npx eks-provisioner status <id>`);
}
