/**
 * The web console in AWS: the built single-page app (console/dist) in a private S3 bucket behind
 * CloudFront (origin access control, HTTPS only, security headers, SPA routing), sign-in through an
 * Amazon Cognito user pool, and an identity pool whose signed-in role may do one thing: invoke this
 * API. The browser signs API calls with SigV4 using those temporary credentials; the API makes each
 * Cognito identity its own tenant. A `config.json` next to index.html tells the app where all of
 * that lives, so the same build runs in any deployment.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Annotations, Aws, type CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct, type IConstruct } from 'constructs';

export interface ServiceConsoleProps {
  api: apigw.RestApi;
  stageName: string;
  /** The built app (index.html and assets/); when it has no index.html a placeholder page is deployed. */
  distDir: string;
  removalPolicy: RemovalPolicy;
  /** Retention of the deploy handler's log group (the stack's setting). */
  logRetentionDays: number;
  mfa: 'off' | 'optional' | 'required';
  selfSignUp: boolean;
}

/** What the app reads from `/config.json` at start. */
export interface ConsoleRuntimeConfig {
  apiUrl: string;
  region: string;
  userPoolId: string;
  userPoolClientId: string;
  identityPoolId: string;
}

export const CONSOLE_CONFIG_FILE = 'config.json';

/** Where Vite puts the hashed build files (its default assetsDir). */
export const ASSETS_PREFIX = '/assets/';

/**
 * The build's files outside assets/ (index.html, public files such as favicon.ico) plus config.json:
 * the only root paths that are files. Read from console/dist at synth.
 */
export function consoleRootFiles(distDir: string): string[] {
  const files = fs.existsSync(distDir)
    ? fs
        .readdirSync(distDir, { withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => `/${e.name}`)
    : [];
  return [...new Set(['/index.html', `/${CONSOLE_CONFIG_FILE}`, ...files])].sort();
}

/**
 * SPA routing at the edge (viewer request): the build's files (anything under /assets/, and the root
 * files named at synth) are fetched as they are, so a missing asset is a real 403/404 and never HTML
 * served as JavaScript; every other path is a route of the app and gets index.html — also one with a
 * dot in it (a cluster named my.cluster, /v1.2/settings), which is not a file.
 */
export function spaRoutingFunction(rootFiles: readonly string[]): string {
  return `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  var files = ${JSON.stringify(rootFiles)};
  if (uri.indexOf(${JSON.stringify(ASSETS_PREFIX)}) === 0 || files.indexOf(uri) >= 0) return request;
  request.uri = '/index.html';
  return request;
}`;
}

/** Served while console/dist has not been built: says how to get the real console. */
export const PLACEHOLDER_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>eks-provisioner console</title></head>
<body><h1>eks-provisioner console not built</h1>
<p>This deployment was synthesized without the console build. Build it (<code>npx vite build console</code> in the repository, which writes <code>console/dist</code>) and run <code>cdk deploy</code> again.</p>
<p>The API works meanwhile: see <a href="config.json">config.json</a> for its URL.</p></body></html>
`;

export class ServiceConsole extends Construct {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly headersPolicy: cloudfront.ResponseHeadersPolicy;
  readonly userPool: cognito.UserPool;
  readonly userPoolClient: cognito.UserPoolClient;
  readonly identityPool: cognito.CfnIdentityPool;
  /** The role every signed-in console user gets: execute-api:Invoke on this API's stage, nothing else. */
  readonly signedInRole: iam.Role;
  /** `https://<distribution domain>`: the only origin the API allows (CORS). */
  readonly origin: string;
  /** Whether console/dist was built at synth (else a placeholder page is deployed). */
  readonly built: boolean;
  readonly deployments: s3deploy.BucketDeployment[] = [];

  constructor(scope: Construct, id: string, props: ServiceConsoleProps) {
    super(scope, id);
    const { api, stageName } = props;

    // ---- hosting -------------------------------------------------------------------------------
    this.bucket = new s3.Bucket(this, 'Site', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      removalPolicy: props.removalPolicy,
      // The content is rebuilt from console/dist on every deploy; with `destroy` the stack empties it.
      autoDeleteObjects: props.removalPolicy === RemovalPolicy.DESTROY,
    });

    const suffix = Aws.URL_SUFFIX;
    const apiOrigin = `https://${api.restApiId}.execute-api.${Aws.REGION}.${suffix}`;
    // Cloudscape renders with CSS files and inline SVG; React sets element styles through the DOM,
    // but some components (popovers, sticky headers) write style attributes, hence 'unsafe-inline'
    // for styles only. Scripts: own origin only. Network: the API and Cognito's two endpoints.
    const csp = [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data:",
      "font-src 'self' data:",
      `connect-src 'self' ${apiOrigin} https://cognito-idp.${Aws.REGION}.${suffix} https://cognito-identity.${Aws.REGION}.${suffix}`,
      "object-src 'none'",
      "base-uri 'self'",
      "form-action 'self'",
      "frame-ancestors 'none'",
    ].join('; ');
    this.headersPolicy = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'eks-provisioner console: HSTS, CSP (API + Cognito only), no framing, no sniffing, no referrer',
      securityHeadersBehavior: {
        strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, override: true },
        contentSecurityPolicy: { contentSecurityPolicy: csp, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
      customHeadersBehavior: {
        customHeaders: [
          {
            header: 'Permissions-Policy',
            value: 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
            override: true,
          },
          { header: 'Cross-Origin-Opener-Policy', value: 'same-origin', override: true },
        ],
      },
    });

    const routing = new cloudfront.Function(this, 'SpaRouting', {
      comment: 'eks-provisioner console: app routes get index.html',
      code: cloudfront.FunctionCode.fromInline(spaRoutingFunction(consoleRootFiles(props.distDir))),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
    });

    this.distribution = new cloudfront.Distribution(this, 'Cdn', {
      comment: 'eks-provisioner console',
      defaultRootObject: 'index.html',
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      defaultBehavior: {
        // Origin access control (SigV4 from CloudFront to S3); the bucket policy names this distribution.
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        compress: true,
        responseHeadersPolicy: this.headersPolicy,
        functionAssociations: [{ function: routing, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
      },
    });
    this.origin = `https://${this.distribution.distributionDomainName}`;

    // ---- sign-in -------------------------------------------------------------------------------
    this.userPool = new cognito.UserPool(this, 'Users', {
      selfSignUpEnabled: props.selfSignUp,
      signInAliases: { email: true },
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa:
        props.mfa === 'required'
          ? cognito.Mfa.REQUIRED
          : props.mfa === 'optional'
            ? cognito.Mfa.OPTIONAL
            : cognito.Mfa.OFF,
      ...(props.mfa === 'off' ? {} : { mfaSecondFactor: { otp: true, sms: false } }),
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: cognito.FeaturePlan.ESSENTIALS,
      userInvitation: {
        emailSubject: 'Your eks-provisioner console account',
        emailBody: `Sign in to the eks-provisioner console at ${this.origin}/ as {username} with the temporary password {####} (valid 3 days); you will choose your own password.`,
      },
      deletionProtection: props.removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy: props.removalPolicy,
    });
    this.userPoolClient = this.userPool.addClient('ConsoleClient', {
      // A browser app cannot keep a secret. SRP only (the console signs in with USER_SRP_AUTH, so
      // the password never leaves the browser); USER_PASSWORD_AUTH would accept the password itself,
      // which makes the client a password-guessing endpoint. Refresh tokens are always allowed.
      generateSecret: false,
      authFlows: { userSrp: true },
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
    });
    this.identityPool = new cognito.CfnIdentityPool(this, 'Identities', {
      allowUnauthenticatedIdentities: false,
      // Enhanced flow only: credentials come from GetCredentialsForIdentity with the pool's role.
      allowClassicFlow: false,
      cognitoIdentityProviders: [
        {
          clientId: this.userPoolClient.userPoolClientId,
          providerName: this.userPool.userPoolProviderName,
          serverSideTokenCheck: true,
        },
      ],
    });
    this.signedInRole = new iam.Role(this, 'SignedInRole', {
      description:
        'eks-provisioner console users (Cognito identity pool, signed in): may only invoke the eks-provisioner API',
      assumedBy: new iam.FederatedPrincipal(
        'cognito-identity.amazonaws.com',
        {
          StringEquals: { 'cognito-identity.amazonaws.com:aud': this.identityPool.ref },
          'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' },
        },
        'sts:AssumeRoleWithWebIdentity',
      ),
      maxSessionDuration: Duration.hours(1),
    });
    // A separate policy resource (not inline): the API function's environment names this role, and the
    // API's methods name the function, so the role itself must not depend on the API.
    this.signedInRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'InvokeServiceApi',
        actions: ['execute-api:Invoke'],
        resources: [api.arnForExecuteApi('*', '/v1/*', stageName)],
      }),
    );
    new cognito.CfnIdentityPoolRoleAttachment(this, 'IdentityRoles', {
      identityPoolId: this.identityPool.ref,
      roles: { authenticated: this.signedInRole.roleArn },
    });

    // ---- content -------------------------------------------------------------------------------
    const config: ConsoleRuntimeConfig = {
      apiUrl: api.url,
      region: Aws.REGION,
      userPoolId: this.userPool.userPoolId,
      userPoolClientId: this.userPoolClient.userPoolClientId,
      identityPoolId: this.identityPool.ref,
    };
    this.built = fs.existsSync(path.join(props.distDir, 'index.html'));
    if (!this.built) {
      Annotations.of(this).addInfo(
        `${path.relative(process.cwd(), props.distDir) || '.'}/index.html not found: deploying a placeholder page. Build the console (npx vite build console) and deploy again.`,
      );
    }
    // CDK's deploy handler logs here (with the stack's retention and removal policy) instead of a
    // log group of its own kept for two years.
    const logGroup = new logs.LogGroup(this, 'DeployLogs', {
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: props.removalPolicy,
    });
    const assetsDir = path.join(props.distDir, 'assets');
    let assets: s3deploy.BucketDeployment | undefined;
    if (this.built && fs.existsSync(assetsDir)) {
      // Vite names these files by content hash: cache them for a year; old ones stay for open tabs.
      assets = new s3deploy.BucketDeployment(this, 'DeployAssets', {
        sources: [s3deploy.Source.asset(assetsDir)],
        destinationBucket: this.bucket,
        destinationKeyPrefix: 'assets/',
        prune: false,
        logGroup,
        cacheControl: [
          s3deploy.CacheControl.setPublic(),
          s3deploy.CacheControl.maxAge(Duration.days(365)),
          s3deploy.CacheControl.immutable(),
        ],
      });
      this.deployments.push(assets);
    }
    // index.html, unhashed public files and config.json: revalidated on every load, and the CDN is
    // invalidated, so a deploy shows at once.
    const page = new s3deploy.BucketDeployment(this, 'DeployPage', {
      sources: [
        this.built
          ? s3deploy.Source.asset(props.distDir, { exclude: ['assets', 'assets/**', CONSOLE_CONFIG_FILE] })
          : s3deploy.Source.data('index.html', PLACEHOLDER_PAGE),
        s3deploy.Source.jsonData(CONSOLE_CONFIG_FILE, config),
      ],
      destinationBucket: this.bucket,
      prune: false,
      logGroup,
      cacheControl: [s3deploy.CacheControl.noCache()],
      distribution: this.distribution,
      distributionPaths: ['/*'],
    });
    // index.html goes live only once the assets it names are there.
    if (assets) page.node.addDependency(assets);
    this.deployments.push(page);

    this.acknowledgeFindings(props);
  }

  /** cdk-nag acknowledgements for the console's resources, each with the reason a reviewer needs. */
  private acknowledgeFindings(props: ServiceConsoleProps): void {
    const ack = (scope: IConstruct, id: string, reason: string) => Validations.of(scope).acknowledge({ id, reason });
    ack(
      this.bucket,
      'AwsSolutions-S1',
      "The bucket holds only the console's build output (no user data) and is read only by this CloudFront distribution (origin access control); what users do is recorded in the API's access logs.",
    );
    const cdn = this.distribution;
    ack(
      cdn,
      'AwsSolutions-CFR1',
      'The console serves the service users wherever they work; add a CloudFront geo restriction if your organisation limits countries.',
    );
    ack(
      cdn,
      'AwsSolutions-CFR2',
      'Static files only: every API call goes to API Gateway, which requires a SigV4 signature, is throttled, and takes the optional regional web ACL (context webAclArn).',
    );
    ack(
      cdn,
      'AwsSolutions-CFR3',
      "Viewer requests fetch the same public build files and carry no data; who did what is in the API's access logs (caller and Cognito identity).",
    );
    ack(
      cdn,
      'AwsSolutions-CFR4',
      "The distribution uses CloudFront's default *.cloudfront.net certificate, whose TLS policy CloudFront sets; a custom domain with an ACM certificate (TLSv1.2_2021) is not part of this stack.",
    );
    if (props.mfa !== 'required') {
      ack(
        this.userPool,
        'AwsSolutions-COG2',
        props.mfa === 'optional'
          ? 'MFA is optional (TOTP): users created by an administrator may enrol an authenticator app; deploy with -c consoleMfa=required to enforce it for everyone.'
          : 'MFA is off because the deployment chose -c consoleMfa=off; the password policy still requires 12 characters of four kinds.',
      );
    }
    ack(
      this.userPool,
      'AwsSolutions-COG8',
      'Essentials feature plan: Plus (threat protection) is billed per monthly active user; users are created by administrators (no self sign-up by default) and a signed-in user can only invoke the API.',
    );
    const logicalId = (c: IConstruct): string =>
      Stack.of(this).resolve((c.node.defaultChild as CfnElement).logicalId) as string;
    ack(
      this.signedInRole,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${logicalId(props.api)}>/${props.stageName}/*/v1/*]`,
      "Signed-in console users may invoke the /v1 routes of this API's stage and nothing else; the API makes each Cognito identity its own tenant.",
    );

    // CDK's BucketDeployment handler (one per stack) copies the build into the bucket at deploy time.
    for (const handler of Stack.of(this).node.children.filter((c) =>
      c.node.id.startsWith('Custom::CDKBucketDeployment'),
    )) {
      const role = handler.node.findChild('ServiceRole');
      ack(
        role,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        "CDK's BucketDeployment handler writes its own logs with the AWS managed basic execution policy; it runs only during deployments.",
      );
      for (const action of ['s3:GetBucket*', 's3:GetObject*', 's3:List*', 's3:Abort*', 's3:DeleteObject*']) {
        ack(
          role,
          `AwsSolutions-IAM5[Action::${action}]`,
          "CDK's BucketDeployment read/write grant for its two buckets only: the CDK asset bucket (read the build) and the console bucket (write it).",
        );
      }
      ack(
        role,
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]',
        "CDK's BucketDeployment reads the console build from the CDK bootstrap asset bucket of this account and region.",
      );
      ack(
        role,
        `AwsSolutions-IAM5[Resource::<${logicalId(this.bucket)}.Arn>/*]`,
        "CDK's BucketDeployment writes the console build to the console bucket's objects.",
      );
      ack(
        role,
        'AwsSolutions-IAM5[Resource::*]',
        "CDK's BucketDeployment grants cloudfront:CreateInvalidation/GetInvalidation on *; it invalidates only the console distribution after each deploy.",
      );
      ack(
        handler,
        'AwsSolutions-L1',
        "CDK's BucketDeployment handler runtime is chosen by aws-cdk-lib and moves with it; it runs only during deployments.",
      );
    }
  }
}
