/**
 * Nothing may stay CREATING / DELETING in AWS. Step Functions' "Execution Status Change" events
 * are delivered best-effort, and EventBridge invokes the target asynchronously; so:
 *  - the rule that routes ended executions to record-ended-execution has a dead-letter queue
 *    (events EventBridge could not deliver), and the function an on-failure destination (events
 *    it failed on after Lambda's own retries): nothing is dropped without a trace;
 *  - a schedule runs reconcile-executions every RECONCILE_PERIOD_SECONDS: it settles any run whose
 *    event was lost anyway (it reads the table's RunningRuns index and asks Step Functions);
 *  - an alarm fires on the first message in the dead-letter queue.
 */
import { ArnFormat, type CfnResource, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ENV } from '../../functions/lib/config.js';
import { endedExecutionPattern } from '../../functions/lib/execution-status/event.js';
import { RECONCILE_PERIOD_SECONDS } from '../../functions/reconcile-executions/reconcile-executions.js';
import type { ServiceFunction } from './service-function.js';

export interface ExecutionBackstopProps {
  /** record-ended-execution: target of the status-change rule. */
  ended: ServiceFunction;
  /** reconcile-executions: run on the schedule. */
  reconcile: ServiceFunction;
  provisioning: sfn.StateMachine;
  deletion: sfn.StateMachine;
  /** statemachine/update-cluster.asl.json: its runs end unrecorded the same ways. */
  updating: sfn.StateMachine;
  eventBus: events.IEventBus;
}

export class ExecutionBackstop extends Construct {
  readonly deadLetterQueue: sqs.Queue;
  readonly deadLetterAlarm: cloudwatch.Alarm;
  readonly endedRule: events.Rule;
  readonly schedule: events.Rule;

  constructor(scope: Construct, id: string, props: ExecutionBackstopProps) {
    super(scope, id);
    // 14 days (SQS's maximum): time to read each lost event and settle or replay it by hand.
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is the dead-letter queue (of the status-change rule, the schedule and both functions' async invocations); a DLQ of a DLQ would only move the problem.",
    });

    // Timeouts, StopExecution, the history quota and States.Runtime end an execution without its
    // Catch; this rule sends those of the service's state machines to the function that records them.
    this.endedRule = new events.Rule(this, 'EndedExecutionsRule', {
      description:
        'Provisioning, deletion and update executions that FAILED, TIMED_OUT or were ABORTED → record-ended-execution',
      eventPattern: endedExecutionPattern([
        props.provisioning.stateMachineArn,
        props.deletion.stateMachineArn,
        props.updating.stateMachineArn,
      ]),
      targets: [
        new eventTargets.LambdaFunction(props.ended.fn, {
          retryAttempts: 8,
          maxEventAge: Duration.hours(6),
          deadLetterQueue: this.deadLetterQueue,
        }),
      ],
    });
    // Lambda retries a failed async invocation twice; after that the event goes to the queue.
    props.ended.fn.configureAsyncInvoke({
      onFailure: new destinations.SqsDestination(this.deadLetterQueue),
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
    });
    props.ended.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'PublishFailedEvent',
        actions: ['events:PutEvents'],
        resources: [props.eventBus.eventBusArn],
      }),
    );

    // Every 5 minutes (RECONCILE_PERIOD_SECONDS: a lost end is settled within the grace + 5 min).
    this.schedule = new events.Rule(this, 'ReconcileSchedule', {
      description:
        'Runs reconcile-executions: settles CREATING/DELETING records and update runs whose execution ended unrecorded',
      schedule: events.Schedule.rate(Duration.seconds(RECONCILE_PERIOD_SECONDS)),
      targets: [
        new eventTargets.LambdaFunction(props.reconcile.fn, {
          retryAttempts: 2,
          maxEventAge: Duration.seconds(RECONCILE_PERIOD_SECONDS),
          deadLetterQueue: this.deadLetterQueue,
        }),
      ],
    });
    // The next sweep redoes a failed one: no retry piles up behind the schedule.
    props.reconcile.fn.configureAsyncInvoke({
      onFailure: new destinations.SqsDestination(this.deadLetterQueue),
      retryAttempts: 0,
    });
    props.reconcile.fn.addEnvironment(ENV.stateMachineArn, props.provisioning.stateMachineArn);
    props.reconcile.fn.addEnvironment(ENV.deleteStateMachineArn, props.deletion.stateMachineArn);
    props.reconcile.fn.addEnvironment(ENV.updateStateMachineArn, props.updating.stateMachineArn);
    const executionsOf = (m: sfn.StateMachine) =>
      Stack.of(this).formatArn({
        service: 'states',
        resource: 'execution',
        resourceName: `${m.stateMachineName}:*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    const logicalId = (m: sfn.StateMachine) => Stack.of(this).getLogicalId(m.node.defaultChild as CfnResource);
    for (const m of [props.provisioning, props.deletion, props.updating]) {
      Validations.of(props.reconcile.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<${logicalId(m)}.Name>:*]`,
        reason:
          "DescribeExecution on this state machine's executions only (execution names are cluster ids, known at run time): the reconciler asks how each running record's run ended.",
      });
    }
    props.reconcile.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadRunExecutions',
        actions: ['states:DescribeExecution'],
        resources: [executionsOf(props.provisioning), executionsOf(props.deletion), executionsOf(props.updating)],
      }),
    );
    props.reconcile.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'PublishFailedEvent',
        actions: ['events:PutEvents'],
        resources: [props.eventBus.eventBusArn],
      }),
    );

    this.deadLetterAlarm = new cloudwatch.Alarm(this, 'DeadLetterAlarm', {
      alarmDescription:
        'A status-change event or a reconcile sweep could not be handled: a record may be stuck CREATING/DELETING. Read the dead-letter queue; the reconciler settles what it can.',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}
