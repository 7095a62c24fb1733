/**
 * The `eks-provisioner` command (commander). `npm start` runs `eks-provisioner start`.
 */
import { Command, InvalidArgumentError } from 'commander';
import { deleteCluster, guarded, policy, provision, setup, status } from './commands.js';
import { AWS_LISTS, type AwsList, awsList, list, rolesAdd } from './journey.js';
import { kubeconfig } from './kubeconfig/command.js';
import { type UpdateOptions, updateCluster } from './update.js';

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
    .option(
      '--data-dir <dir>',
      'keep the sandbox world and the DynamoDB table on disk in <dir> and resume unfinished clusters on restart (default: in memory, lost on exit)',
    )
    .option(
      '--aws',
      'run the state machine locally against real AWS (default credential chain) instead of the sandbox',
      false,
    )
    .option('--verbose', 'show handler and library logs here instead of .local/eks-provisioner.log', false)
    .option(
      '--iam-auth',
      "the API authorizes as the deployed one: SigV4 checked against the sandbox's keys, the caller's IAM policy and the API's resource policy evaluated, the tenant is the signing principal (no X-Tenant-Id; no demo)",
      false,
    )
    .action(
      async (o: {
        demo: boolean;
        port: number;
        sandboxPort: number;
        timeScale?: number;
        world?: string;
        aws: boolean;
        verbose: boolean;
        iamAuth: boolean;
      }) => {
        // The local stack is loaded only for this command: the other commands talk to an API.
        const { start } = await import('../local/start.js');
        await start(o);
      },
    );

  // Loopback → the local stack (unsigned, X-Tenant-Id); anything else → SigV4 with the default credential chain.
  const apiOpts = (c: Command) =>
    c
      .option(
        '--api <url>',
        'API base URL (default $EKS_PROVISIONER_API or http://127.0.0.1:3000); the deployed one is the stack output ApiUrl',
      )
      .option('--tenant <id>', 'X-Tenant-Id (local API only)')
      .option(
        '--profile <name>',
        'AWS profile to sign requests to the deployed API with (default: the default credential chain)',
      )
      .option('--api-region <region>', 'region to sign for (default: from the API URL, else $AWS_REGION)')
      .option('--sign', 'sign requests even when the API is on loopback (a tunnel to the deployed API)', false);

  apiOpts(
    cli
      .command('provision <file>')
      .description('submit cluster settings (a JSON file, or - for stdin) and follow the cluster to CREATED or FAILED')
      .addHelpText(
        'after',
        [
          '',
          'Access and namespaces (optional settings):',
          '  adminPrincipalArns   IAM roles/users given cluster-admin through EKS access entries (at most 5; not role B, which has it already)',
          '  namespaces           managed clusters: one namespace per environment, each with a `deployer` service account bound to `edit`',
          '                       (default: derived from environmentScope — "*" → apps, "production" → production, "review/*" → review)',
          '  deployPrincipalArns  managed clusters: IAM roles (e.g. CI) given edit in those namespaces through access entries (at most 5)',
          '`eks-provisioner status <id>` shows who has access and what was configured.',
          '',
          'Support policy (optional):',
          '  upgradePolicy        STANDARD (default): at the end of standard support EKS upgrades the control plane, no extra charge;',
          "                       EXTENDED: 12 more months on the version, at six times the control-plane price (AWS's own default)",
          'Change a cluster later with `eks-provisioner update <id>` (plan first; --approve applies it).',
        ].join('\n'),
      )
      .option('--no-follow', 'submit and return the id without waiting')
      .option('--idempotency-key <key>', 'Idempotency-Key header: a retried submit returns the first answer'),
  ).action(async (file: string, o: { follow: boolean; idempotencyKey?: string; api?: string; tenant?: string }) =>
    guarded(() => provision(file, o)),
  );

  apiOpts(
    cli
      .command('status <id>')
      .description(
        "show a cluster's status, progress, outputs or diagnosis; for a CREATED cluster also who has cluster access and what was configured (nodes ready, default StorageClass, namespaces)",
      )
      .option('--json', 'print the record as JSON', false),
  ).action(async (id: string, o: { json: boolean; api?: string; tenant?: string }) => guarded(() => status(id, o)));

  apiOpts(
    cli
      .command('delete <id>')
      .description(
        "delete a cluster's stack through role B and follow it to DELETED (exit 0), FAILED (1, with the diagnosis), or 3 when role B may not delete (the manual commands are printed)",
      )
      .option('--no-follow', 'start the deletion and return without waiting'),
  ).action(async (id: string, o: { follow: boolean; api?: string; tenant?: string }) =>
    guarded(() => deleteCluster(id, o)),
  );

  const collect = (v: string, prev: string[] | undefined) => [...(prev ?? []), v];
  apiOpts(
    cli
      .command('update <id>')
      .description(
        'change a CREATED cluster: prints the plan (nothing changes), applies it with --approve and follows it to the end (exit 0 on success, 1 with the diagnosis when it failed)',
      )
      .option(
        '--version <minor>',
        'Kubernetes version, one minor up (e.g. 1.33): control plane, then nodes, then add-ons',
      )
      .option('--nodes <n>', 'number of nodes', int('--nodes', 1))
      .option(
        '--instance-type <type>',
        'node instance type (the node group is replaced: new nodes first, capacity never drops to zero)',
      )
      .option(
        '--support-type <policy>',
        'STANDARD (at the end of standard support EKS upgrades the control plane; no extra charge) or EXTENDED (12 more months on the version, six times the control-plane price)',
      )
      .option(
        '--admin <arn>',
        'cluster-admin principal (repeat for several; the list replaces the current one)',
        collect,
      )
      .option(
        '--deploy <arn>',
        'deploy role with edit in the managed namespaces (repeat; replaces the current list)',
        collect,
      )
      .option('--approve', 'apply the plan (without it only the plan is printed)', false)
      .option('--force', 'upgrade despite ERROR upgrade insights', false)
      .option('--no-follow', 'start the update and return without waiting')
      .option('--idempotency-key <key>', 'Idempotency-Key header: a retried update returns the first answer'),
  ).action(async (id: string, o: UpdateOptions) => guarded(() => updateCluster(id, o)));

  apiOpts(
    cli
      .command('setup')
      .description('Account ID, External ID and the policies for role A and role B, ready to paste')
      .option('--json', 'print as JSON', false),
  ).action(async (o: { json: boolean; api?: string; tenant?: string }) => guarded(() => setup(o)));

  apiOpts(
    cli
      .command('policy')
      .description("print role B's permissions policy as JSON (for piping)")
      .option('--trust', 'print the trust policy instead', false),
  ).action(async (o: { trust: boolean; api?: string; tenant?: string }) => guarded(() => policy(o)));

  const roles = cli.command('roles').description('provision roles (role B)');
  apiOpts(
    roles
      .command('add <roleArn>')
      .description('"Authenticate with AWS": register role B (assumed now with your External ID) for a cluster region')
      .requiredOption('--region <region>', 'Cluster Region, e.g. eu-west-1')
      .option('--json', 'print the answer as JSON', false),
  ).action(async (roleArn: string, o: { region: string; json: boolean } & Record<string, unknown>) =>
    guarded(() => rolesAdd(roleArn, o)),
  );

  apiOpts(
    cli
      .command('aws <list>')
      .description(`the cluster form's lists through role B, every page: ${AWS_LISTS.join(', ')}`)
      .requiredOption('--role-arn <arn>', 'role B, registered with `roles add`')
      .option('--region <region>', 'region to list (default: the region the role was registered with)')
      .option('--vpc-id <id>', 'VPC (subnets, security-groups)')
      .option('--json', 'print { items } as JSON', false),
  ).action(
    async (
      which: string,
      o: { roleArn: string; region?: string; vpcId?: string; json: boolean } & Record<string, unknown>,
    ) => {
      if (!(AWS_LISTS as readonly string[]).includes(which)) {
        cli.error(`error: unknown list "${which}": use one of ${AWS_LISTS.join(', ')}.`, { exitCode: 2 });
      }
      await guarded(() => awsList(which as AwsList, o));
    },
  );

  apiOpts(
    cli
      .command('list')
      .description('your clusters, newest first: id, name, status, phase, progress')
      .option('--json', 'print the records as JSON', false),
  ).action(async (o: { json: boolean } & Record<string, unknown>) => guarded(() => list(o)));

  apiOpts(
    cli
      .command('kubeconfig <id>')
      .description(
        "merge a CREATED cluster's kubeconfig into your kubeconfig file as `aws eks update-kubeconfig` does (same-name entries replaced, others kept, current-context set); --profile also becomes AWS_PROFILE for `aws eks get-token`",
      )
      .option(
        '--file <path>',
        'kubeconfig file to update (default: the first path of $KUBECONFIG, else ~/.kube/config)',
      )
      .option(
        '--assume-provision-role',
        'self-managed installs, where you may assume role B: print an AWS CLI profile (role_arn = role B, external_id = your External ID) for ~/.aws/config and make kubectl use it',
        false,
      )
      .option(
        '--source-profile <name>',
        'with --assume-provision-role: the profile whose credentials assume role B (default: default)',
      ),
  ).action(
    async (
      id: string,
      o: { file?: string; assumeProvisionRole: boolean; sourceProfile?: string } & Record<string, unknown>,
    ) => guarded(() => kubeconfig(id, o)),
  );

  return cli;
}
