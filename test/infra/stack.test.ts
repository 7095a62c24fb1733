/**
 * The service stack, synthesized once: resources and the properties a security review looks at,
 * the ASL's substitutions both ways, AWS_IAM on every API method, least-privilege grants,
 * cdk-nag AwsSolutions clean (every acknowledgement used and reasoned) and cfn-lint clean.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../functions/lib/config.js';
import { executionTimeoutSeconds } from '../../functions/lib/polling/budget.js';
import { TABLE_KEYS } from '../../functions/lib/store/keys.js';
import { readApiRoutes } from '../../infra/api-routes.js';
import { integrationActions, taskResources } from '../../infra/constructs/state-machines/integration-grants.js';
import { PROVISIONING_ASL_FILE as ASL_FILE } from '../../infra/constructs/state-machines/provisioning.js';
import { FUNCTIONS } from '../../infra/functions.js';
import { PROJECT_ROOT } from '../../infra/service-app.js';
import { requireTool } from '../support/tools.js';
import { resourcesOf, type Synthesized, synthService } from './synth.js';

const cfnLintAvailable = !!requireTool(
  'cfn-lint',
  'the cfn-lint check of the synthesized service stack (test/infra/stack)',
);

let s: Synthesized;
let cfnLint: Promise<{ status: number | null; output: string }> | undefined;
beforeAll(() => {
  s = synthService();
  // cfn-lint takes seconds: start it now, the other checks run meanwhile.
  if (cfnLintAvailable) cfnLint = runCfnLint(s);
});

function runCfnLint(synth: Synthesized): Promise<{ status: number | null; output: string }> {
  const file = path.join(synth.outdir, 'template-for-cfn-lint.json');
  fs.writeFileSync(file, JSON.stringify(synth.json, null, 1));
  // W3005 ("dependency already enforced by GetAtt"): CDK makes each function and the state
  // machine DependsOn their role *and* its default policy, so they are created only once their
  // permissions exist; the role entry is redundant with the GetAtt but harmless.
  const child = spawn('cfn-lint', ['--ignore-checks', 'W3005', '--', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, output }));
  });
}

/** CDK's BucketDeployment handler and its role/policy (the console's deploy-time copier). */
const isCdkDeployHandler = (logicalId: string) => logicalId.startsWith('CustomCDKBucketDeployment');

/** A CORS preflight method: OPTIONS answered by a mock integration, nothing behind it. */
const isCorsPreflight = (m: any) => m.Properties.HttpMethod === 'OPTIONS' && m.Properties.Integration?.Type === 'MOCK';

/** Logical id of the Lambda function built for `name`. */
function functionId(name: string): string {
  const spec = FUNCTIONS.find((f) => f.name === name)!;
  const hits = resourcesOf(s.json, 'AWS::Lambda::Function').filter(([id]) => id.startsWith(`${spec.id}Fn`));
  expect(hits, `one function for ${name}`).toHaveLength(1);
  return hits[0]![0];
}

/** Every statement of every inline policy attached to the role of a resource (function or state machine). */
function statementsOfRole(roleId: string): any[] {
  return resourcesOf(s.json, 'AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties.Roles as any[]).some((r) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as any[]);
}
const roleOfFunction = (name: string): string => s.json.Resources[functionId(name)].Properties.Role['Fn::GetAtt'][0];
const asArray = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

describe('DynamoDB table', () => {
  it('has the store layout (PK/SK, GSI1), on demand, PITR, encryption, TTL, retained by default', () => {
    s.template.resourceCountIs('AWS::DynamoDB::Table', 1);
    s.template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        KeySchema: [
          { AttributeName: TABLE_KEYS.pk, KeyType: 'HASH' },
          { AttributeName: TABLE_KEYS.sk, KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        DeletionProtectionEnabled: true,
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        GlobalSecondaryIndexes: [
          {
            IndexName: TABLE_KEYS.gsi1,
            KeySchema: [
              { AttributeName: TABLE_KEYS.gsi1pk, KeyType: 'HASH' },
              { AttributeName: TABLE_KEYS.gsi1sk, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
          {
            IndexName: TABLE_KEYS.running,
            KeySchema: [
              { AttributeName: TABLE_KEYS.runpk, KeyType: 'HASH' },
              { AttributeName: TABLE_KEYS.runsk, KeyType: 'RANGE' },
            ],
            Projection: {
              ProjectionType: 'INCLUDE',
              NonKeyAttributes: ['runKind', 'runExecutionArn', 'tenantId', 'id'],
            },
          },
          {
            IndexName: TABLE_KEYS.created,
            KeySchema: [
              { AttributeName: TABLE_KEYS.livepk, KeyType: 'HASH' },
              { AttributeName: TABLE_KEYS.livesk, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      },
    });
  });
});

describe('EventBridge', () => {
  it('has its own bus named after the stack by default', () => {
    s.template.hasResourceProperties('AWS::Events::EventBus', { Name: 'eks-provisioner' });
  });
});

describe('Lambda functions', () => {
  it('are the handlers of infra/functions.ts: nodejs22.x, arm64, traced, JSON logs into their own log group', () => {
    // Besides ours, only CDK's BucketDeployment handler (it copies the console build at deploy time).
    const fns = resourcesOf(s.json, 'AWS::Lambda::Function').filter(([id]) => !isCdkDeployHandler(id));
    expect(fns).toHaveLength(FUNCTIONS.length);
    for (const spec of FUNCTIONS) {
      const props = s.json.Resources[functionId(spec.name)].Properties;
      expect(props.Runtime).toBe('nodejs22.x');
      expect(props.Architectures).toEqual(['arm64']);
      expect(props.Handler).toBe('index.handler');
      expect(props.TracingConfig).toEqual({ Mode: 'Active' });
      expect(props.Timeout).toBe(spec.timeoutSeconds);
      expect(props.LoggingConfig.LogFormat).toBe('JSON');
      const logGroupId = props.LoggingConfig.LogGroup.Ref;
      expect(s.json.Resources[logGroupId].Type).toBe('AWS::Logs::LogGroup');
      expect(s.json.Resources[logGroupId].Properties.RetentionInDays).toBe(90);
    }
  });

  it('get the service configuration through the env vars of functions/lib/config.ts', () => {
    for (const spec of FUNCTIONS) {
      const env = s.json.Resources[functionId(spec.name)].Properties.Environment.Variables;
      expect(env.NODE_OPTIONS).toBe('--enable-source-maps');
      expect(env.POWERTOOLS_SERVICE_NAME).toBe('eks-provisioner');
      expect(env.POWERTOOLS_LOG_LEVEL).toBe('INFO');
      expect(env[ENV.tableName]).toEqual({ Ref: expect.stringMatching(/^Table/) });
      expect(env[ENV.eventBusName]).toEqual({ Ref: expect.stringMatching(/^EventBus/) });
      expect(env[ENV.roleNamePrefix]).toBe('eks-provisioner-');
      expect(env[ENV.maxProvisioningSeconds]).toBe('3600');
      expect(env[ENV.allowDelete]).toBe('false');
      // Local mode trusts a tenant header: it must never be switched on in AWS.
      expect(env).not.toHaveProperty(ENV.local);
      if (spec.name === 'api' || spec.name === 'reconcile-executions')
        expect(env[ENV.stateMachineArn]).toEqual({ Ref: expect.stringMatching(/^ProvisioningStateMachine/) });
      else expect(env).not.toHaveProperty(ENV.stateMachineArn);
      // The reconciler settles update runs too: it must know the update machine.
      if (spec.name === 'reconcile-executions')
        expect(env[ENV.updateStateMachineArn]).toEqual({ Ref: expect.stringMatching(/^UpdatingStateMachine/) });
    }
  });

  it('run under their own roles without managed policies, writing only to their own log group', () => {
    for (const spec of FUNCTIONS) {
      const roleId = roleOfFunction(spec.name);
      const role = s.json.Resources[roleId];
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
      ]);
      const logs = statementsOfRole(roleId).filter((st) =>
        asArray(st.Action).some((a: string) => a.startsWith('logs:')),
      );
      const logGroupId = s.json.Resources[functionId(spec.name)].Properties.LoggingConfig.LogGroup.Ref;
      expect(logs).toEqual([
        {
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Effect: 'Allow',
          Resource: { 'Fn::GetAtt': [logGroupId, 'Arn'] },
        },
      ]);
    }
  });

  it('may assume only prefixed roles in other accounts, with an External ID, and only where the function needs it', () => {
    for (const spec of FUNCTIONS) {
      const statements = statementsOfRole(roleOfFunction(spec.name)).filter((st) =>
        asArray(st.Action).includes('sts:AssumeRole'),
      );
      if (!spec.assumesProvisionRole) {
        expect(statements, spec.name).toEqual([]);
        continue;
      }
      expect(statements[0].Resource, spec.name).toHaveLength(2);
      expect(statements, spec.name).toEqual([
        {
          Sid: 'AssumeProvisionRole',
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Resource: expect.arrayContaining([
            { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:role/eks-provisioner-*']] },
            { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:role/*/eks-provisioner-*']] },
          ]),
          Condition: { Null: { 'sts:ExternalId': 'false' } },
        },
        {
          Sid: 'NoRolesInServiceAccount',
          Action: 'sts:AssumeRole',
          Effect: 'Deny',
          Resource: {
            'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':role/*']],
          },
        },
      ]);
    }
  });

  it("reach the table with the store's actions only, on the table, GSI1 and RunningRuns (CreatedClusters: the support check only)", () => {
    const expected: Record<string, string[]> = {
      read: ['dynamodb:GetItem', 'dynamodb:Query'],
      'read-update': ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
      'read-write': ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    };
    for (const spec of FUNCTIONS) {
      // The api's name-claim release is checked on its own below.
      const ddb = statementsOfRole(roleOfFunction(spec.name)).filter(
        (st) => st.Sid !== 'ReleaseNameClaims' && asArray(st.Action).some((a: string) => a.startsWith('dynamodb:')),
      );
      expect(ddb, spec.name).toHaveLength(1);
      expect([...asArray(ddb[0].Action)].sort()).toEqual([...expected[spec.table]!].sort());
      // CDK orders a statement's resources by their rendering: compare as a set.
      expect(ddb[0].Resource).toHaveLength(spec.readsCreatedClusters ? 4 : 3);
      expect(ddb[0].Resource).toEqual(
        expect.arrayContaining([
          { 'Fn::GetAtt': [expect.stringMatching(/^Table/), 'Arn'] },
          {
            'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^Table/), 'Arn'] }, `/index/${TABLE_KEYS.gsi1}`]],
          },
          {
            'Fn::Join': [
              '',
              [{ 'Fn::GetAtt': [expect.stringMatching(/^Table/), 'Arn'] }, `/index/${TABLE_KEYS.running}`],
            ],
          },
          ...(spec.readsCreatedClusters
            ? [
                {
                  'Fn::Join': [
                    '',
                    [{ 'Fn::GetAtt': [expect.stringMatching(/^Table/), 'Arn'] }, `/index/${TABLE_KEYS.created}`],
                  ],
                },
              ]
            : []),
        ]),
      );
    }
  });

  it('only the api function may start executions, of this state machine only', () => {
    for (const spec of FUNCTIONS) {
      const sfn = statementsOfRole(roleOfFunction(spec.name)).filter((st) =>
        asArray(st.Action).some((a: string) => a.startsWith('states:')),
      );
      if (spec.name === 'reconcile-executions') {
        // The reconciler reads executions of the three machines, and nothing else.
        expect(sfn).toEqual([
          {
            Sid: 'ReadRunExecutions',
            Action: 'states:DescribeExecution',
            Effect: 'Allow',
            Resource: [expect.anything(), expect.anything(), expect.anything()],
          },
        ]);
        for (const m of ['ProvisioningStateMachine', 'DeletionStateMachine', 'UpdatingStateMachine'])
          expect(
            asArray(sfn[0].Resource).filter((r: unknown) => new RegExp(`:execution:.*${m}`).test(JSON.stringify(r))),
          ).toHaveLength(1);
      } else if (spec.name !== 'api') expect(sfn, spec.name).toEqual([]);
      else {
        expect(sfn).toEqual([
          {
            Sid: 'StartProvisioning',
            Action: 'states:StartExecution',
            Effect: 'Allow',
            Resource: { Ref: expect.stringMatching(/^ProvisioningStateMachine/) },
          },
          {
            Sid: 'CheckProvisioningStarted',
            Action: 'states:DescribeExecution',
            Effect: 'Allow',
            Resource: expect.anything(),
          },
          {
            Sid: 'StartDeletion',
            Action: 'states:StartExecution',
            Effect: 'Allow',
            Resource: { Ref: expect.stringMatching(/^DeletionStateMachine/) },
          },
          {
            Sid: 'StartUpdate',
            Action: 'states:StartExecution',
            Effect: 'Allow',
            Resource: { Ref: expect.stringMatching(/^UpdatingStateMachine/) },
          },
        ]);
        // Executions of the provisioning state machine only.
        expect(JSON.stringify(sfn[1].Resource)).toMatch(/:execution:/);
        expect(JSON.stringify(sfn[1].Resource)).toMatch(/ProvisioningStateMachine.*Name/);
      }
    }
  });

  it('only the api may delete table items, and only name claims (a stack found gone frees its name)', () => {
    for (const spec of FUNCTIONS) {
      const del = statementsOfRole(roleOfFunction(spec.name)).filter((st) =>
        asArray(st.Action).includes('dynamodb:DeleteItem'),
      );
      if (spec.name !== 'api') expect(del, spec.name).toEqual([]);
      else
        expect(del).toEqual([
          {
            Sid: 'ReleaseNameClaims',
            Action: 'dynamodb:DeleteItem',
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [expect.stringMatching(/^Table/), 'Arn'] },
            Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['NAME#*'] } },
          },
        ]);
    }
  });
});

describe('IAM overall', () => {
  it('allows "*" resources only for actions that have no resource-level permissions', () => {
    // X-Ray and CloudWatch Logs vended-log delivery cannot be scoped to a resource.
    const unscopable =
      /^(xray:(PutTraceSegments|PutTelemetryRecords|GetSamplingRules|GetSamplingTargets)|logs:(CreateLogDelivery|GetLogDelivery|UpdateLogDelivery|DeleteLogDelivery|ListLogDeliveries|PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups))$/;
    // CDK's BucketDeployment handler role has CDK's own grants (acknowledged one by one for cdk-nag;
    // console.test.ts checks they stay on its two buckets).
    for (const [id, policy] of resourcesOf(s.json, 'AWS::IAM::Policy').filter(([pid]) => !isCdkDeployHandler(pid))) {
      for (const st of policy.Properties.PolicyDocument.Statement as any[]) {
        expect(
          asArray(st.Action).some((a: string) => a.includes('*')),
          `${id}: wildcard action`,
        ).toBe(false);
        if (st.Effect === 'Allow' && asArray(st.Resource).includes('*')) {
          for (const a of asArray(st.Action)) expect(a, `${id}: ${a} on *`).toMatch(unscopable);
        }
      }
    }
  });
});

describe('state machine', () => {
  const asl = () => fs.readFileSync(path.join(PROJECT_ROOT, ASL_FILE), 'utf8');
  const sm = () => resourcesOf(s.json, 'AWS::StepFunctions::StateMachine')[0]![1].Properties;

  it('every ${X} in the ASL has a substitution and every substitution is used', () => {
    const used = new Set([...asl().matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]!));
    const given = new Set(Object.keys(sm().DefinitionSubstitutions));
    expect([...used].sort()).toEqual([...given].sort());
    expect([...given].sort()).toEqual(
      [
        'ValidateRequestFunctionArn',
        'AssumeProvisionRoleFunctionArn',
        'DescribeVpcResourcesFunctionArn',
        'CreateClusterStackFunctionArn',
        'PollClusterStackFunctionArn',
        'DiagnoseFailureFunctionArn',
        'FinalizeClusterFunctionArn',
        'ConfigureClusterFunctionArn',
        'TableName',
        'EventBusName',
      ].sort(),
    );
  });

  it('substitutes each function ARN with its own function, the table and the bus', () => {
    const subs = sm().DefinitionSubstitutions;
    for (const spec of FUNCTIONS.filter((f) => f.stateMachineTask)) {
      expect(subs[`${spec.id}FunctionArn`]).toEqual({ 'Fn::GetAtt': [functionId(spec.name), 'Arn'] });
    }
    expect(subs.TableName).toEqual({ Ref: expect.stringMatching(/^Table/) });
    expect(subs.EventBusName).toEqual({ Ref: expect.stringMatching(/^EventBus/) });
  });

  it('is defined by the ASL file, deployed with its execution TimeoutSeconds (nothing else changed)', () => {
    const deployed = JSON.parse(sm().DefinitionString);
    const { TimeoutSeconds, ...rest } = deployed;
    expect(rest).toEqual(JSON.parse(asl()));
    expect(TimeoutSeconds).toBe(executionTimeoutSeconds(3600)); // the default poll cap + the derived margin
  });

  it('logs ALL without execution data (inputs and outputs stay in the history only) to a vended log group and is traced', () => {
    const props = sm();
    expect(props.StateMachineType).toBe('STANDARD');
    expect(props.TracingConfiguration).toEqual({ Enabled: true });
    expect(props.LoggingConfiguration.Level).toBe('ALL');
    expect(props.LoggingConfiguration.IncludeExecutionData).toBe(false);
    const lg = props.LoggingConfiguration.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'][0];
    expect(s.json.Resources[lg].Properties.LogGroupName).toBe(
      '/aws/vendedlogs/states/eks-provisioner-provision-cluster',
    );
  });

  it("is granted exactly what its tasks do: invoke the 7 task functions, the ASL's DynamoDB and EventBridge integrations", () => {
    const roleId = sm().RoleArn['Fn::GetAtt'][0];
    const statements = statementsOfRole(roleId);
    const bySid = Object.fromEntries(statements.filter((st) => st.Sid).map((st) => [st.Sid, st]));
    expect(bySid.InvokeTaskFunctions.Action).toBe('lambda:InvokeFunction');
    const invoked = asArray(bySid.InvokeTaskFunctions.Resource)
      .map((r: any) => r['Fn::GetAtt'][0])
      .sort();
    expect(invoked).toEqual(
      FUNCTIONS.filter((f) => f.stateMachineTask)
        .map((f) => functionId(f.name))
        .sort(),
    );
    // The ASL's optimized integrations, read independently of the construct.
    const resources = taskResources(JSON.parse(asl()));
    const ddb = [
      ...new Set(
        resources
          .filter((r) => r.startsWith('arn:aws:states:::dynamodb:'))
          .map(
            (r) =>
              `dynamodb:${r
                .split(':')
                .pop()!
                .replace(/^./, (c) => c.toUpperCase())}`,
          ),
      ),
    ].sort();
    expect(ddb.length).toBeGreaterThan(0);
    expect([...asArray(bySid.WriteClusterRecords.Action)].sort()).toEqual(ddb);
    expect(bySid.WriteClusterRecords.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Table/), 'Arn'] });
    expect(resources).toContain('arn:aws:states:::events:putEvents');
    expect(bySid.PublishEvents).toMatchObject({
      Action: 'events:PutEvents',
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^EventBus/), 'Arn'] },
    });
    // The api function is not a task: the state machine cannot invoke it.
    expect(JSON.stringify(statements)).not.toContain(functionId('api'));
  });

  it('refuses an ASL integration that has no reviewed grant', () => {
    const asl = {
      StartAt: 'X',
      States: { X: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage', End: true } },
    };
    expect(() => integrationActions(asl)).toThrow(/sqs:sendMessage has no grant/);
    const nested = {
      StartAt: 'P',
      States: {
        P: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'Y', States: { Y: { Type: 'Task', Resource: 'arn:aws:states:::sns:publish', End: true } } },
          ],
          End: true,
        },
      },
    };
    expect(() => integrationActions(nested)).toThrow(/sns:publish/);
  });
});

describe('delete state machine', () => {
  const DELETE_ASL = 'statemachine/delete-cluster.asl.json';
  const asl = () => fs.readFileSync(path.join(PROJECT_ROOT, DELETE_ASL), 'utf8');
  const machine = () =>
    resourcesOf(s.json, 'AWS::StepFunctions::StateMachine').find(([id]) => id.startsWith('Deletion'))![1].Properties;

  it('is the delete ASL file with every substitution filled by its own functions, the table and the bus', () => {
    const props = machine();
    const { TimeoutSeconds, ...rest } = JSON.parse(props.DefinitionString);
    expect(rest).toEqual(JSON.parse(asl()));
    // Same poll cap, same execution timeout as provisioning.
    expect(TimeoutSeconds).toBe(executionTimeoutSeconds(3600)); // the default poll cap + the derived margin
    const used = new Set([...asl().matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]!));
    expect([...used].sort()).toEqual(Object.keys(props.DefinitionSubstitutions).sort());
    for (const spec of FUNCTIONS.filter((f) => f.deletionTask)) {
      expect(props.DefinitionSubstitutions[`${spec.id}FunctionArn`]).toEqual({
        'Fn::GetAtt': [functionId(spec.name), 'Arn'],
      });
    }
    expect(props.LoggingConfiguration.Level).toBe('ALL');
    const lg = props.LoggingConfiguration.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'][0];
    expect(s.json.Resources[lg].Properties.LogGroupName).toBe('/aws/vendedlogs/states/eks-provisioner-delete-cluster');
  });

  it('may invoke only its task functions and use only its own integrations (update, delete the name claim, put events)', () => {
    const bySid = Object.fromEntries(
      statementsOfRole(machine().RoleArn['Fn::GetAtt'][0])
        .filter((st) => st.Sid)
        .map((st) => [st.Sid, st]),
    );
    const invoked = asArray(bySid.InvokeTaskFunctions.Resource)
      .map((r: any) => r['Fn::GetAtt'][0])
      .sort();
    expect(invoked).toEqual(
      FUNCTIONS.filter((f) => f.deletionTask)
        .map((f) => functionId(f.name))
        .sort(),
    );
    expect([...asArray(bySid.WriteClusterRecords.Action)].sort()).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:UpdateItem',
    ]);
    expect(bySid.PublishEvents).toMatchObject({ Action: 'events:PutEvents' });
  });

  it('the api function knows its ARN', () => {
    const env = s.json.Resources[functionId('api')].Properties.Environment.Variables;
    expect(env.DELETE_STATE_MACHINE_ARN).toEqual({ Ref: expect.stringMatching(/^DeletionStateMachine/) });
  });
});

describe('REST API', () => {
  const routes = () => readApiRoutes(PROJECT_ROOT);
  // The console's CORS preflights (OPTIONS, mock integration) are checked in console.test.ts.
  const methods = () => resourcesOf(s.json, 'AWS::ApiGateway::Method').filter(([, m]) => !isCorsPreflight(m));

  /** Full path of an AWS::ApiGateway::Resource, following ParentId. */
  function pathOf(resourceRef: any): string {
    if (resourceRef['Fn::GetAtt']) return '';
    const r = s.json.Resources[resourceRef.Ref].Properties;
    return `${pathOf(r.ParentId)}/${r.PathPart}`;
  }

  it('every method uses AWS_IAM', () => {
    expect(methods().length).toBeGreaterThan(0);
    for (const [id, m] of methods()) expect(m.Properties.AuthorizationType, id).toBe('AWS_IAM');
  });

  it('has exactly the routes of the API (OpenAPI document), no proxy and no catch-all', () => {
    const deployed = methods()
      .map(([, m]) => `${m.Properties.HttpMethod} ${pathOf(m.Properties.ResourceId)}`)
      .sort();
    expect(deployed).toEqual(
      routes()
        .map((r) => `${r.method} ${r.path}`)
        .sort(),
    );
    expect(JSON.stringify(s.json)).not.toContain('{proxy+}');
    for (const [, m] of methods())
      expect(m.Properties.Integration).toMatchObject({ Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' });
  });

  it('validates bodies (JSON object) and required query parameters', () => {
    s.template.hasResourceProperties('AWS::ApiGateway::RequestValidator', {
      ValidateRequestBody: true,
      ValidateRequestParameters: true,
    });
    for (const [, m] of methods()) {
      const p = m.Properties;
      expect(p.RequestValidatorId).toBeDefined();
      const route = routes().find((r) => r.method === p.HttpMethod && r.path === pathOf(p.ResourceId))!;
      if (route.hasBody) expect(p.RequestModels).toEqual({ 'application/json': { Ref: expect.any(String) } });
      for (const q of route.requiredQuery) expect(p.RequestParameters[`method.request.querystring.${q}`]).toBe(true);
    }
    // The form-data routes need roleArn.
    expect(routes().find((r) => r.path === '/v1/aws/vpcs')?.requiredQuery).toContain('roleArn');
  });

  it('stage: throttled, access-logged, execution logs for errors without bodies, traced', () => {
    s.template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'prod',
      TracingEnabled: true,
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
      MethodSettings: [
        {
          HttpMethod: '*',
          ResourcePath: '/*',
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
          MetricsEnabled: true,
          ThrottlingRateLimit: 50,
          ThrottlingBurstLimit: 100,
        },
      ],
    });
    s.template.resourceCountIs('AWS::ApiGateway::Account', 1);
    const stage = resourcesOf(s.json, 'AWS::ApiGateway::Stage')[0]![1];
    const accessLogGroup = resourcesOf(s.json, 'AWS::Logs::LogGroup').find(([id]) => id.startsWith('HttpAccessLogs'))!;
    expect(JSON.stringify(stage.Properties.AccessLogSetting.DestinationArn)).toContain(accessLogGroup[0]);
    expect(accessLogGroup[1].Properties.RetentionInDays).toBe(90);
  });

  it('access log: one JSON line per request with the caller, including the Cognito identity (the console tenant)', () => {
    const stage = resourcesOf(s.json, 'AWS::ApiGateway::Stage')[0]![1];
    const line = JSON.parse(stage.Properties.AccessLogSetting.Format);
    expect(line).toMatchObject({
      requestId: '$context.requestId',
      caller: '$context.identity.caller',
      userArn: '$context.identity.userArn',
      cognitoIdentityId: '$context.identity.cognitoIdentityId',
      status: '$context.status',
    });
  });

  it('the api function has reserved concurrency (it cannot starve the pipeline functions)', () => {
    const apiFn = resourcesOf(s.json, 'AWS::Lambda::Function').filter(([id]) => id.startsWith('ApiFn'));
    expect(apiFn).toHaveLength(1);
    expect(apiFn[0]![1].Properties.ReservedConcurrentExecutions).toBe(50);
    const others = resourcesOf(s.json, 'AWS::Lambda::Function').filter(
      ([id]) => !id.startsWith('ApiFn') && id.endsWith('Function'),
    );
    for (const [id, f] of others) expect(f.Properties.ReservedConcurrentExecutions, id).toBeUndefined();
  });

  it("answers API Gateway errors in the API's JSON error shape", () => {
    for (const [id, r] of resourcesOf(s.json, 'AWS::ApiGateway::GatewayResponse')) {
      const template = r.Properties.ResponseTemplates['application/json'] as string;
      // VTL variables aside, it must be JSON with error.code and error.message.
      const sample = JSON.parse(
        template.replaceAll('$context.error.messageString', '"m"').replaceAll('$context.requestId', 'r'),
      );
      expect(sample.error.code, id).toMatch(/^[A-Z_]+$/);
      expect(typeof sample.error.message, id).toBe('string');
    }
  });

  it('lets API Gateway invoke the api function from this API only', () => {
    // (The other permission: EventBridge invoking record-ended-execution, checked with its rule.)
    const perms = resourcesOf(s.json, 'AWS::Lambda::Permission').filter(
      ([, p]) => p.Properties.Principal !== 'events.amazonaws.com',
    );
    expect(perms).toHaveLength(1);
    expect(perms[0]![1].Properties).toMatchObject({
      Principal: 'apigateway.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [functionId('api'), 'Arn'] },
    });
    const source = JSON.stringify(perms[0]![1].Properties.SourceArn);
    expect(source).toContain('"Ref":"HttpApi');
    expect(source).toMatch(/"\/prod\/\*\/\*"\]/); // this stage, any method and path
  });
});

describe('alarms and outputs', () => {
  it("alarm on failed, timed-out and throttled executions, API 5XX and each function's errors", () => {
    const alarms = resourcesOf(s.json, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    const names = alarms.map((a) => a.MetricName);
    for (const m of ['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionThrottled', '5XXError'])
      expect(names).toContain(m);
    const errorAlarms = alarms.filter((a) => a.MetricName === 'Errors' && a.Namespace === 'AWS/Lambda');
    expect(errorAlarms.map((a) => a.Dimensions[0].Value.Ref).sort()).toEqual(
      FUNCTIONS.map((f) => functionId(f.name)).sort(),
    );
    for (const a of alarms) expect(a.TreatMissingData).toBe('notBreaching');
  });

  it('outputs the API URL, state machine ARN, event bus name and the service Account ID', () => {
    const outputs = s.json.Outputs;
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining(['ApiUrl', 'StateMachineArn', 'EventBusName', 'ServiceAccountId']),
    );
    expect(outputs.ServiceAccountId.Value).toEqual({ Ref: 'AWS::AccountId' });
    expect(outputs.StateMachineArn.Value).toEqual({ Ref: expect.stringMatching(/^ProvisioningStateMachine/) });
    expect(JSON.stringify(outputs.ApiUrl.Value)).toContain('execute-api');
  });
});

describe('CDK annotations', () => {
  it('no construct reported a warning or an error', () => {
    expect(s.messages.filter((m) => m.level !== 'info')).toEqual([]);
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('has no unacknowledged error or warning', () => {
    const result = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(s.app);
    const report = result.violations.map(
      (v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(report).toEqual([]);
  });

  it('every acknowledgement is specific, has a reason, and matches a real finding', () => {
    // The same checks with acknowledgements ignored: what would be reported.
    const raw = new AwsSolutionsChecks(undefined, {});
    (raw as unknown as { isAcknowledged: () => boolean }).isAcknowledged = () => false;
    const findings = raw.validateScope(s.app).violations;
    const acks: Array<{ path: string; id: string; reason: string }> = [];
    for (const c of s.app.node.findAll()) {
      for (const m of c.node.metadata) {
        if (m.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [key, reason] of Object.entries(m.data as Record<string, string>))
          acks.push({ path: c.node.path, id: key.replace(/^annotation::/i, ''), reason: String(reason) });
      }
    }
    expect(acks.length).toBeGreaterThan(0);
    for (const a of acks) {
      expect(a.reason.length, `${a.id} at ${a.path}`).toBeGreaterThan(40);
      // IAM findings are acknowledged per finding (Resource::… / Policy::…), never the whole rule.
      if (/^AwsSolutions-IAM[45]/.test(a.id)) expect(a.id).toMatch(/\[.+\]$/);
      const f = findings.find((v) => v.ruleName === a.id);
      expect(f, `acknowledgement ${a.id} at ${a.path} matches no finding`).toBeDefined();
      expect(
        f!.violatingResources.some(
          (r) => r.constructPath === a.path || (r.constructPath ?? '').startsWith(`${a.path}/`),
        ),
        `${a.id} at ${a.path}`,
      ).toBe(true);
    }
  });
});

describe('cfn-lint', () => {
  it.skipIf(!cfnLintAvailable)(
    'is clean on the synthesized template',
    async () => {
      const r = await cfnLint!;
      expect(r.output.trim()).toBe('');
      expect(r.status).toBe(0);
    },
    300_000,
  );
});

describe('execution backstop (lost status-change events)', () => {
  const res = () => s.json.Resources as Record<string, { Type: string; Properties: any }>;
  // The backstop's own resources (the support check has a queue and a schedule of its own).
  const ofType = (t: string) =>
    Object.entries(res()).filter(
      ([id, r]) =>
        r.Type === t && (t !== 'AWS::SQS::Queue' && t !== 'AWS::Events::Rule' ? true : id.startsWith('Backstop')),
    );
  const fnId = (name: string) =>
    Object.entries(res()).find(
      ([id, r]) =>
        r.Type === 'AWS::Lambda::Function' && id.startsWith(`${FUNCTIONS.find((f) => f.name === name)!.id}Fn`),
    )![0];

  it('has an encrypted dead-letter queue kept 14 days, alarmed on its first message', () => {
    const queues = ofType('AWS::SQS::Queue');
    expect(queues).toHaveLength(1);
    const [qid, q] = queues[0]!;
    expect(q.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    const alarm = ofType('AWS::CloudWatch::Alarm').find(
      ([, a]) => a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible',
    );
    expect(alarm?.[1].Properties).toMatchObject({
      Namespace: 'AWS/SQS',
      Threshold: 1,
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [qid, 'QueueName'] } }],
    });
  });

  it('the status-change rule and the schedule send what they cannot deliver to it; both functions send failed async invocations to it', () => {
    const [qid] = ofType('AWS::SQS::Queue')[0]!;
    const rules = ofType('AWS::Events::Rule');
    const ended = rules.find(([, r]) => r.Properties.EventPattern?.source?.[0] === 'aws.states')![1];
    expect(ended.Properties.Targets[0]).toMatchObject({
      Arn: { 'Fn::GetAtt': [fnId('record-ended-execution'), 'Arn'] },
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': [qid, 'Arn'] } },
    });
    const schedule = rules.find(([, r]) => r.Properties.ScheduleExpression)![1];
    expect(schedule.Properties.ScheduleExpression).toBe('rate(5 minutes)');
    expect(schedule.Properties.Targets[0]).toMatchObject({
      Arn: { 'Fn::GetAtt': [fnId('reconcile-executions'), 'Arn'] },
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': [qid, 'Arn'] } },
    });
    const configs = ofType('AWS::Lambda::EventInvokeConfig').map(([, c]) => c.Properties);
    for (const name of ['record-ended-execution', 'reconcile-executions']) {
      const c = configs.find((p) => p.FunctionName?.Ref === fnId(name));
      expect(c, name).toMatchObject({
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [qid, 'Arn'] } } },
      });
    }
  });
});

describe('daily support check', () => {
  const res = () => s.json.Resources as Record<string, { Type: string; Properties: any }>;
  const ofType = (t: string) =>
    Object.entries(res()).filter(
      ([id, r]) => r.Type === t && id.startsWith('SupportCheck') && !id.startsWith('SupportCheckFn'),
    );
  const fnId = () =>
    Object.entries(res()).find(([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith('SupportCheckFn'))![0];

  it('runs support-check once a day; what the rule or the function cannot handle lands in its own encrypted DLQ, alarmed', () => {
    const [qid, q] = ofType('AWS::SQS::Queue')[0]!;
    expect(q.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    const rules = ofType('AWS::Events::Rule');
    expect(rules).toHaveLength(1);
    expect(rules[0]![1].Properties).toMatchObject({ ScheduleExpression: 'rate(1 day)', State: 'ENABLED' });
    expect(rules[0]![1].Properties.Targets).toHaveLength(1);
    expect(rules[0]![1].Properties.Targets[0]).toMatchObject({
      Arn: { 'Fn::GetAtt': [fnId(), 'Arn'] },
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': [qid, 'Arn'] } },
      RetryPolicy: { MaximumRetryAttempts: 2 },
    });
    const config = Object.values(res()).find(
      (r) => r.Type === 'AWS::Lambda::EventInvokeConfig' && r.Properties.FunctionName?.Ref === fnId(),
    );
    expect(config?.Properties).toMatchObject({
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [qid, 'Arn'] } } },
    });
    const alarm = ofType('AWS::CloudWatch::Alarm')[0]?.[1];
    expect(alarm?.Properties).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 1,
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [qid, 'QueueName'] } }],
    });
  });

  it('its role may publish to the service bus only, assume only prefixed role B, and no state machine', () => {
    const role = Object.entries(res()).find(
      ([id, r]) => r.Type === 'AWS::IAM::Policy' && id.startsWith('SupportCheckFn'),
    )![1];
    const statements = role.Properties.PolicyDocument.Statement as Array<{
      Sid?: string;
      Action: string | string[];
      Resource: unknown;
    }>;
    const actions = statements.flatMap((st) => (Array.isArray(st.Action) ? st.Action : [st.Action]));
    expect(actions.filter((a) => a.startsWith('events:'))).toEqual(['events:PutEvents']);
    expect(
      actions.filter(
        (a) =>
          a.startsWith('states:') || a === 'dynamodb:Scan' || a === 'dynamodb:PutItem' || a === 'dynamodb:DeleteItem',
      ),
    ).toEqual([]);
    expect(statements.find((st) => st.Sid === 'PublishSupportEnding')?.Resource).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^EventBus/), 'Arn'],
    });
  });
});
