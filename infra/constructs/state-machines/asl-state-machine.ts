/**
 * What the three cluster workflows (provisioning.ts, deletion.ts, updating.ts) share: a Standard
 * state machine built from an ASL file with its execution timeout written in, its `${…}`
 * substitutions (task functions, table, bus), a log group, a role granted exactly what the ASL's
 * tasks use (integration-grants.ts), and alarms on failed, timed-out and throttled executions.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { deployedDefinitionText } from '../../asl.js';
import { integrationActions } from './integration-grants.js';

/** Failed executions (diagnosed failures included) within 15 minutes that raise the alarm. */
export const FAILED_EXECUTIONS_THRESHOLD = 3;

/** What the service stack hands each cluster workflow. */
export interface ClusterStateMachineProps {
  projectRoot: string;
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

/** What tells one workflow from another (each workflow's construct fixes these). */
export interface AslStateMachineProps extends ClusterStateMachineProps {
  /** The ASL file, relative to the project root. */
  aslFile: string;
  /** Log group suffix, e.g. provision-cluster. */
  logName: string;
  /** The word for its executions in alarm descriptions, e.g. provisioning. */
  what: string;
  /** The state machine's comment. */
  comment: string;
}

export class AslStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: logs.LogGroup;
  readonly substitutions: Record<string, string>;
  readonly alarms: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: AslStateMachineProps) {
    super(scope, id);
    const { aslFile, what } = props;

    this.substitutions = {
      ...Object.fromEntries(
        Object.entries(props.taskFunctions).map(([stem, fn]) => [`${stem}FunctionArn`, fn.functionArn]),
      ),
      TableName: props.table.tableName,
      EventBusName: props.eventBus.eventBusName,
    };

    // /aws/vendedlogs/ keeps Step Functions' log delivery from growing the account's
    // CloudWatch Logs resource policy with one entry per group.
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/vendedlogs/states/${Stack.of(this).stackName}-${props.logName}`,
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: props.removalPolicy,
    });

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      comment: props.comment,
      // Built from the file with its TimeoutSeconds set: `timeout` is ignored for a file definition.
      definitionBody: sfn.DefinitionBody.fromString(
        deployedDefinitionText(
          fs.readFileSync(path.join(props.projectRoot, aslFile), 'utf8'),
          props.timeout.toSeconds(),
        ),
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
    const used = integrationActions(
      JSON.parse(fs.readFileSync(path.join(props.projectRoot, aslFile), 'utf8')),
      aslFile,
    );
    if (used.dynamodb.length) {
      this.stateMachine.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'WriteClusterRecords',
          actions: used.dynamodb,
          resources: [props.table.tableArn],
        }),
      );
      props.tableKey?.grant(this.stateMachine, ...(props.tableKeyActions ?? []));
    }
    if (used.events.length) {
      this.stateMachine.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'PublishEvents',
          actions: used.events,
          resources: [props.eventBus.eventBusArn],
        }),
      );
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
      alarm(
        'ExecutionsFailedAlarm',
        this.stateMachine.metricFailed(sum(15)),
        FAILED_EXECUTIONS_THRESHOLD,
        `${FAILED_EXECUTIONS_THRESHOLD}+ ${what} executions failed within 15 minutes: check the diagnosis codes (execution Error) for a common, service-side cause.`,
      ),
      alarm(
        'ExecutionsTimedOutAlarm',
        this.stateMachine.metricTimedOut(sum(5)),
        1,
        `A ${what} execution hit the state machine timeout (the ASL should have stopped polling earlier).`,
      ),
      alarm(
        'ExecutionsThrottledAlarm',
        this.stateMachine.metricThrottled(sum(5)),
        1,
        `Step Functions throttled ${what} executions (StartExecution or state transitions).`,
      ),
    ];
  }
}
