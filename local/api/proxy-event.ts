/**
 * An API Gateway REST (v1) proxy event for a `/{proxy+}` resource, from the parts of a request.
 * The local API server and the API tests both build their events here, so the handler sees one shape.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';

export interface ProxyEventParts {
  method: string;
  /** Percent-decoded, not dot-normalised (as API Gateway passes it). */
  path: string;
  multiValueHeaders: Record<string, string[]>;
  multiValueQuery: Record<string, string[]>;
  body: string | null;
  isBase64Encoded: boolean;
  stage: string;
  /** Where `requestContext.path` differs from `path` (a stage prefix in AWS). */
  contextPath?: string;
  protocol: string;
  sourceIp: string;
  userAgent: string | null;
  /** The SigV4 caller under IAM authorization; null locally. */
  userArn: string | null;
  accountId: string;
  apiId: string;
  resourceId: string;
  requestId: string;
  requestTimeEpoch: number;
}

/**
 * Single-value view of a multi-value map: the last value wins, as API Gateway does. Own keys only,
 * on a null-prototype object, so `__proto__` or `constructor` are plain names.
 */
const lastValues = (m: Record<string, string[]>): Record<string, string> =>
  Object.assign(
    Object.create(null) as Record<string, string>,
    Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v[v.length - 1]!])),
  );

export function proxyEvent(p: ProxyEventParts): APIGatewayProxyEvent {
  const hasQuery = Object.keys(p.multiValueQuery).length > 0;
  return {
    resource: '/{proxy+}',
    path: p.path,
    httpMethod: p.method,
    headers: lastValues(p.multiValueHeaders),
    multiValueHeaders: p.multiValueHeaders,
    queryStringParameters: hasQuery ? lastValues(p.multiValueQuery) : null,
    multiValueQueryStringParameters: hasQuery ? p.multiValueQuery : null,
    pathParameters: { proxy: p.path.replace(/^\//, '') },
    stageVariables: null,
    body: p.body,
    isBase64Encoded: p.isBase64Encoded,
    requestContext: {
      accountId: p.accountId,
      apiId: p.apiId,
      authorizer: null,
      protocol: p.protocol,
      httpMethod: p.method,
      path: p.contextPath ?? p.path,
      stage: p.stage,
      requestId: p.requestId,
      requestTimeEpoch: p.requestTimeEpoch,
      resourceId: p.resourceId,
      resourcePath: '/{proxy+}',
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: p.sourceIp,
        user: null,
        userAgent: p.userAgent,
        userArn: p.userArn,
      },
    },
  };
}
