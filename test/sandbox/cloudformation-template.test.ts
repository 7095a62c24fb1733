/** Template engine of the sandbox's CloudFormation: parsing, intrinsic functions, conditions, parameters. */
import { describe, expect, it } from 'vitest';
import { catalog } from '../../local/sandbox/cloudformation/providers/registry.js';
import {
  analyzeTemplate,
  evaluateConditions,
  resolveParameters,
} from '../../local/sandbox/cloudformation/template/analyze.js';
import { TemplateError } from '../../local/sandbox/cloudformation/template/errors.js';
import { type EvalContext, evaluate, NO_VALUE } from '../../local/sandbox/cloudformation/template/intrinsics.js';
import { parseTemplateBody } from '../../local/sandbox/cloudformation/template/parse.js';

function ctx(overrides: Partial<EvalContext> = {}): EvalContext {
  return {
    parameters: { Env: 'prod', Subnets: ['subnet-a', 'subnet-b', 'subnet-c'], Csv: 'a,b,c' },
    pseudo: {
      region: 'us-east-1',
      accountId: '222222222222',
      stackName: 'st',
      stackId: 'arn:aws:cloudformation:us-east-1:222222222222:stack/st/uuid',
      partition: 'aws',
      urlSuffix: 'amazonaws.com',
    },
    conditions: { IsProd: true, IsDev: false },
    mappings: { Sizes: { prod: { Nodes: 3 } } },
    resource: (id) =>
      id === 'Role' ? { ref: 'role-name', attributes: { Arn: 'arn:aws:iam::222222222222:role/role-name' } } : undefined,
    availabilityZones: (r) => (r === 'us-east-1' ? ['us-east-1a', 'us-east-1b'] : []),
    ...overrides,
  };
}

const ev = (v: unknown, c = ctx()) => evaluate(v, c);

function templateError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof TemplateError) return e.message;
    throw e;
  }
  throw new Error('expected a TemplateError');
}

describe('intrinsic functions', () => {
  it('Ref: parameters, resources, pseudo parameters, NoValue', () => {
    expect(ev({ Ref: 'Env' })).toBe('prod');
    expect(ev({ Ref: 'Role' })).toBe('role-name');
    expect(ev({ Ref: 'AWS::Region' })).toBe('us-east-1');
    expect(ev({ Ref: 'AWS::AccountId' })).toBe('222222222222');
    expect(ev({ Ref: 'AWS::StackName' })).toBe('st');
    expect(ev({ Ref: 'AWS::StackId' })).toMatch(/^arn:aws:cloudformation:/);
    expect(ev({ Ref: 'AWS::Partition' })).toBe('aws');
    expect(ev({ Ref: 'AWS::URLSuffix' })).toBe('amazonaws.com');
    expect(ev({ Ref: 'AWS::NoValue' })).toBe(NO_VALUE);
    expect(ev({ a: 1, b: { Ref: 'AWS::NoValue' }, c: [1, { Ref: 'AWS::NoValue' }, 2] })).toEqual({ a: 1, c: [1, 2] });
  });

  it('Fn::GetAtt both forms, and its errors', () => {
    expect(ev({ 'Fn::GetAtt': ['Role', 'Arn'] })).toBe('arn:aws:iam::222222222222:role/role-name');
    expect(ev({ 'Fn::GetAtt': 'Role.Arn' })).toBe('arn:aws:iam::222222222222:role/role-name');
    expect(templateError(() => ev({ 'Fn::GetAtt': ['Nope', 'Arn'] }))).toBe(
      'Template error: instance of Fn::GetAtt references undefined resource Nope',
    );
    expect(templateError(() => ev({ 'Fn::GetAtt': ['Role', 'Bad'] }))).toBe(
      'Template error: resource Role does not support attribute type Bad in Fn::GetAtt',
    );
  });

  it('Fn::Sub: string form with refs, attributes, pseudo params and literals; list form with variables', () => {
    expect(
      ev({ 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${Role}-${Env} ${Role.Arn} ${!Literal}' }),
    ).toBe('arn:aws:iam::222222222222:role/role-name-prod arn:aws:iam::222222222222:role/role-name ${Literal}');
    expect(ev({ 'Fn::Sub': ['${Name}.${AWS::Region}', { Name: { 'Fn::Join': ['-', ['a', { Ref: 'Env' }]] } }] })).toBe(
      'a-prod.us-east-1',
    );
    expect(ev({ 'Fn::Sub': '${Subnets}' })).toBe('subnet-a,subnet-b,subnet-c');
    expect(templateError(() => ev({ 'Fn::Sub': 5 }))).toMatch(
      /^Template error: One or more Fn::Sub intrinsic functions don't specify expected arguments/,
    );
  });

  it('Fn::Join, Fn::Select, Fn::Split, Fn::GetAZs, Fn::FindInMap, Fn::Base64', () => {
    expect(ev({ 'Fn::Join': [',', { Ref: 'Subnets' }] })).toBe('subnet-a,subnet-b,subnet-c');
    expect(ev({ 'Fn::Select': [1, { Ref: 'Subnets' }] })).toBe('subnet-b');
    expect(ev({ 'Fn::Select': ['0', { 'Fn::Split': [',', { Ref: 'Csv' }] }] })).toBe('a');
    expect(ev({ 'Fn::GetAZs': '' })).toEqual(['us-east-1a', 'us-east-1b']);
    expect(ev({ 'Fn::GetAZs': { Ref: 'AWS::Region' } })).toEqual(['us-east-1a', 'us-east-1b']);
    expect(ev({ 'Fn::Select': [0, { 'Fn::GetAZs': '' }] })).toBe('us-east-1a');
    expect(ev({ 'Fn::FindInMap': ['Sizes', { Ref: 'Env' }, 'Nodes'] })).toBe(3);
    expect(ev({ 'Fn::Base64': 'hi' })).toBe('aGk=');
    expect(templateError(() => ev({ 'Fn::Select': [5, { Ref: 'Subnets' }] }))).toBe(
      'Template error: Fn::Select cannot select nonexistent value at index 5',
    );
    expect(templateError(() => ev({ 'Fn::Join': [','] }))).toMatch(
      /^Template error: every Fn::Join object requires two parameters/,
    );
  });

  it('Fn::If, Fn::Equals, Fn::Not, Fn::And, Fn::Or', () => {
    expect(ev({ 'Fn::If': ['IsProd', 'big', 'small'] })).toBe('big');
    expect(ev({ 'Fn::If': ['IsDev', 'big', { Ref: 'AWS::NoValue' }] })).toBe(NO_VALUE);
    expect(ev({ 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] })).toBe(true);
    expect(ev({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] }] })).toBe(false);
    expect(ev({ 'Fn::And': [{ Condition: 'IsProd' }, { 'Fn::Equals': ['a', 'a'] }] })).toBe(true);
    expect(ev({ 'Fn::Or': [{ Condition: 'IsDev' }, { 'Fn::Equals': ['a', 'b'] }] })).toBe(false);
    expect(templateError(() => ev({ 'Fn::If': ['Unknown', 1, 2] }))).toBe(
      'Template error: unresolved condition dependency Unknown in Fn::If',
    );
  });
});

describe('template parsing and analysis', () => {
  it('YAML with short-form tags parses to the long form', () => {
    const t = parseTemplateBody(`
Parameters:
  Env: { Type: String }
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: { Statement: [] }
      Path: !Sub "/\${Env}/"
      Description: !If [IsProd, !Join ["-", [a, !Ref Env]], !Ref "AWS::NoValue"]
Outputs:
  Arn:
    Value: !GetAtt Role.Arn
  Az:
    Value: !Select [0, !GetAZs ""]
`);
    expect(t.Resources.Role!.Properties!.Path).toEqual({ 'Fn::Sub': '/${Env}/' });
    expect(t.Resources.Role!.Properties!.Description).toEqual({
      'Fn::If': ['IsProd', { 'Fn::Join': ['-', ['a', { Ref: 'Env' }]] }, { Ref: 'AWS::NoValue' }],
    });
    expect(t.Outputs!.Arn!.Value).toEqual({ 'Fn::GetAtt': ['Role', 'Arn'] });
    expect(t.Outputs!.Az!.Value).toEqual({ 'Fn::Select': [0, { 'Fn::GetAZs': '' }] });
    expect(t.Conditions!.IsProd).toEqual({ 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] });
    expect(analyzeTemplate(t, catalog).requiredCapability).toBe('CAPABILITY_IAM');
  });

  it('malformed YAML and JSON report the position', () => {
    expect(templateError(() => parseTemplateBody('Resources:\n  A: [unclosed\n'))).toMatch(
      /^Template format error: YAML not well-formed\. \(line \d+, column \d+\)$/,
    );
    expect(templateError(() => parseTemplateBody('{\n  "Resources": ,\n}'))).toMatch(
      /^Template format error: JSON not well-formed\. \(line 2, column \d+\)$/,
    );
  });

  it('conditions may use each other in any order; references to resources are rejected', () => {
    const t = parseTemplateBody(
      JSON.stringify({
        Parameters: { Env: { Type: 'String' } },
        Conditions: {
          Both: { 'Fn::And': [{ Condition: 'IsProd' }, { Condition: 'NotDev' }] },
          IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] },
          NotDev: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'Env' }, 'dev'] }] },
        },
        Resources: { Sg: { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'x' } } },
      }),
    );
    analyzeTemplate(t, catalog);
    const c = ctx({ parameters: { Env: 'prod' } });
    expect(evaluateConditions(t, c)).toEqual({ Both: true, IsProd: true, NotDev: true });
    const bad = parseTemplateBody(
      JSON.stringify({
        Conditions: { X: { 'Fn::Equals': [{ Ref: 'Sg' }, 'a'] } },
        Resources: { Sg: { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'x' } } },
      }),
    );
    expect(templateError(() => analyzeTemplate(bad, catalog))).toBe(
      'Template format error: Unresolved dependencies [Sg]. Cannot reference resources in the Conditions block of the template',
    );
  });

  it('parameter types: lists, CommaDelimitedList, defaults, AllowedPattern, lengths', () => {
    const t = analyzeTemplate(
      parseTemplateBody(
        JSON.stringify({
          Parameters: {
            Ids: { Type: 'List<AWS::EC2::Subnet::Id>' },
            Names: { Type: 'CommaDelimitedList', Default: 'a,b' },
            Nums: { Type: 'List<Number>', Default: '1,2' },
            Name: {
              Type: 'String',
              AllowedPattern: '[a-z]+',
              ConstraintDescription: 'lowercase letters only',
              Default: 'ok',
            },
            Short: { Type: 'String', MaxLength: 3, Default: 'abc' },
          },
          Resources: { Sg: { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'x' } } },
        }),
      ),
      catalog,
    );
    const exists = (type: string, value: string) => type === 'AWS::EC2::Subnet::Id' && value.startsWith('subnet-');
    const resolved = resolveParameters(t, [{ ParameterKey: 'Ids', ParameterValue: 'subnet-1, subnet-2' }], exists);
    expect(Object.fromEntries(resolved.map((p) => [p.key, p.value]))).toEqual({
      Ids: ['subnet-1', 'subnet-2'],
      Names: ['a', 'b'],
      Nums: ['1', '2'],
      Name: 'ok',
      Short: 'abc',
    });
    expect(
      templateError(() =>
        resolveParameters(
          t,
          [
            { ParameterKey: 'Ids', ParameterValue: 'subnet-1' },
            { ParameterKey: 'Name', ParameterValue: 'NO' },
          ],
          exists,
        ),
      ),
    ).toBe('Parameter Name failed to satisfy constraint: lowercase letters only');
    expect(
      templateError(() =>
        resolveParameters(
          t,
          [
            { ParameterKey: 'Ids', ParameterValue: 'subnet-1' },
            { ParameterKey: 'Short', ParameterValue: 'abcd' },
          ],
          exists,
        ),
      ),
    ).toBe("Parameter 'Short' must contain at most 3 characters");
    expect(templateError(() => resolveParameters(t, [{ ParameterKey: 'Ids', ParameterValue: 'vpc-1' }], exists))).toBe(
      'Parameter validation failed: parameter value vpc-1 for parameter name Ids does not exist.',
    );
  });
});
