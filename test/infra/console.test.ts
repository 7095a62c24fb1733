/**
 * The console in the stack: private bucket read only by this distribution (origin access control),
 * HTTPS, security headers, SPA routing, Cognito sign-in whose role may only invoke the API, CORS for
 * the console's origin only, the runtime config.json, and none of it with `-c console=false`. The
 * build itself is not needed: a temporary folder stands in for console/dist.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../functions/lib/config.js';
import { CORS_ALLOW_HEADERS } from '../../infra/constructs/service-api.js';
import {
  CONSOLE_CONFIG_FILE,
  consoleRootFiles,
  PLACEHOLDER_PAGE,
  ServiceConsole,
  spaRoutingFunction,
} from '../../infra/constructs/service-console.js';
import { PROJECT_ROOT } from '../../infra/service-app.js';
import { resourcesOf, type Synthesized, synthService } from './synth.js';

const asArray = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);
const one = (json: Record<string, any>, type: string): [string, any] => {
  const all = resourcesOf(json, type);
  expect(all, type).toHaveLength(1);
  return all[0]!;
};

/** `https://<distribution domain>` as CloudFormation renders it, wherever the origin is used. */
const originOf = (distributionId: string, quote = '') => ({
  'Fn::Join': ['', [`${quote}https://`, { 'Fn::GetAtt': [distributionId, 'DomainName'] }, ...(quote ? [quote] : [])]],
});

describe('console (default)', () => {
  let s: Synthesized;
  let ids: { bucket: string; cdn: string; api: string; pool: string; userPool: string; client: string; role: string };
  beforeAll(() => {
    s = synthService();
    ids = {
      bucket: one(s.json, 'AWS::S3::Bucket')[0],
      cdn: one(s.json, 'AWS::CloudFront::Distribution')[0],
      api: one(s.json, 'AWS::ApiGateway::RestApi')[0],
      pool: one(s.json, 'AWS::Cognito::IdentityPool')[0],
      userPool: one(s.json, 'AWS::Cognito::UserPool')[0],
      client: one(s.json, 'AWS::Cognito::UserPoolClient')[0],
      role: one(s.json, 'AWS::Cognito::IdentityPoolRoleAttachment')[1].Properties.Roles.authenticated['Fn::GetAtt'][0],
    };
  });

  it('bucket: private, encrypted, TLS only; its policy allows only this distribution to read', () => {
    const bucket = s.json.Resources[ids.bucket].Properties;
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(
      bucket.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm,
    ).toBe('AES256');
    expect(bucket.OwnershipControls.Rules[0].ObjectOwnership).toBe('BucketOwnerEnforced');
    expect(bucket.WebsiteConfiguration).toBeUndefined();

    const [, policy] = one(s.json, 'AWS::S3::BucketPolicy');
    const statements = policy.Properties.PolicyDocument.Statement as any[];
    const allows = statements.filter((st) => st.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({ Principal: { Service: 'cloudfront.amazonaws.com' }, Action: 's3:GetObject' });
    expect(JSON.stringify(allows[0].Condition.StringEquals['AWS:SourceArn'])).toContain(`{"Ref":"${ids.cdn}"}`);
    const denies = statements.filter((st) => st.Effect === 'Deny');
    expect(denies.map((d) => Object.keys(d.Condition)[0]).sort()).toEqual(['Bool', 'NumericLessThan']);
    expect(denies.find((d) => d.Condition.Bool)!.Condition.Bool['aws:SecureTransport']).toBe('false');
  });

  it('CloudFront: origin access control (SigV4, always), no OAI, HTTPS redirect, headers policy, SPA function', () => {
    const [oacId, oac] = one(s.json, 'AWS::CloudFront::OriginAccessControl');
    expect(oac.Properties.OriginAccessControlConfig).toMatchObject({
      OriginAccessControlOriginType: 's3',
      SigningBehavior: 'always',
      SigningProtocol: 'sigv4',
    });
    s.template.resourceCountIs('AWS::CloudFront::CloudFrontOriginAccessIdentity', 0);
    const dist = s.json.Resources[ids.cdn].Properties.DistributionConfig;
    expect(dist.Origins).toHaveLength(1);
    expect(dist.Origins[0].OriginAccessControlId).toEqual({ 'Fn::GetAtt': [oacId, 'Id'] });
    expect(dist.Origins[0].S3OriginConfig.OriginAccessIdentity).toBe('');
    expect(dist.Origins[0].DomainName).toEqual({ 'Fn::GetAtt': [ids.bucket, 'RegionalDomainName'] });
    const b = dist.DefaultCacheBehavior;
    expect(b.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(b.AllowedMethods).toEqual(['GET', 'HEAD']);
    expect(b.ResponseHeadersPolicyId).toEqual({ Ref: one(s.json, 'AWS::CloudFront::ResponseHeadersPolicy')[0] });
    const [fnId, fn] = one(s.json, 'AWS::CloudFront::Function');
    expect(b.FunctionAssociations).toEqual([
      { EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [fnId, 'FunctionARN'] } },
    ]);
    expect(fn.Properties.FunctionCode).toBe(
      spaRoutingFunction(consoleRootFiles(path.join(PROJECT_ROOT, 'console', 'dist'))),
    );
    expect(fn.Properties.FunctionConfig.Runtime).toBe('cloudfront-js-2.0');
    expect(dist.DefaultRootObject).toBe('index.html');
    expect(dist.CacheBehaviors).toBeUndefined();
  });

  it('security headers: HSTS, CSP naming only this API and Cognito, nosniff, no framing, no referrer', () => {
    const cfg = one(s.json, 'AWS::CloudFront::ResponseHeadersPolicy')[1].Properties.ResponseHeadersPolicyConfig
      .SecurityHeadersConfig;
    expect(cfg.StrictTransportSecurity).toMatchObject({
      AccessControlMaxAgeSec: 63072000,
      IncludeSubdomains: true,
      Override: true,
    });
    expect(cfg.ContentTypeOptions).toEqual({ Override: true });
    expect(cfg.FrameOptions).toEqual({ FrameOption: 'DENY', Override: true });
    expect(cfg.ReferrerPolicy).toEqual({ ReferrerPolicy: 'no-referrer', Override: true });
    const parts = cfg.ContentSecurityPolicy.ContentSecurityPolicy['Fn::Join'][1] as any[];
    const csp = parts.map((p) => (typeof p === 'string' ? p : p.Ref === ids.api ? '{api}' : `{${p.Ref}}`)).join('');
    const directives = Object.fromEntries(csp.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));
    expect(directives['default-src']).toEqual(["'self'"]);
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['frame-ancestors']).toEqual(["'none'"]);
    expect(directives['object-src']).toEqual(["'none'"]);
    expect(directives['connect-src']).toEqual([
      "'self'",
      'https://{api}.execute-api.{AWS::Region}.{AWS::URLSuffix}',
      'https://cognito-idp.{AWS::Region}.{AWS::URLSuffix}',
      'https://cognito-identity.{AWS::Region}.{AWS::URLSuffix}',
    ]);
    expect(csp).not.toContain('*');
  });

  it('SPA routing: app paths get index.html, files are fetched as they are', () => {
    // The function's own code, run as CloudFront runs it (a handler of the viewer request).
    const code = spaRoutingFunction(['/config.json', '/favicon.ico', '/index.html']);
    const handler = new Function(`${code}; return handler;`)() as (e: { request: { uri: string } }) => { uri: string };
    const route = (uri: string) => handler({ request: { uri } }).uri;
    expect(route('/')).toBe('/index.html');
    expect(route('/clusters')).toBe('/index.html');
    expect(route('/clusters/0f1e2d3c-4b5a/progress')).toBe('/index.html');
    expect(route('/v1.2/settings')).toBe('/index.html');
    // Dotted paths that are no file of the build are app routes too.
    expect(route('/clusters/my.cluster')).toBe('/index.html');
    expect(route('/clusters/team.prod/kubeconfig.yaml')).toBe('/index.html');
    expect(route('/assets/index-3fa9c1.js')).toBe('/assets/index-3fa9c1.js');
    expect(route('/assets/missing.js')).toBe('/assets/missing.js');
    expect(route('/config.json')).toBe('/config.json');
    expect(route('/favicon.ico')).toBe('/favicon.ico');
    expect(route('/index.html')).toBe('/index.html');
  });

  it('user pool: administrators create users, strong passwords, TOTP MFA optional; app client: SRP sign-in only, no secret, no OAuth', () => {
    const pool = s.json.Resources[ids.userPool].Properties;
    expect(pool.AdminCreateUserConfig.AllowAdminCreateUserOnly).toBe(true);
    expect(pool.Policies.PasswordPolicy).toEqual({
      MinimumLength: 12,
      RequireLowercase: true,
      RequireNumbers: true,
      RequireSymbols: true,
      RequireUppercase: true,
      TemporaryPasswordValidityDays: 3,
    });
    expect(pool.MfaConfiguration).toBe('OPTIONAL');
    expect(pool.EnabledMfas).toEqual(['SOFTWARE_TOKEN_MFA']);
    expect(pool.DeletionProtection).toBe('ACTIVE');
    expect(JSON.stringify(pool.AdminCreateUserConfig.InviteMessageTemplate.EmailMessage)).toContain(ids.cdn);
    const client = s.json.Resources[ids.client].Properties;
    expect(client.GenerateSecret).toBe(false);
    // SRP only: USER_PASSWORD_AUTH would take the password itself (the console signs in with SRP).
    expect(client.ExplicitAuthFlows.sort()).toEqual(['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH']);
    expect(client.AllowedOAuthFlowsUserPoolClient).toBe(false);
    expect(client.PreventUserExistenceErrors).toBe('ENABLED');
  });

  it('identity pool: signed-in users only (no guests, no classic flow), tokens checked server-side', () => {
    const pool = s.json.Resources[ids.pool].Properties;
    expect(pool.AllowUnauthenticatedIdentities).toBe(false);
    expect(pool.AllowClassicFlow).toBe(false);
    expect(pool.CognitoIdentityProviders).toEqual([
      {
        ClientId: { Ref: ids.client },
        ProviderName: { 'Fn::GetAtt': [ids.userPool, 'ProviderName'] },
        ServerSideTokenCheck: true,
      },
    ]);
    const roles = one(s.json, 'AWS::Cognito::IdentityPoolRoleAttachment')[1].Properties.Roles;
    expect(Object.keys(roles)).toEqual(['authenticated']);
  });

  it("the signed-in role: trusted by this identity pool's authenticated identities, may only execute-api:Invoke this API's stage", () => {
    const role = s.json.Resources[ids.role].Properties;
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Federated: 'cognito-identity.amazonaws.com' },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: { 'cognito-identity.amazonaws.com:aud': { Ref: ids.pool } },
          'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' },
        },
      },
    ]);
    expect(role.ManagedPolicyArns).toBeUndefined();
    expect(role.Policies).toBeUndefined();
    const statements = resourcesOf(s.json, 'AWS::IAM::Policy')
      .filter(([, p]) => (p.Properties.Roles as any[]).some((r) => r.Ref === ids.role))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as any[]);
    expect(statements).toHaveLength(1);
    const [st] = statements;
    expect(st.Effect).toBe('Allow');
    expect(asArray(st.Action)).toEqual(['execute-api:Invoke']);
    const arn = st.Resource['Fn::Join'][1] as any[];
    expect(arn).toContainEqual({ Ref: ids.api });
    expect(arn[arn.length - 1]).toBe('/prod/*/v1/*');
    expect(st.Condition).toBeUndefined();
  });

  it('CORS: preflights and API Gateway errors name only the console origin; the function gets the same origin', () => {
    const options = resourcesOf(s.json, 'AWS::ApiGateway::Method').filter(
      ([, m]) => m.Properties.HttpMethod === 'OPTIONS',
    );
    const routed = new Set(
      resourcesOf(s.json, 'AWS::ApiGateway::Method')
        .filter(([, m]) => m.Properties.HttpMethod !== 'OPTIONS')
        .map(([, m]) => m.Properties.ResourceId.Ref),
    );
    expect(new Set(options.map(([, m]) => m.Properties.ResourceId.Ref))).toEqual(routed);
    for (const [id, m] of options) {
      expect(m.Properties.Integration.Type, id).toBe('MOCK');
      const headers = m.Properties.Integration.IntegrationResponses[0].ResponseParameters;
      expect(headers['method.response.header.Access-Control-Allow-Origin'], id).toEqual(originOf(ids.cdn, "'"));
      expect(headers['method.response.header.Access-Control-Allow-Headers']).toBe(`'${CORS_ALLOW_HEADERS.join(',')}'`);
      expect(headers['method.response.header.Access-Control-Allow-Methods']).toMatch(/^'[A-Z,]+,OPTIONS'$/);
      expect(headers['method.response.header.Access-Control-Allow-Credentials']).toBeUndefined();
    }
    const responses = resourcesOf(s.json, 'AWS::ApiGateway::GatewayResponse');
    expect(responses.length).toBeGreaterThan(0);
    for (const [id, r] of responses)
      expect(r.Properties.ResponseParameters['gatewayresponse.header.Access-Control-Allow-Origin'], id).toEqual(
        originOf(ids.cdn, "'"),
      );
    expect(JSON.stringify(s.json)).not.toMatch(/Access-Control-Allow-Origin":"'\*'/);

    const apiFn = resourcesOf(s.json, 'AWS::Lambda::Function').find(([id]) => id.startsWith('ApiFn'))![1];
    const env = apiFn.Properties.Environment.Variables;
    expect(env[ENV.corsAllowOrigin]).toEqual(originOf(ids.cdn));
    expect(env[ENV.identityPoolId]).toEqual({ Ref: ids.pool });
    expect(env[ENV.identityPoolRoleArn]).toEqual({ 'Fn::GetAtt': [ids.role, 'Arn'] });
    // Only the API function serves browsers.
    for (const [id, fn] of resourcesOf(s.json, 'AWS::Lambda::Function').filter(([fid]) => !fid.startsWith('ApiFn'))) {
      expect(fn.Properties.Environment?.Variables ?? {}, id).not.toHaveProperty(ENV.corsAllowOrigin);
    }
  });

  it('config.json carries exactly the API URL, region, user pool, app client and identity pool; served with no-cache and invalidated', () => {
    // With console/dist built there is also the assets/ deployment; the page one carries config.json.
    const pages = resourcesOf(s.json, 'Custom::CDKBucketDeployment').filter(
      ([, d]) => d.Properties.DestinationBucketKeyPrefix === undefined,
    );
    expect(pages).toHaveLength(1);
    const p = pages[0]![1].Properties;
    expect(p.DestinationBucketName).toEqual({ Ref: ids.bucket });
    expect(p.SystemMetadata).toEqual({ 'cache-control': 'no-cache' });
    expect(p.DistributionId).toEqual({ Ref: ids.cdn });
    expect(p.DistributionPaths).toEqual(['/*']);
    expect(p.Prune).toBe(false);
    // The staged config.json with CDK's deploy-time markers, resolved back to what they stand for.
    const index = (p.SourceMarkers as any[]).findIndex((m) => Object.keys(m).length > 0);
    const dir = path.join(s.outdir, `asset.${String(p.SourceObjectKeys[index]).replace(/\.zip$/, '')}`);
    let text = fs.readFileSync(path.join(dir, CONSOLE_CONFIG_FILE), 'utf8');
    for (const [marker, value] of Object.entries(p.SourceMarkers[index] as Record<string, any>))
      text = text.split(marker).join(`{${value.Ref}}`);
    const config = JSON.parse(text);
    expect(Object.keys(config).sort()).toEqual([
      'apiUrl',
      'identityPoolId',
      'region',
      'userPoolClientId',
      'userPoolId',
    ]);
    expect(config.apiUrl).toMatch(
      new RegExp(
        `^https://\\{${ids.api}\\}\\.execute-api\\.\\{AWS::Region\\}\\.\\{AWS::URLSuffix\\}/\\{HttpApiDeploymentStageprod[0-9A-F]+\\}/$`,
      ),
    );
    expect(config).toMatchObject({
      region: '{AWS::Region}',
      userPoolId: `{${ids.userPool}}`,
      userPoolClientId: `{${ids.client}}`,
      identityPoolId: `{${ids.pool}}`,
    });
  });

  it('CDK deploy handler: writes only the console bucket, reads only the CDK asset bucket, logs with the stack retention', () => {
    const handlerRoleStatements = resourcesOf(s.json, 'AWS::IAM::Policy')
      .filter(([id]) => id.startsWith('CustomCDKBucketDeployment'))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as any[]);
    expect(handlerRoleStatements.length).toBeGreaterThan(0);
    for (const st of handlerRoleStatements) {
      const text = JSON.stringify(st.Resource);
      const writes = asArray(st.Action).some((a: string) => /Put|Delete|Abort/.test(a));
      if (asArray(st.Action).every((a: string) => a.startsWith('cloudfront:'))) continue;
      if (writes) expect(text).toContain(ids.bucket);
      else expect(text.includes(ids.bucket) || text.includes('cdk-hnb659fds-assets')).toBe(true);
    }
    const handler = resourcesOf(s.json, 'AWS::Lambda::Function').find(([id]) =>
      id.startsWith('CustomCDKBucketDeployment'),
    )![1];
    const logGroup = s.json.Resources[handler.Properties.LoggingConfig.LogGroup.Ref];
    expect(logGroup.Properties.RetentionInDays).toBe(90);
  });

  it('outputs the console URL and the sign-in ids', () => {
    const o = s.json.Outputs;
    expect(o.ConsoleUrl.Value).toEqual({
      'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [ids.cdn, 'DomainName'] }, '/']],
    });
    expect(o.UserPoolId.Value).toEqual({ Ref: ids.userPool });
    expect(o.UserPoolClientId.Value).toEqual({ Ref: ids.client });
    expect(o.IdentityPoolId.Value).toEqual({ Ref: ids.pool });
    expect(o.ConsoleBucketName.Value).toEqual({ Ref: ids.bucket });
    expect(o.ConsoleDistributionId.Value).toEqual({ Ref: ids.cdn });
  });
});

describe('console=false', () => {
  let s: Synthesized;
  beforeAll(() => {
    s = synthService({ console: 'false' });
  });

  it('deploys no bucket, distribution, Cognito or deploy handler', () => {
    for (const type of [
      'AWS::S3::Bucket',
      'AWS::CloudFront::Distribution',
      'AWS::CloudFront::ResponseHeadersPolicy',
      'AWS::CloudFront::Function',
      'AWS::Cognito::UserPool',
      'AWS::Cognito::IdentityPool',
      'Custom::CDKBucketDeployment',
    ]) {
      s.template.resourceCountIs(type, 0);
    }
    expect(Object.keys(s.json.Outputs)).not.toEqual(expect.arrayContaining(['ConsoleUrl']));
    for (const key of ['ConsoleUrl', 'UserPoolId', 'UserPoolClientId', 'IdentityPoolId'])
      expect(s.json.Outputs).not.toHaveProperty(key);
  });

  it('no CORS anywhere and no console settings for the function', () => {
    expect(
      resourcesOf(s.json, 'AWS::ApiGateway::Method').filter(([, m]) => m.Properties.HttpMethod === 'OPTIONS'),
    ).toEqual([]);
    expect(JSON.stringify(s.json)).not.toContain('Access-Control-Allow-Origin');
    for (const [, fn] of resourcesOf(s.json, 'AWS::Lambda::Function')) {
      const env = fn.Properties.Environment.Variables;
      for (const key of [ENV.corsAllowOrigin, ENV.identityPoolId, ENV.identityPoolRoleArn])
        expect(env).not.toHaveProperty(key);
    }
  });

  it('is cdk-nag clean with no console acknowledgement left over', () => {
    const result = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(s.app);
    expect(result.violations.map((v) => v.ruleName)).toEqual([]);
  });
});

describe('the construct with and without a console build', () => {
  function synthConsole(distDir: string) {
    const app = new App({
      outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'console-synth-')),
      builtinCloudFormationValidation: false,
      context: { 'aws:cdk:bundling-stacks': [] },
    });
    const stack = new Stack(app, 'ConsoleOnly');
    const api = new apigw.RestApi(stack, 'Api');
    api.root.addMethod('GET', new apigw.MockIntegration());
    const c = new ServiceConsole(stack, 'Console', {
      api,
      stageName: 'prod',
      distDir,
      removalPolicy: RemovalPolicy.DESTROY,
      logRetentionDays: 30,
      mfa: 'optional',
      selfSignUp: false,
    });
    const assembly = app.synth();
    const artifact = assembly.getStackByName('ConsoleOnly');
    return {
      c,
      json: artifact.template as Record<string, any>,
      outdir: assembly.directory,
      messages: artifact.messages,
    };
  }

  it('built: hashed assets cached for a year, then index.html (no-cache) with config.json; the build config.json is not deployed', () => {
    const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'console-dist-'));
    fs.mkdirSync(path.join(dist, 'assets'));
    fs.writeFileSync(
      path.join(dist, 'index.html'),
      '<!doctype html><script type="module" src="/assets/index-3fa9c1.js"></script>',
    );
    fs.writeFileSync(path.join(dist, 'assets', 'index-3fa9c1.js'), 'console.log(1)');
    fs.writeFileSync(path.join(dist, 'favicon.svg'), '<svg/>');
    fs.writeFileSync(path.join(dist, CONSOLE_CONFIG_FILE), '{"apiUrl":"http://127.0.0.1:3000/"}');
    const { c, json, outdir, messages } = synthConsole(dist);
    expect(c.built).toBe(true);
    expect(messages.filter((m) => m.level !== 'info')).toEqual([]);
    const deployments = resourcesOf(json, 'Custom::CDKBucketDeployment');
    expect(deployments).toHaveLength(2);
    const [assetsId, assets] = deployments.find(([, d]) => d.Properties.DestinationBucketKeyPrefix === 'assets/')!;
    const [, page] = deployments.find(([id]) => id !== assetsId)!;
    expect(assets.Properties.SystemMetadata['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(page.Properties.SystemMetadata['cache-control']).toBe('no-cache');
    expect(page.DependsOn).toEqual(expect.arrayContaining([assetsId]));
    const staged = (d: any, i: number) =>
      path.join(outdir, `asset.${String(d.Properties.SourceObjectKeys[i]).replace(/\.zip$/, '')}`);
    expect(fs.readdirSync(staged(assets, 0))).toEqual(['index-3fa9c1.js']);
    expect(fs.readdirSync(staged(page, 0)).sort()).toEqual(['favicon.svg', 'index.html']);
    expect(
      Object.keys(
        JSON.parse(
          fs
            .readFileSync(path.join(staged(page, 1), CONSOLE_CONFIG_FILE), 'utf8')
            .replace(/<<marker:0xbaba:\d+>>/g, 'x'),
        ),
      ),
    ).toHaveLength(5);
    // removalPolicy destroy: the bucket goes with the stack, emptied by CDK's auto-delete.
    const [, bucket] = one(json, 'AWS::S3::Bucket');
    expect(bucket.DeletionPolicy).toBe('Delete');
    expect(resourcesOf(json, 'Custom::S3AutoDeleteObjects')).toHaveLength(1);
    fs.rmSync(dist, { recursive: true, force: true });
    fs.rmSync(outdir, { recursive: true, force: true });
  });

  it('not built: a placeholder page that says how to build, and an info note at synth', () => {
    const { c, json, outdir, messages } = synthConsole(path.join(os.tmpdir(), 'no-such-console-dist'));
    expect(c.built).toBe(false);
    expect(
      messages
        .filter((m) => m.level === 'info')
        .map((m) => String(m.entry.data))
        .join('\n'),
    ).toMatch(/index\.html not found: deploying a placeholder page\. Build the console/);
    const [, page] = one(json, 'Custom::CDKBucketDeployment');
    const staged = path.join(outdir, `asset.${String(page.Properties.SourceObjectKeys[0]).replace(/\.zip$/, '')}`);
    expect(fs.readFileSync(path.join(staged, 'index.html'), 'utf8')).toBe(PLACEHOLDER_PAGE);
    expect(PLACEHOLDER_PAGE).toContain('npx vite build console');
    fs.rmSync(outdir, { recursive: true, force: true });
  });
});
