/**
 * One service Lambda function (nodejs22.x, arm64, bundled locally by esbuild with the SDK inside),
 * its own execution role (no managed policies), its own log group with retention, X-Ray tracing
 * and an Errors alarm. Permissions beyond logging are granted by the stack from infra/functions.ts.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { AssetHashType, DockerImage, Duration, type ILocalBundling, type RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { type FunctionSpec, functionEntry } from '../functions.js';

export interface ServiceFunctionProps {
  spec: FunctionSpec;
  /** Repository root (holds package-lock.json and functions/). */
  projectRoot: string;
  environment: Record<string, string>;
  logRetentionDays: number;
  removalPolicy: RemovalPolicy;
  /** Powertools service name (shared by all functions, so logs and metrics group by service). */
  serviceName: string;
  logLevel: string;
}

export class ServiceFunction extends Construct {
  readonly fn: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly errorsAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);
    const { spec } = props;

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: props.removalPolicy,
    });

    // An own role instead of AWSLambdaBasicExecutionRole: that managed policy may create log
    // groups and write to any of them; this role writes to its own group only.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `eks-provisioner ${spec.name} function`,
    });
    this.logGroup.grantWrite(this.role);

    this.fn = new lambda.Function(this, 'Function', {
      code: functionCode(props.projectRoot, functionEntry(spec.name)),
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: spec.memoryMb,
      timeout: Duration.seconds(spec.timeoutSeconds),
      description: spec.description,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      tracing: lambda.Tracing.ACTIVE,
      environment: {
        ...props.environment,
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_LOG_LEVEL: props.logLevel,
        NODE_OPTIONS: '--enable-source-maps',
      },
    });

    this.errorsAlarm = new cloudwatch.Alarm(this, 'ErrorsAlarm', {
      alarmDescription: `${spec.name}: the function threw or timed out (see its log group).`,
      metric: this.fn.metricErrors({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}

/**
 * The function's code: esbuild (infra/bundling.ts, with its SDK schema plugin) run on this machine
 * by infra/bundle-function.ts. The asset hash is the bundle's, so an unchanged bundle is not
 * re-uploaded. Docker is never used: the image below is only a name CDK requires.
 */
function functionCode(projectRoot: string, entry: string): lambda.Code {
  const local: ILocalBundling = {
    tryBundle(outputDir: string): boolean {
      const r = spawnSync(
        process.execPath,
        ['--import', 'tsx', path.join(projectRoot, 'infra', 'bundle-function.ts'), entry, outputDir],
        {
          cwd: projectRoot,
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      if (r.status !== 0)
        throw new Error(`Bundling ${entry} failed: ${(r.stderr || r.error?.message || `exit ${r.status}`).trim()}`);
      return true;
    },
  };
  return lambda.Code.fromAsset(projectRoot, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: { image: DockerImage.fromRegistry('local-esbuild-only'), local },
  });
}
