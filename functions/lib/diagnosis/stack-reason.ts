/**
 * CloudFormation's ResourceStatusReason, unwrapped. Registry resource handlers wrap the service's
 * answer as
 *   Resource handler returned message: "<message> (Service: Eks, Status Code: 400, Request ID: …)"
 *   (RequestToken: …, HandlerErrorCode: InvalidRequest)
 * and older (non-registry) types as
 *   <message> (Service: AmazonEKS; Status Code: 400; Error Code: InvalidParameterException; Request ID: …; Proxy: null)
 *   API: iam:CreateRole User: arn:… is not authorized to perform: iam:CreateRole on resource: …
 */
export interface StackReason {
  /** The service's own words, without the wrappers. */
  message: string;
  service?: string;
  statusCode?: number;
  errorCode?: string;
  requestId?: string;
  /** CloudFormation's handler error code: AccessDenied, InvalidRequest, ServiceLimitExceeded, NotStabilized… */
  handlerErrorCode?: string;
  /** The IAM action an old-style "API: service:Action …" reason names. */
  apiAction?: string;
}

const HANDLER_WRAPPER =
  /^Resource handler returned message:\s*"([\s\S]*)"\s*(?:\(RequestToken:\s*[^,)]*,\s*HandlerErrorCode:\s*(\w+)\))?\s*$/;
const SERVICE_SUFFIX =
  /\s*\(Service:\s*([^,;)]*)[,;]\s*Status Code:\s*(\d+)[,;]\s*(?:Error Code:\s*([^;,)]+)[,;]\s*)?Request ID:\s*([^;,)]*)(?:[,;][^)]*)?\)\s*$/;
const API_PREFIX = /^API:\s*([a-z0-9-]+:[A-Za-z0-9]+)\s+/;

/** Noise: resources CloudFormation stopped because another one failed. */
export const CANCELLED = /^Resource (creation|update|deletion) cancelled\.?$/i;
/** Stack-level summaries ("The following resource(s) failed to create: [X]."), never a root cause. */
export const STACK_SUMMARY = /^The following resource\(s\) failed to (create|update|delete)/i;

export function unwrapReason(reason: string | undefined): StackReason {
  let message = (reason ?? '').trim();
  const out: Partial<StackReason> = {};
  const wrapped = HANDLER_WRAPPER.exec(message);
  if (wrapped) {
    message = wrapped[1]!.trim();
    if (wrapped[2]) out.handlerErrorCode = wrapped[2];
  }
  const suffix = SERVICE_SUFFIX.exec(message);
  if (suffix) {
    message = message.slice(0, suffix.index).trim();
    const service = suffix[1]!.trim();
    if (service && service !== 'null') out.service = service;
    const status = Number(suffix[2]);
    if (status) out.statusCode = status;
    if (suffix[3]) out.errorCode = suffix[3].trim();
    const rid = suffix[4]!.trim();
    if (rid && rid !== 'null') out.requestId = rid;
  }
  const api = API_PREFIX.exec(message);
  if (api) {
    out.apiAction = api[1];
    message = message.slice(api[0].length).trim();
  }
  return { message, ...out };
}
