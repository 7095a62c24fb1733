/**
 * The provisioning workflow from statemachine/provision-cluster.asl.json. The ASL names every
 * ARN and name through `${Substitution}`s; since CDK cannot see inside the file, every permission
 * its tasks need is granted here explicitly, each on its one resource.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { deployedDefinitionText } from '../asl.js';

export const ASL_FILE = 'statemachine/provision-cluster.asl.json';

/** Failed executions (diagnosed failures included) within 15 minutes that raise the alarm. */
export const FAILED_EXECUTIONS_THRESHOLD = 3;

/** Service integrations the ASL may use, and the IAM action each needs. */
const INTEGRATION_ACTIONS: Record<string, string> = {
  'dynamodb:putItem': 'dynamodb:PutItem',
  'dynamodb:updateItem': 'dynamodb:UpdateItem',
  'dynamodb:getItem': 'dynamodb:GetItem',
  'dynamodb:deleteItem': 'dynamodb:DeleteItem',
  'events:putEvents': 'events:PutEvents',
};

/** The part of an ASL state that taskResources walks. */
interface AslState {
  Type?: string;
  Resource?: unknown;
  Branches?: Array<{ States?: AslStates }>;
  ItemProcessor?: { States?: AslStates };
  Iterator?: { States?: AslStates };
}
type AslStates = Record<string, AslState | undefined>;

/** Every Task `Resource` in the ASL, nested Parallel branches and Map iterators included. */
export function taskResources(asl: unknown): string[] {
  const out: string[] = [];
  const walk = (states: AslStates | undefined) => {
    for (const state of Object.values(states ?? {})) {
      if (state?.Type === 'Task' && typeof state.Resource === 'string') out.push(state.Resource);
      for (const branch of state?.Branches ?? []) walk(branch.States);
      walk(state?.ItemProcessor?.States ?? state?.Iterator?.States);
    }
  };
  walk((asl as { States?: AslStates }).States);
  return out;
}

/**
 * The IAM actions the ASL's optimized integrations need (`arn:aws:states:::dynamodb:updateItem`
 * → `dynamodb:UpdateItem`). An integration not listed here fails synth, so a new kind of task
 * cannot ship without a reviewed grant.
 */
export function integrationActions(asl: unknown): { dynamodb: string[]; events: string[] } {
  const actions = new Set<string>();
  for (const resource of taskResources(asl)) {
    if (resource.startsWith('${')) continue; // a Lambda function ARN substitution
    const m = /^arn:aws:states:::([a-z]+:[A-Za-z]+)$/.exec(resource);
    const action = m ? INTEGRATION_ACTIONS[m[1]!] : undefined;
    if (!action) throw new Error(`${ASL_FILE}: task resource ${resource} has no grant; add it to INTEGRATION_ACTIONS in infra/constructs/provisioning-state-machine.ts.`);
    actions.add(action);
  }
  const sorted = [...actions].sort();
  return { dynamodb: sorted.filter((a) => a.startsWith('dynamodb:')), events: sorted.filter((a) => a.startsWith('events:')) };
}

export interface ProvisioningStateMachineProps {
  projectRoot: string;
  /** The ASL file (default the provisioning one); the delete machine passes statemachine/delete-cluster.asl.json. */
  aslFile?: string;
  /** Log group suffix and words for comments and alarms (default provision-cluster / provisioning). */
  logName?: string;
  what?: string;
  /** `ValidateRequest` → the function; becomes `${ValidateRequestFunctionArn}`. */
  taskFunctions: Record<string, lambda.IFunction>;
  table: dynamodb.ITable;
  tableKey?: kms.IKey;
  /** What the table's writers may do with its key. */
  tableKeyActions?: string[];
  eventBus: events.IEventBus;
  /**
   * Upper bound for a whole execution (the ASL stops polling earlier, at its own cap). Written into
   * the deployed definition as its top-level TimeoutSeconds.
   */
  timeout: Duration;
  logRetentionDays: number;
  removalPolicy: RemovalPolicy;
}

export class ProvisioningStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: logs.LogGroup;
  readonly substitutions: Record<string, string>;
  readonly alarms: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: ProvisioningStateMachineProps) {
    super(scope, id);
    const aslFile = props.aslFile ?? ASL_FILE;
    const what = props.what ?? 'provisioning';

    this.substitutions = {
      ...Object.fromEntries(Object.entries(props.taskFunctions).map(([stem, fn]) => [`${stem}FunctionArn`, fn.functionArn])),
      TableName: props.table.tableName,
      EventBusName: props.eventBus.eventBusName,
    };

    // /aws/vendedlogs/ keeps Step Functions' log delivery from growing the account's
    // CloudWatch Logs resource policy with one entry per group.
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/vendedlogs/states/${Stack.of(this).stackName}-${props.logName ?? 'provision-cluster'}`,
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: props.removalPolicy,
    });

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      comment: props.aslFile ? `eks-provisioner ${what} (${aslFile})` : 'Provisions one EKS cluster in a customer account',
      // Built from the file with its TimeoutSeconds set: `timeout` is ignored for a file definition.
      definitionBody: sfn.DefinitionBody.fromString(
        deployedDefinitionText(fs.readFileSync(path.join(props.projectRoot, aslFile), 'utf8'), props.timeout.toSeconds()),
      ),
      definitionSubstitutions: this.substitutions,
      tracingEnabled: true,
      // States, transitions and errors only: every input and output (cluster settings, outputs,
      // kubeconfig, CA data) is already in the execution history; a second copy in CloudWatch Logs
      // would have its own retention and its own readers. Errors keep their cause in the history.
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });

    // Lambda tasks: invoke exactly these functions (unqualified ARNs, as the ASL names them).
    this.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'InvokeTaskFunctions',
        actions: ['lambda:InvokeFunction'],
        resources: Object.values(props.taskFunctions).map((fn) => fn.functionArn),
      }),
    );
    // Record* tasks write the cluster record, Notify* tasks publish events: exactly the
    // integrations the ASL uses, on the one table and the one bus.
    const used = integrationActions(JSON.parse(fs.readFileSync(path.join(props.projectRoot, aslFile), 'utf8')));
    if (used.dynamodb.length) {
      this.stateMachine.addToRolePolicy(new iam.PolicyStatement({ sid: 'WriteClusterRecords', actions: used.dynamodb, resources: [props.table.tableArn] }));
      props.tableKey?.grant(this.stateMachine, ...(props.tableKeyActions ?? []));
    }
    if (used.events.length) {
      this.stateMachine.addToRolePolicy(new iam.PolicyStatement({ sid: 'PublishEvents', actions: used.events, resources: [props.eventBus.eventBusArn] }));
    }

    const alarm = (alarmId: string, metric: cloudwatch.Metric, threshold: number, description: string) =>
      new cloudwatch.Alarm(this, alarmId, {
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    const sum = (minutes: number) => ({ period: Duration.minutes(minutes), statistic: cloudwatch.Stats.SUM });
    this.alarms = [
      // A diagnosed provisioning failure also ends as a FAILED execution (Fail state with the
      // diagnosis code), and one customer's wrong subnet must not page anyone: alarm on a burst.
      alarm('ExecutionsFailedAlarm', this.stateMachine.metricFailed(sum(15)), FAILED_EXECUTIONS_THRESHOLD,
        `${FAILED_EXECUTIONS_THRESHOLD}+ ${what} executions failed within 15 minutes: check the diagnosis codes (execution Error) for a common, service-side cause.`),
      alarm('ExecutionsTimedOutAlarm', this.stateMachine.metricTimedOut(sum(5)), 1, `A ${what} execution hit the state machine timeout (the ASL should have stopped polling earlier).`),
      alarm('ExecutionsThrottledAlarm', this.stateMachine.metricThrottled(sum(5)), 1, `Step Functions throttled ${what} executions (StartExecution or state transitions).`),
    ];
  }
}
