/**
 * The eks-provisioner service stack: table, event bus, functions, the provisioning state machine,
 * the IAM-authorized API, alarms and outputs. Environment-agnostic (no lookups): it synthesizes
 * offline and deploys to whichever account/region the CLI credentials point at.
 */

import * as path from 'node:path';
import {
  ArnFormat,
  Aws,
  CfnOutput,
  type CfnResource,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct, IConstruct } from 'constructs';
import { ENV } from '../functions/lib/config.js';
import { executionTimeoutSeconds } from '../functions/lib/polling/budget.js';
import { TTL_ATTRIBUTE } from '../functions/lib/store/dynamo-store.js';
import { RUN_ATTRIBUTES, TABLE_KEYS } from '../functions/lib/store/keys.js';
import { apiResourcePolicy } from './api-resource-policy.js';
import { readApiRoutes } from './api-routes.js';
import { ExecutionBackstop } from './constructs/execution-backstop.js';
import { ServiceApi, STAGE_NAME } from './constructs/service-api.js';
import { ServiceConsole } from './constructs/service-console.js';
import { ServiceFunction } from './constructs/service-function.js';
import { DeletionStateMachine } from './constructs/state-machines/deletion.js';
import { ProvisioningStateMachine } from './constructs/state-machines/provisioning.js';
import { UpdatingStateMachine } from './constructs/state-machines/updating.js';
import { SupportSchedule } from './constructs/support-schedule.js';
import { FUNCTIONS, type FunctionName, type TableAccess } from './functions.js';
import type { ServiceSettings } from './settings.js';

export interface ServiceStackProps extends StackProps {
  settings: ServiceSettings;
  /** Repository root: functions/, statemachine/ and package-lock.json live there. */
  projectRoot: string;
}

/** Powertools service name: logs of all functions group under it. */
export const SERVICE_NAME = 'eks-provisioner';

/** DynamoDB actions per access level; the store uses exactly these (TransactWriteItems is authorized per Put). */
const TABLE_ACTIONS: Record<TableAccess, string[]> = {
  read: ['dynamodb:GetItem', 'dynamodb:Query'],
  'read-update': ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
  'read-write': ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
};

/**
 * The table key's actions, named one by one (grantEncryptDecrypt would add ReEncrypt* and
 * GenerateDataKey*, wildcards DynamoDB's data plane does not use).
 */
export function tableKeyActions(access: 'read' | 'write'): string[] {
  return access === 'read'
    ? ['kms:Decrypt', 'kms:DescribeKey']
    : ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'];
}

export class ServiceStack extends Stack {
  readonly table: dynamodb.Table;
  readonly tableKey?: kms.Key;
  readonly eventBus: events.IEventBus;
  readonly functions: Record<FunctionName, ServiceFunction>;
  readonly provisioning: ProvisioningStateMachine;
  /** statemachine/delete-cluster.asl.json (DELETE /v1/clusters/{id}). */
  readonly deletion: DeletionStateMachine;
  /** statemachine/update-cluster.asl.json (PATCH /v1/clusters/{id}). */
  readonly updating: UpdatingStateMachine;
  /** Status-change DLQ, on-failure destination, the reconciler schedule and the DLQ alarm. */
  readonly backstop: ExecutionBackstop;
  /** The daily support check's schedule, its DLQ and alarm. */
  readonly supportSchedule: SupportSchedule;
  readonly api: ServiceApi;
  /** The web console and its sign-in (absent with `-c console=false`). */
  readonly console?: ServiceConsole;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, {
      description: 'eks-provisioner: creates Amazon EKS clusters in customer accounts through a provision role',
      ...props,
    });
    const { settings, projectRoot } = props;
    const logOptions = { logRetentionDays: settings.logRetentionDays, removalPolicy: settings.removalPolicy };

    // ---- store -------------------------------------------------------------------------------
    if (settings.tableEncryption === 'customer-managed') {
      this.tableKey = new kms.Key(this, 'TableKey', {
        description: 'eks-provisioner table encryption',
        enableKeyRotation: true,
        removalPolicy: settings.removalPolicy,
      });
    }
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: TABLE_KEYS.pk, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sk, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      ...(this.tableKey
        ? { encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, encryptionKey: this.tableKey }
        : { encryption: dynamodb.TableEncryption.AWS_MANAGED }),
      timeToLiveAttribute: TTL_ATTRIBUTE,
      removalPolicy: settings.removalPolicy,
      deletionProtection: settings.removalPolicy === RemovalPolicy.RETAIN,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: TABLE_KEYS.gsi1,
      partitionKey: { name: TABLE_KEYS.gsi1pk, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.gsi1sk, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });
    // Sparse: only records a run is working on (keys.ts); the reconciler's one Query.
    this.table.addGlobalSecondaryIndex({
      indexName: TABLE_KEYS.running,
      partitionKey: { name: TABLE_KEYS.runpk, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.runsk, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.INCLUDE,
      nonKeyAttributes: [...RUN_ATTRIBUTES],
    });
    // Sparse: only CREATED records (keys.ts); the daily support check's one Query.
    this.table.addGlobalSecondaryIndex({
      indexName: TABLE_KEYS.created,
      partitionKey: { name: TABLE_KEYS.livepk, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.livesk, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });

    // ---- events --------------------------------------------------------------------------------
    this.eventBus = settings.eventBusName
      ? events.EventBus.fromEventBusName(this, 'EventBus', settings.eventBusName)
      : new events.EventBus(this, 'EventBus', {
          eventBusName: settings.stackName,
          description: 'eks-provisioner completion events (source eks-provisioner)',
        });

    if (settings.eventBusName) this.requireExistingBus(settings.eventBusName);

    // ---- functions -----------------------------------------------------------------------------
    const environment: Record<string, string> = {
      [ENV.tableName]: this.table.tableName,
      [ENV.eventBusName]: this.eventBus.eventBusName,
      [ENV.roleNamePrefix]: settings.rolePrefix,
      [ENV.maxProvisioningSeconds]: String(settings.maxProvisioningSeconds),
      [ENV.allowDelete]: String(settings.allowDelete),
    };
    const fns = {} as Record<FunctionName, ServiceFunction>;
    for (const spec of FUNCTIONS) {
      const f = new ServiceFunction(this, `${spec.id}Fn`, {
        spec,
        projectRoot,
        environment,
        serviceName: SERVICE_NAME,
        logLevel: settings.logLevel,
        ...logOptions,
      });
      this.grantTable(f, spec.table, spec.readsCreatedClusters === true);
      if (spec.assumesProvisionRole) this.grantAssumeProvisionRole(f, settings);
      fns[spec.name] = f;
    }
    this.functions = fns;

    // ---- state machine -------------------------------------------------------------------------
    // The three workflows share the table, the bus and the poll cap: maxProvisioningSeconds bounds
    // how long each ASL follows its stack, and the execution timeout is the backstop after it.
    const workflow = {
      projectRoot,
      table: this.table,
      ...(this.tableKey ? { tableKey: this.tableKey, tableKeyActions: tableKeyActions('write') } : {}),
      eventBus: this.eventBus,
      timeout: Duration.seconds(executionTimeoutSeconds(settings.maxProvisioningSeconds)),
      ...logOptions,
    };
    const tasksWhere = (is: (s: (typeof FUNCTIONS)[number]) => boolean | undefined) =>
      Object.fromEntries(FUNCTIONS.filter(is).map((s) => [s.id, fns[s.name].fn]));
    this.provisioning = new ProvisioningStateMachine(this, 'Provisioning', {
      ...workflow,
      taskFunctions: tasksWhere((s) => s.stateMachineTask),
    });
    const stateMachine = this.provisioning.stateMachine;
    this.deletion = new DeletionStateMachine(this, 'Deletion', {
      ...workflow,
      taskFunctions: tasksWhere((s) => s.deletionTask),
    });
    this.updating = new UpdatingStateMachine(this, 'Updating', {
      ...workflow,
      taskFunctions: tasksWhere((s) => s.updateTask),
    });

    // ---- runs that end without their Catch, and events that never arrive ------------------------
    this.backstop = new ExecutionBackstop(this, 'Backstop', {
      ended: fns['record-ended-execution'],
      reconcile: fns['reconcile-executions'],
      provisioning: stateMachine,
      deletion: this.deletion.stateMachine,
      updating: this.updating.stateMachine,
      eventBus: this.eventBus,
    });

    // ---- the daily support check ---------------------------------------------------------------
    this.supportSchedule = new SupportSchedule(this, 'SupportCheck', {
      check: fns['support-check'],
      eventBus: this.eventBus,
    });

    // ---- API -----------------------------------------------------------------------------------
    const apiFn = fns.api;
    apiFn.fn.addEnvironment(ENV.stateMachineArn, stateMachine.stateMachineArn);
    // Start executions of this state machine only (no stop: the record in the table is the status).
    apiFn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'StartProvisioning',
        actions: ['states:StartExecution'],
        resources: [stateMachine.stateMachineArn],
      }),
    );
    // After a failed StartExecution: did it start anyway? (Idempotency under faults.)
    apiFn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'CheckProvisioningStarted',
        actions: ['states:DescribeExecution'],
        resources: [
          Stack.of(this).formatArn({
            service: 'states',
            resource: 'execution',
            resourceName: `${stateMachine.stateMachineName}:*`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );
    apiFn.fn.addEnvironment(ENV.deleteStateMachineArn, this.deletion.stateMachine.stateMachineArn);
    apiFn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'StartDeletion',
        actions: ['states:StartExecution'],
        resources: [this.deletion.stateMachine.stateMachineArn],
      }),
    );
    apiFn.fn.addEnvironment(ENV.updateStateMachineArn, this.updating.stateMachine.stateMachineArn);
    apiFn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'StartUpdate',
        actions: ['states:StartExecution'],
        resources: [this.updating.stateMachine.stateMachineArn],
      }),
    );
    // A stack found gone (deleted by hand) frees the name at once: delete name-claim items only.
    apiFn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReleaseNameClaims',
        actions: ['dynamodb:DeleteItem'],
        resources: [this.table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['NAME#*'] } },
      }),
    );
    this.limitApiConcurrency(apiFn, settings.apiReservedConcurrency);
    this.api = new ServiceApi(this, 'Http', {
      handler: apiFn.fn,
      routes: readApiRoutes(projectRoot),
      rateLimit: settings.apiRateLimit,
      burstLimit: settings.apiBurstLimit,
      cloudWatchRole: settings.apiCloudWatchRole,
      resourcePolicy: apiResourcePolicy({
        serviceAccountId: Aws.ACCOUNT_ID,
        stageName: STAGE_NAME,
        allowedAccounts: settings.apiAllowedAccounts,
        ...(settings.apiAllowedOrgId ? { allowedOrgId: settings.apiAllowedOrgId } : {}),
      }),
      ...(settings.webAclArn ? { webAclArn: settings.webAclArn } : {}),
      ...logOptions,
    });

    // ---- console -------------------------------------------------------------------------------
    if (settings.console) {
      const c = new ServiceConsole(this, 'Console', {
        api: this.api.api,
        stageName: STAGE_NAME,
        distDir: path.join(projectRoot, 'console', 'dist'),
        removalPolicy: settings.removalPolicy,
        logRetentionDays: settings.logRetentionDays,
        mfa: settings.consoleMfa,
        selfSignUp: settings.consoleSelfSignUp,
      });
      this.console = c;
      this.api.allowOrigin(c.origin);
      apiFn.fn.addEnvironment(ENV.corsAllowOrigin, c.origin);
      apiFn.fn.addEnvironment(ENV.identityPoolId, c.identityPool.ref);
      apiFn.fn.addEnvironment(ENV.identityPoolRoleArn, c.signedInRole.roleArn);
    }

    // ---- alarms --------------------------------------------------------------------------------
    const alarms: cloudwatch.Alarm[] = [
      ...this.provisioning.alarms,
      ...this.deletion.alarms,
      ...this.updating.alarms,
      this.api.serverErrorsAlarm,
      this.backstop.deadLetterAlarm,
      this.supportSchedule.deadLetterAlarm,
      ...Object.values(fns).map((f) => f.errorsAlarm),
    ];
    if (settings.alarmTopicArn) {
      const topic = sns.Topic.fromTopicArn(this, 'AlarmTopic', settings.alarmTopicArn);
      for (const a of alarms) {
        a.addAlarmAction(new cwActions.SnsAction(topic));
        a.addOkAction(new cwActions.SnsAction(topic));
      }
    }

    // ---- outputs -------------------------------------------------------------------------------
    new CfnOutput(this, 'ApiUrl', {
      description: 'Base URL of the API; routes are under v1/ (sign requests with SigV4, service execute-api)',
      value: this.api.api.url,
    });
    new CfnOutput(this, 'StateMachineArn', {
      description: 'Provisioning state machine',
      value: stateMachine.stateMachineArn,
    });
    new CfnOutput(this, 'DeleteStateMachineArn', {
      description: 'Delete state machine',
      value: this.deletion.stateMachine.stateMachineArn,
    });
    new CfnOutput(this, 'EventBusName', {
      description: 'Bus with the EKS Cluster Provisioning Started/Succeeded/Failed events',
      value: this.eventBus.eventBusName,
    });
    new CfnOutput(this, 'ServiceAccountId', {
      description: 'Account that provision roles (role B) must trust',
      value: Aws.ACCOUNT_ID,
    });
    new CfnOutput(this, 'TableName', { description: 'Service table', value: this.table.tableName });
    if (this.console) {
      const c = this.console;
      new CfnOutput(this, 'ConsoleUrl', {
        description: 'The web console (sign in with a user of the user pool)',
        value: `${c.origin}/`,
      });
      new CfnOutput(this, 'UserPoolId', {
        description: 'Console users (create them with aws cognito-idp admin-create-user)',
        value: c.userPool.userPoolId,
      });
      new CfnOutput(this, 'UserPoolClientId', {
        description: 'Console app client (SRP sign-in, no secret)',
        value: c.userPoolClient.userPoolClientId,
      });
      new CfnOutput(this, 'IdentityPoolId', {
        description: 'Console identity pool; each identity is its own tenant',
        value: c.identityPool.ref,
      });
      new CfnOutput(this, 'ConsoleBucketName', {
        description: 'Bucket with the console files (private; served by CloudFront only)',
        value: c.bucket.bucketName,
      });
      new CfnOutput(this, 'ConsoleDistributionId', {
        description: 'CloudFront distribution of the console',
        value: c.distribution.distributionId,
      });
    }

    this.addNagSuppressions(settings);
  }

  /**
   * The api function gets reserved concurrency: that many executions are kept for it and it can use no
   * more, so a burst of API calls (or a caller looping) cannot starve the state machines' functions of
   * the account's concurrency while clusters are being built. Above the limit Lambda throttles the
   * API, which answers the API Gateway 5XX error; the stage throttling (apiRateLimit/apiBurstLimit)
   * normally refuses such bursts earlier with 429.
   */
  private limitApiConcurrency(apiFn: ServiceFunction, reserved: number): void {
    if (reserved > 0)
      (apiFn.fn.node.defaultChild as CfnResource).addPropertyOverride('ReservedConcurrentExecutions', reserved);
  }

  /**
   * PutEvents to a bus that does not exist succeeds (an EventId, FailedEntryCount 0) and the event is
   * dropped, so a typo in `eventBusName` would lose every completion event without an error anywhere.
   * A rule on that bus (no targets: it routes nothing and costs nothing) makes CloudFormation check
   * the bus at deploy time: PutRule on a missing bus fails the deployment with "Event bus … does not exist".
   */
  private requireExistingBus(name: string): void {
    new events.Rule(this, 'EventBusExists', {
      eventBus: this.eventBus,
      description: `Deploy-time check that the configured event bus ${name} exists (no targets; matches the service's own events)`,
      eventPattern: { source: ['eks-provisioner'] },
    });
  }

  /** The store's actions on the table and its indexes (GSI1, RunningRuns), nothing else (no Scan, no Delete). */
  private grantTable(f: ServiceFunction, access: TableAccess, createdIndex = false): void {
    const actions = TABLE_ACTIONS[access];
    f.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ServiceTable',
        actions,
        resources: [
          this.table.tableArn,
          `${this.table.tableArn}/index/${TABLE_KEYS.gsi1}`,
          `${this.table.tableArn}/index/${TABLE_KEYS.running}`,
          ...(createdIndex ? [`${this.table.tableArn}/index/${TABLE_KEYS.created}`] : []),
        ],
      }),
    );
    if (this.tableKey) this.tableKey.grant(f.role, ...tableKeyActions(access === 'read' ? 'read' : 'write'));
  }

  /**
   * Role B only: roles whose names start with the prefix, in other accounts, always with an
   * External ID. The customer's trust policy is the real gate; this keeps a bug or a malicious
   * input from turning the service's credentials onto any other role.
   */
  private grantAssumeProvisionRole(f: ServiceFunction, settings: ServiceSettings): void {
    f.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'AssumeProvisionRole',
        actions: ['sts:AssumeRole'],
        // Role B may sit under an IAM path (role/teams/eks-provisioner-x), as the settings schema allows.
        resources: [
          `arn:${Aws.PARTITION}:iam::*:role/${settings.rolePrefix}*`,
          `arn:${Aws.PARTITION}:iam::*:role/*/${settings.rolePrefix}*`,
        ],
        conditions: { Null: { 'sts:ExternalId': 'false' } },
      }),
    );
    if (!settings.allowServiceAccountRoles) {
      f.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'NoRolesInServiceAccount',
          effect: iam.Effect.DENY,
          actions: ['sts:AssumeRole'],
          resources: [`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/*`],
        }),
      );
    }
  }

  /**
   * cdk-nag acknowledgements, each for one finding on one construct (and its children), with the
   * reason a reviewer needs.
   */
  private addNagSuppressions(settings: ServiceSettings): void {
    const ack = (scope: IConstruct, id: string, reason: string) => Validations.of(scope).acknowledge({ id, reason });
    for (const f of Object.values(this.functions)) {
      ack(
        f.role,
        'AwsSolutions-IAM5[Resource::*]',
        'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions (Lambda active tracing); nothing else in this role uses *.',
      );
      ack(
        f.fn,
        'AwsSolutions-L1',
        'Pinned to nodejs22.x on purpose: the code is tested on Node 20/22 and the bundle targets node22.',
      );
    }
    for (const spec of FUNCTIONS.filter((s) => s.assumesProvisionRole)) {
      for (const pattern of [`role/${settings.rolePrefix}*`, `role/*/${settings.rolePrefix}*`]) {
        ack(
          this.functions[spec.name].role,
          `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:${pattern}]`,
          'Role B lives in customer accounts not known at deploy time: any account (any IAM path), but only roles named with the configured prefix, only with an External ID, and not in the service account.',
        );
      }
    }
    ack(
      this.functions.api.role,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<${Stack.of(this).getLogicalId(this.provisioning.stateMachine.node.defaultChild as CfnResource)}.Name>:*]`,
      'DescribeExecution on executions of the provisioning state machine only (execution names are cluster ids, known only at run time): after a failed StartExecution the API checks whether it started.',
    );
    for (const machine of [this.provisioning.stateMachine, this.deletion.stateMachine, this.updating.stateMachine]) {
      ack(
        machine,
        'AwsSolutions-IAM5[Resource::*]',
        'CloudWatch Logs vended log delivery (logs:CreateLogDelivery etc.) and X-Ray (xray:PutTraceSegments etc.) support no resource-level permissions.',
      );
    }
    if (settings.apiCloudWatchRole) {
      ack(
        this.api.api,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        "API Gateway's account-level CloudWatch Logs role uses the AWS managed policy made for it (execution logs).",
      );
    }
    ack(
      this.api.api,
      'AwsSolutions-COG4',
      'Callers are IAM principals of customer accounts: every method uses AWS_IAM (SigV4) and the principal is the tenant; Cognito does not apply.',
    );
    if (!settings.webAclArn) {
      ack(
        this.api.api,
        'AwsSolutions-APIG3',
        'Every method requires a SigV4 signature and the stage is throttled; a WAF web ACL is optional (context webAclArn) because unsigned requests are refused before any integration runs.',
      );
    }
  }
}
