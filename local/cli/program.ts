/**
 * The `eks-provisioner` command (commander). `npm start` runs `eks-provisioner start`.
 */
import { Command, InvalidArgumentError } from 'commander';
import { guarded, policy, provision, setup, status } from './commands.js';
import { start } from './start.js';

const int = (name: string, min: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be a whole number ≥ ${min}.`);
  return n;
};

const positive = (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a number > 0 (1 = real AWS durations).');
  return n;
};

export function program(): Command {
  const cli = new Command('eks-provisioner')
    .description('Create Amazon EKS clusters in other AWS accounts — local stack and command line')
    .showHelpAfterError();

  cli
    .command('start')
    .description('start the AWS sandbox, the Step Functions runner and the API, and run the demo')
    .option('--no-demo', 'start the stack without running the demo')
    .option('--port <port>', 'API port on 127.0.0.1', int('--port', 0), 3000)
    .option('--sandbox-port <port>', 'AWS sandbox port on 127.0.0.1', int('--sandbox-port', 0), 4566)
    .option('--time-scale <factor>', 'sandbox seconds per real second (default: the sandbox default, 100)', positive)
    .option('--world <file>', 'sandbox world JSON (default: the demo world)')
    .option('--data-dir <dir>', 'keep the sandbox world and the DynamoDB table on disk in <dir> and resume unfinished clusters on restart (default: in memory, lost on exit)')
    .option('--aws', 'run the state machine locally against real AWS (default credential chain) instead of the sandbox', false)
    .option('--verbose', 'show handler and library logs here instead of .local/eks-provisioner.log', false)
    .action(async (o: { demo: boolean; port: number; sandboxPort: number; timeScale?: number; world?: string; aws: boolean; verbose: boolean }) => {
      await start(o);
    });

  const apiOpts = (c: Command) =>
    c.option('--api <url>', 'API base URL (default $EKS_PROVISIONER_API or http://127.0.0.1:3000)').option('--tenant <id>', 'X-Tenant-Id (local API only)');

  apiOpts(
    cli
      .command('provision <file>')
      .description('submit cluster settings (a JSON file, or - for stdin) and follow the cluster to CREATED or FAILED')
      .option('--no-follow', 'submit and return the id without waiting')
      .option('--idempotency-key <key>', 'Idempotency-Key header: a retried submit returns the first answer'),
  ).action(async (file: string, o: { follow: boolean; idempotencyKey?: string; api?: string; tenant?: string }) => guarded(() => provision(file, o)));

  apiOpts(cli.command('status <id>').description("show a cluster's status, progress, outputs or diagnosis").option('--json', 'print the record as JSON', false)).action(
    async (id: string, o: { json: boolean; api?: string; tenant?: string }) => guarded(() => status(id, o)),
  );

  apiOpts(cli.command('setup').description('Account ID, External ID and the policies for role A and role B, ready to paste').option('--json', 'print as JSON', false)).action(
    async (o: { json: boolean; api?: string; tenant?: string }) => guarded(() => setup(o)),
  );

  apiOpts(cli.command('policy').description("print role B's permissions policy as JSON (for piping)").option('--trust', 'print the trust policy instead', false)).action(
    async (o: { trust: boolean; api?: string; tenant?: string }) => guarded(() => policy(o)),
  );

  return cli;
}
