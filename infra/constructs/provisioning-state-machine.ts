/**
 * The provisioning workflow from statemachine/provision-cluster.asl.json. The ASL names every
 * ARN and name through `${Substitution}`s; since CDK cannot see inside the file, every permission
 * its tasks need is granted here explicitly, each on its one resource.
 */
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

export const ASL_FILE = 'statemachine/provision-cluster.asl.json';

export interface ProvisioningStateMachineProps {
  projectRoot: string;
  /** `ValidateRequest` → the function; becomes `${ValidateRequestFunctionArn}`. */
  taskFunctions: Record<string, lambda.IFunction>;
  table: dynamodb.ITable;
  tableKey?: kms.IKey;
  eventBus: events.IEventBus;
  /** Upper bound for a whole execution (the ASL stops polling earlier, at its own cap). */
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

    this.substitutions = {
      ...Object.fromEntries(Object.entries(props.taskFunctions).map(([stem, fn]) => [`${stem}FunctionArn`, fn.functionArn])),
      TableName: props.table.tableName,
      EventBusName: props.eventBus.eventBusName,
    };

    // /aws/vendedlogs/ keeps Step Functions' log delivery from growing the account's
    // CloudWatch Logs resource policy with one entry per group.
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/vendedlogs/states/${Stack.of(this).stackName}-provision-cluster`,
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: props.removalPolicy,
    });

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      comment: 'Provisions one EKS cluster in a customer account (see DESIGN §3)',
      definitionBody: sfn.DefinitionBody.fromFile(path.join(props.projectRoot, ASL_FILE)),
      definitionSubstitutions: this.substitutions,
      timeout: props.timeout,
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });

    // Lambda tasks: invoke exactly these functions (unqualified ARNs, as the ASL names them).
    this.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'InvokeTaskFunctions',
        actions: ['lambda:InvokeFunction'],
        resources: Object.values(props.taskFunctions).map((fn) => fn.functionArn),
      }),
    );
    // RecordRequest / RecordSucceeded / RecordFailed write the cluster record and nothing else.
    this.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'WriteClusterRecords',
        actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
        resources: [props.table.tableArn],
      }),
    );
    props.tableKey?.grantEncryptDecrypt(this.stateMachine);
    // NotifySucceeded / NotifyFailed.
    this.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'PublishCompletionEvents',
        actions: ['events:PutEvents'],
        resources: [props.eventBus.eventBusArn],
      }),
    );

    const alarm = (alarmId: string, metric: cloudwatch.Metric, description: string) =>
      new cloudwatch.Alarm(this, alarmId, {
        alarmDescription: description,
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    const every5min = { period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM };
    this.alarms = [
      // A diagnosed provisioning failure ends the execution successfully (RecordFailed/NotifyFailed):
      // ExecutionsFailed means the workflow itself broke.
      alarm('ExecutionsFailedAlarm', this.stateMachine.metricFailed(every5min), 'Provisioning executions failed outside the diagnosis path (a workflow bug): see the state machine log group.'),
      alarm('ExecutionsTimedOutAlarm', this.stateMachine.metricTimedOut(every5min), 'A provisioning execution hit the state machine timeout.'),
      alarm('ExecutionsThrottledAlarm', this.stateMachine.metricThrottled(every5min), 'Step Functions throttled provisioning executions.'),
    ];
  }
}
