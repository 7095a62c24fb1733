/**
 * The service table: for each AWS service the sandbox speaks, its wire protocol, the vendored model it is
 * (de)serialised with, the IAM action prefix, and the error codes AWS uses for the failures the server
 * raises before any handler runs (unknown key, expired token, throttling, 5xx, access denied, unknown op).
 *
 * The handler modules are attached by `router.ts`; this file holds only facts about AWS.
 */

export type Protocol = 'query' | 'ec2' | 'rest-json' | 'json';

export interface ErrorSpec {
  code: string;
  status: number;
  message: string;
}

export interface ServiceSpec {
  /** Key used in fault rules, logs and `RequestContext.service`; equals the SigV4 signing name. */
  key: string;
  protocol: Protocol;
  /** Vendored model file name: (de)serialisation for query/ec2/rest-json, request validation for all. */
  model?: string;
  /** JSON protocols: `X-Amz-Target` prefix and JSON version. */
  targetPrefix?: string;
  jsonVersion?: '1.0' | '1.1';
  /** IAM action prefix (`ec2`, `states`, …). */
  iamPrefix: string;
  /** Global services (IAM) skip the "region enabled" check; their scope region is us-east-1. */
  global?: boolean;
  accessDenied: { code: string; status: number };
  unknownKey: ErrorSpec;
  expiredToken: ErrorSpec;
  /** The signature does not verify with the key's secret (wrong secret key). */
  badSignature: ErrorSpec;
  missingAuth: ErrorSpec;
  throttle: ErrorSpec;
  internal: ErrorSpec;
  unavailable: ErrorSpec;
  unknownOperation: (op: string) => ErrorSpec;
}

const INVALID_TOKEN = 'The security token included in the request is invalid.';
const EXPIRED_TOKEN = 'The security token included in the request is expired';
const BAD_SIGNATURE =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

function queryService(key: string, extra: Partial<ServiceSpec> = {}): ServiceSpec {
  return {
    key,
    protocol: 'query',
    model: key,
    iamPrefix: key,
    accessDenied: { code: 'AccessDenied', status: 403 },
    unknownKey: { code: 'InvalidClientTokenId', status: 403, message: INVALID_TOKEN },
    expiredToken: { code: 'ExpiredToken', status: 400, message: EXPIRED_TOKEN },
    badSignature: { code: 'SignatureDoesNotMatch', status: 403, message: BAD_SIGNATURE },
    missingAuth: {
      code: 'MissingAuthenticationToken',
      status: 403,
      message: 'Request is missing Authentication Token',
    },
    throttle: { code: 'Throttling', status: 400, message: 'Rate exceeded' },
    internal: { code: 'InternalFailure', status: 500, message: 'We encountered an internal error. Please try again.' },
    unavailable: { code: 'ServiceUnavailable', status: 503, message: 'Service is unavailable. Please try again.' },
    unknownOperation: (op) => ({
      code: 'InvalidAction',
      status: 400,
      message: `Could not find operation ${op} for version ${key}`,
    }),
    ...extra,
  };
}

function jsonService(key: string, targetPrefix: string, jsonVersion: '1.0' | '1.1', model?: string): ServiceSpec {
  return {
    key,
    protocol: 'json',
    ...(model ? { model } : {}),
    targetPrefix,
    jsonVersion,
    iamPrefix: key,
    accessDenied: { code: 'AccessDeniedException', status: 400 },
    unknownKey: { code: 'UnrecognizedClientException', status: 400, message: INVALID_TOKEN },
    expiredToken: { code: 'ExpiredTokenException', status: 400, message: EXPIRED_TOKEN },
    badSignature: { code: 'InvalidSignatureException', status: 400, message: BAD_SIGNATURE },
    missingAuth: { code: 'MissingAuthenticationTokenException', status: 400, message: 'Missing Authentication Token' },
    throttle: { code: 'ThrottlingException', status: 400, message: 'Rate exceeded' },
    internal: { code: 'InternalException', status: 500, message: 'Internal error' },
    unavailable: { code: 'ServiceUnavailableException', status: 503, message: 'Service is unavailable' },
    unknownOperation: (op) => ({
      code: 'UnknownOperationException',
      status: 400,
      message: `${op} is not a supported operation`,
    }),
  };
}

export const SERVICES: Record<string, ServiceSpec> = {
  sts: queryService('sts'),
  iam: queryService('iam', { global: true }),
  cloudformation: queryService('cloudformation'),
  ec2: {
    key: 'ec2',
    protocol: 'ec2',
    model: 'ec2',
    iamPrefix: 'ec2',
    accessDenied: { code: 'UnauthorizedOperation', status: 403 },
    unknownKey: {
      code: 'AuthFailure',
      status: 401,
      message: 'AWS was not able to validate the provided access credentials',
    },
    expiredToken: { code: 'RequestExpired', status: 400, message: 'Request has expired.' },
    badSignature: {
      code: 'AuthFailure',
      status: 401,
      message: 'AWS was not able to validate the provided access credentials',
    },
    missingAuth: {
      code: 'MissingAuthenticationToken',
      status: 401,
      message: 'Request is missing Authentication Token',
    },
    throttle: { code: 'RequestLimitExceeded', status: 503, message: 'Request limit exceeded.' },
    internal: { code: 'InternalError', status: 500, message: 'An internal error has occurred' },
    unavailable: {
      code: 'Unavailable',
      status: 503,
      message: "The server is overloaded and can't handle the request.",
    },
    unknownOperation: (op) => ({
      code: 'InvalidAction',
      status: 400,
      message: `The action ${op} is not valid for this web service.`,
    }),
  },
  eks: {
    key: 'eks',
    protocol: 'rest-json',
    model: 'eks',
    iamPrefix: 'eks',
    accessDenied: { code: 'AccessDeniedException', status: 403 },
    unknownKey: { code: 'UnrecognizedClientException', status: 403, message: INVALID_TOKEN },
    expiredToken: { code: 'ExpiredTokenException', status: 403, message: EXPIRED_TOKEN },
    badSignature: { code: 'InvalidSignatureException', status: 403, message: BAD_SIGNATURE },
    missingAuth: { code: 'MissingAuthenticationTokenException', status: 403, message: 'Missing Authentication Token' },
    throttle: { code: 'ThrottlingException', status: 429, message: 'Rate exceeded' },
    internal: { code: 'ServerException', status: 500, message: 'An internal error occurred.' },
    unavailable: {
      code: 'ServiceUnavailableException',
      status: 503,
      message: 'The service is unavailable. Try again later.',
    },
    unknownOperation: (op) => ({
      code: 'UnknownOperationException',
      status: 404,
      message: `${op} is not a supported operation`,
    }),
  },
  events: jsonService('events', 'AWSEvents', '1.1', 'events'),
  states: jsonService('states', 'AWSStepFunctions', '1.0', 'stepfunctions'),
  // No vendored model: dynalite validates DynamoDB requests itself, with DynamoDB's own messages.
  dynamodb: jsonService('dynamodb', 'DynamoDB_20120810', '1.0'),
};

/** X-Amz-Target prefix → service key (for requests whose scope names no known service). */
export function serviceForTarget(target: string): ServiceSpec | undefined {
  const prefix = target.split('.')[0];
  return Object.values(SERVICES).find((s) => s.targetPrefix === prefix);
}
