/**
 * The daily support check (functions/support-check): an EventBridge schedule once a day, its target
 * with a dead-letter queue (events EventBridge could not deliver) and the function's failed async
 * invocations sent there too, an alarm on the first message. The function may publish to the
 * service bus only; its table and role B grants come from infra/functions.ts.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ServiceFunction } from './service-function.js';

export interface SupportScheduleProps {
  check: ServiceFunction;
  eventBus: events.IEventBus;
}

export class SupportSchedule extends Construct {
  readonly rule: events.Rule;
  readonly deadLetterQueue: sqs.Queue;
  readonly deadLetterAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: SupportScheduleProps) {
    super(scope, id);
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is the dead-letter queue of the support check's schedule and async invocations; a DLQ of a DLQ would only move the problem.",
    });

    // Once a day; a missed day only delays a reminder (the check settles every crossed threshold at once).
    this.rule = new events.Rule(this, 'Schedule', {
      description:
        'Runs support-check daily: support dates of every CREATED cluster, EKS Cluster Support Ending at 90/30/7 days',
      schedule: events.Schedule.rate(Duration.days(1)),
      targets: [
        new eventTargets.LambdaFunction(props.check.fn, {
          retryAttempts: 2,
          maxEventAge: Duration.hours(6),
          deadLetterQueue: this.deadLetterQueue,
        }),
      ],
    });
    // Lambda retries a failed run twice (nothing is sent twice: reminders are claimed on the record first).
    props.check.fn.configureAsyncInvoke({
      onFailure: new destinations.SqsDestination(this.deadLetterQueue),
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
    });
    props.check.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'PublishSupportEnding',
        actions: ['events:PutEvents'],
        resources: [props.eventBus.eventBusArn],
      }),
    );

    this.deadLetterAlarm = new cloudwatch.Alarm(this, 'DeadLetterAlarm', {
      alarmDescription:
        "A daily support check could not run: support dates may be stale and a Support Ending reminder late. Read the dead-letter queue; the next day's run catches up.",
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
