/**
 * The public face: an API Gateway REST API in front of the api function. IAM (SigV4) on every
 * method — the calling principal is the tenant —, request validation, stage throttling, access
 * logs, execution logs for errors, X-Ray, and error responses in the API's own error shape.
 */
import { Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { API_STAGE_NAME, GATEWAY_ERRORS } from '../api-gateway-errors.js';
import type { PolicyJson } from '../api-resource-policy.js';
import type { ApiRoute, HttpMethod } from '../api-routes.js';

export interface ServiceApiProps {
  handler: lambda.IFunction;
  routes: ApiRoute[];
  rateLimit: number;
  burstLimit: number;
  cloudWatchRole: boolean;
  webAclArn?: string;
  logRetentionDays: number;
  removalPolicy: RemovalPolicy;
  /** The API's resource policy (infra/api-resource-policy.ts): lets other accounts' principals call. */
  resourcePolicy: PolicyJson;
}

export const STAGE_NAME = API_STAGE_NAME;

/** Request headers a browser signing with SigV4 sends; a CORS preflight must allow them. */
export const CORS_ALLOW_HEADERS = [
  'Content-Type',
  'Authorization',
  'X-Amz-Date',
  'X-Amz-Security-Token',
  'X-Amz-Content-Sha256',
  'X-Amz-User-Agent',
  'Idempotency-Key',
  'If-Match',
];

/**
 * API Gateway's own errors (unknown path, bad signature, throttled, invalid body) as
 * `{ error: { code, message, requestId } }`. `messageJson` is a JSON string literal, or
 * `$context.error.messageString` (API Gateway's own message, already quoted and escaped).
 */
const errorTemplate = (code: string, messageJson: string) =>
  `{"error":{"code":${JSON.stringify(code)},"message":${messageJson},"requestId":"$context.requestId"}}`;
const literal = (message: string) => JSON.stringify(message);

/**
 * One JSON line per request: API Gateway's standard fields plus who called. Under IAM authorization
 * `user`/`caller` are the principal; for the console's identity-pool sessions all users share one role,
 * so `cognitoIdentityId` (the tenant) is what tells them apart in the log.
 */
export function accessLogFormat(): apigw.AccessLogFormat {
  const F = apigw.AccessLogField;
  return apigw.AccessLogFormat.custom(
    JSON.stringify({
      requestId: F.contextRequestId(),
      ip: F.contextIdentitySourceIp(),
      caller: F.contextIdentityCaller(),
      user: F.contextIdentityUser(),
      userArn: F.contextIdentityUserArn(),
      cognitoIdentityId: F.contextIdentityCognitoIdentityId(),
      cognitoIdentityPoolId: F.contextIdentityCognitoIdentityPoolId(),
      requestTime: F.contextRequestTime(),
      httpMethod: F.contextHttpMethod(),
      resourcePath: F.contextResourcePath(),
      status: F.contextStatus(),
      protocol: F.contextProtocol(),
      responseLength: F.contextResponseLength(),
    }),
  );
}

export class ServiceApi extends Construct {
  readonly api: apigw.RestApi;
  readonly accessLogs: logs.LogGroup;
  readonly serverErrorsAlarm: cloudwatch.Alarm;
  /** Each route's resource and its methods (for CORS preflights). */
  private readonly routeResources = new Map<apigw.Resource, Set<HttpMethod>>();
  private readonly gatewayResponses: apigw.GatewayResponse[] = [];

  constructor(scope: Construct, id: string, props: ServiceApiProps) {
    super(scope, id);
    const stackName = Stack.of(this).stackName;

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: props.removalPolicy,
    });

    this.api = new apigw.RestApi(this, 'Api', {
      restApiName: `${stackName}-api`,
      description: 'eks-provisioner HTTP API (/v1); IAM (SigV4) authorization, the caller is the tenant',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      // The account-wide role API Gateway needs to write execution logs. Retained on delete:
      // other APIs in the account rely on the same account setting.
      cloudWatchRole: props.cloudWatchRole,
      ...(props.cloudWatchRole ? { cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN } : {}),
      defaultMethodOptions: { authorizationType: apigw.AuthorizationType.IAM },
      // Cross-account IAM callers need an Allow here as well as in their own identity policy.
      policy: iam.PolicyDocument.fromJson(props.resourcePolicy),
      deployOptions: {
        stageName: STAGE_NAME,
        throttlingRateLimit: props.rateLimit,
        throttlingBurstLimit: props.burstLimit,
        tracingEnabled: true,
        metricsEnabled: true,
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        // Request/response bodies stay out of the logs (cluster settings, kubeconfigs).
        dataTraceEnabled: false,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogs),
        accessLogFormat: accessLogFormat(),
      },
    });

    const validator = new apigw.RequestValidator(this, 'Validator', {
      restApi: this.api,
      requestValidatorName: 'body-and-parameters',
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    // Gateway-level check only: the body is a JSON object. Field-by-field validation (with a
    // message per field) is the handler's, from the same zod schema the state machine uses.
    const jsonObject = new apigw.Model(this, 'JsonObjectModel', {
      restApi: this.api,
      contentType: 'application/json',
      description: 'Any JSON object (fields are validated by the API function)',
      schema: { schema: apigw.JsonSchemaVersion.DRAFT4, title: 'JsonObject', type: apigw.JsonSchemaType.OBJECT },
    });

    // A plain AWS_PROXY integration plus one invoke permission scoped to this API's stage
    // (LambdaIntegration would add two permissions per method, or one for every stage).
    const integration = new apigw.Integration({
      type: apigw.IntegrationType.AWS_PROXY,
      integrationHttpMethod: 'POST',
      uri: `arn:${Aws.PARTITION}:apigateway:${Aws.REGION}:lambda:path/2015-03-31/functions/${props.handler.functionArn}/invocations`,
    });
    for (const route of props.routes) {
      const resource = this.api.root.resourceForPath(route.path);
      if (!this.routeResources.has(resource)) this.routeResources.set(resource, new Set());
      this.routeResources.get(resource)!.add(route.method);
      const requestParameters: Record<string, boolean> = {};
      for (const name of route.requiredQuery) requestParameters[`method.request.querystring.${name}`] = true;
      resource.addMethod(route.method, integration, {
        authorizationType: apigw.AuthorizationType.IAM,
        requestValidator: validator,
        ...(route.hasBody ? { requestModels: { 'application/json': jsonObject } } : {}),
        ...(Object.keys(requestParameters).length ? { requestParameters } : {}),
      });
    }

    for (const e of GATEWAY_ERRORS) {
      const type = apigw.ResponseType.of(e.type);
      this.gatewayResponses.push(
        this.api.addGatewayResponse(`${e.code}-${e.type}`.replace(/[^A-Za-z0-9]/g, ''), {
          type,
          templates: {
            'application/json': errorTemplate(
              e.code,
              e.message === undefined ? '$context.error.messageString' : literal(e.message),
            ),
          },
        }),
      );
    }

    props.handler.addPermission('InvokeFromApi', {
      principal: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      sourceArn: this.api.arnForExecuteApi('*', '/*', STAGE_NAME),
    });

    if (props.webAclArn) {
      new wafv2.CfnWebACLAssociation(this, 'WebAcl', {
        resourceArn: this.api.deploymentStage.stageArn,
        webAclArn: props.webAclArn,
      });
    }

    this.serverErrorsAlarm = new cloudwatch.Alarm(this, 'ServerErrorsAlarm', {
      alarmDescription: 'The API answered 5XX (a 5xx is a bug: see the api function log group and the access logs).',
      metric: this.api.metricServerError({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  /**
   * CORS for exactly one origin (the console): an unauthenticated OPTIONS preflight (mock
   * integration, nothing behind it) on each route, and the header on API Gateway's own errors
   * (bad signature, throttled…) so the browser lets the console read them. The function adds the
   * same header to its own answers (CORS_ALLOW_ORIGIN).
   */
  allowOrigin(origin: string): apigw.Method[] {
    const preflights: apigw.Method[] = [];
    for (const [resource, methods] of this.routeResources) {
      preflights.push(
        resource.addCorsPreflight({
          allowOrigins: [origin],
          allowMethods: [...[...methods].sort(), 'OPTIONS'],
          allowHeaders: CORS_ALLOW_HEADERS,
          maxAge: Duration.hours(1),
        }),
      );
    }
    for (const response of this.gatewayResponses) {
      (response.node.defaultChild as apigw.CfnGatewayResponse).addPropertyOverride('ResponseParameters', {
        'gatewayresponse.header.Access-Control-Allow-Origin': `'${origin}'`,
        'gatewayresponse.header.Vary': "'Origin'",
      });
    }
    return preflights;
  }
}
