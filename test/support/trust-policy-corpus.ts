/**
 * Trust policies for role B, shared by the External ID proof's tests (must the product accept it?) and
 * the differential test of the sandbox's AssumeRole decisions against an independent IAM evaluator.
 *
 * The service's account is 111111111111, role B lives in 222222222222, 333333333333 is a stranger.
 * XID is this tenant's External ID; OTHER_TENANT_XID starts with the same character, so patterns such
 * as `StringLike "3*"` admit it (the attack the sampling probes missed 15 times in 16).
 */
import type { TrustProblemKind } from '../../functions/lib/policy/trust-policy-proof.js';

export const SERVICE_ACCOUNT = '111111111111';
export const CUSTOMER_ACCOUNT = '222222222222';
export const STRANGER_ACCOUNT = '333333333333';
export const XID = '3f1c0d9e8b7a65432100fedcba9876543210abcd';
export const OTHER_TENANT_XID = '3a9b8c7d6e5f40312233445566778899aabbccdd';
export const RANDOM_XID = 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00';

const ROOT = `arn:aws:iam::${SERVICE_ACCOUNT}:root`;
const SERVICE_USER = `arn:aws:iam::${SERVICE_ACCOUNT}:user/eks-provisioner`;
const SERVICE_ROLE = `arn:aws:iam::${SERVICE_ACCOUNT}:role/eks-provisioner-functions`;
const STRANGER_ROOT = `arn:aws:iam::${STRANGER_ACCOUNT}:root`;

type Json = Record<string, unknown>;

export interface TrustCase {
  name: string;
  /** The document (an object, or raw JSON text where spelling matters). */
  policy: Json | string;
  /** What the product's proof must say: accept, or refuse with this kind. */
  proof: 'accept' | TrustProblemKind;
  /** 0-based index of the statement the refusal must name. */
  offending?: number;
  /** Leave out of the differential run (e.g. duplicate keys: JSON parsers disagree on them). */
  differential?: false;
  /** AWS denies the service's IAM user even its real AssumeRole (the policy names another of its principals). */
  realAssume?: 'denied';
}

const pinned = { StringEquals: { 'sts:ExternalId': XID } };

/** One Allow statement, sts:AssumeRole, the service's account root as principal, unless overridden. */
function allow(over: Json = {}): Json {
  return { Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'sts:AssumeRole', ...over };
}

function doc(...statements: Json[]): Json {
  return { Version: '2012-10-17', Statement: statements };
}

export const TRUST_CORPUS: TrustCase[] = [
  // ---- accepted: every way in for the service demands exactly this tenant's External ID -------------
  { name: 'canonical: account root, StringEquals our ID', policy: doc(allow({ Condition: pinned })), proof: 'accept' },
  {
    name: 'principal spelled as the bare account id',
    policy: doc(allow({ Principal: { AWS: SERVICE_ACCOUNT }, Condition: pinned })),
    proof: 'accept',
  },
  {
    name: 'principal as a one-element AWS list',
    policy: doc(allow({ Principal: { AWS: [ROOT] }, Condition: pinned })),
    proof: 'accept',
  },
  {
    name: "principal: the service's IAM user",
    policy: doc(allow({ Principal: { AWS: SERVICE_USER }, Condition: pinned })),
    proof: 'accept',
  },
  {
    name: "principal: a role of the service's account",
    policy: doc(allow({ Principal: { AWS: SERVICE_ROLE }, Condition: pinned })),
    proof: 'accept',
    realAssume: 'denied',
  },
  {
    name: 'principal list: service and a stranger, pinned',
    policy: doc(allow({ Principal: { AWS: [STRANGER_ROOT, ROOT] }, Condition: pinned })),
    proof: 'accept',
  },
  {
    name: 'operator name in lower case (stringequals)',
    policy: doc(allow({ Condition: { stringequals: { 'sts:ExternalId': XID } } })),
    proof: 'accept',
  },
  {
    name: 'operator name in odd case (stringEQUALS)',
    policy: doc(allow({ Condition: { stringEQUALS: { 'sts:ExternalId': XID } } })),
    proof: 'accept',
  },
  {
    name: 'condition key in lower case (sts:externalid)',
    policy: doc(allow({ Condition: { StringEquals: { 'sts:externalid': XID } } })),
    proof: 'accept',
  },
  {
    name: 'StringEquals with a one-element list of our ID',
    policy: doc(allow({ Condition: { StringEquals: { 'sts:ExternalId': [XID] } } })),
    proof: 'accept',
  },
  {
    name: 'our ID listed twice',
    policy: doc(allow({ Condition: { StringEquals: { 'sts:ExternalId': [XID, XID] } } })),
    proof: 'accept',
  },
  {
    name: 'pinned plus a narrowing session-name pattern',
    policy: doc(
      allow({
        Condition: {
          StringEquals: { 'sts:ExternalId': XID },
          StringLike: { 'sts:RoleSessionName': 'eks-provisioner-*' },
        },
      }),
    ),
    proof: 'accept',
  },
  {
    name: 'pinned plus aws:PrincipalArn of the service user',
    policy: doc(allow({ Condition: { StringEquals: { 'sts:ExternalId': XID, 'aws:PrincipalArn': SERVICE_USER } } })),
    proof: 'accept',
  },
  {
    name: 'pinned and also StringLike "*" (AND: the pin holds)',
    policy: doc(
      allow({ Condition: { StringEquals: { 'sts:ExternalId': XID }, StringLike: { 'sts:ExternalId': '*' } } }),
    ),
    proof: 'accept',
  },
  {
    name: 'Action list with sts:TagSession',
    policy: doc(allow({ Action: ['sts:AssumeRole', 'sts:TagSession'], Condition: pinned })),
    proof: 'accept',
  },
  { name: 'Action "sts:*", pinned', policy: doc(allow({ Action: 'sts:*', Condition: pinned })), proof: 'accept' },
  { name: 'Action "*", pinned', policy: doc(allow({ Action: '*', Condition: pinned })), proof: 'accept' },
  {
    name: 'action in lower case (sts:assumerole), pinned',
    policy: doc(allow({ Action: 'sts:assumerole', Condition: pinned })),
    proof: 'accept',
  },
  {
    name: 'a second statement for sts:TagSession alone, unconditioned',
    policy: doc(allow({ Condition: pinned }), allow({ Action: 'sts:TagSession' })),
    proof: 'accept',
  },
  {
    name: 'a second statement for sts:SetSourceIdentity alone, unconditioned',
    policy: doc(allow({ Condition: pinned }), allow({ Action: 'sts:SetSourceIdentity' })),
    proof: 'accept',
  },
  {
    name: 'a Deny for other External IDs (only narrows)',
    policy: doc(allow({ Condition: pinned }), {
      Effect: 'Deny',
      Principal: '*',
      Action: 'sts:AssumeRole',
      Condition: { StringNotEquals: { 'sts:ExternalId': XID } },
    }),
    proof: 'accept',
  },
  {
    name: 'a Deny with NotPrincipal (only narrows)',
    policy: doc(allow({ Condition: pinned }), {
      Effect: 'Deny',
      NotPrincipal: { AWS: ROOT },
      Action: 'sts:AssumeRole',
    }),
    proof: 'accept',
  },
  {
    name: 'a Deny of the stranger',
    policy: doc(allow({ Condition: pinned }), {
      Effect: 'Deny',
      Principal: { AWS: STRANGER_ROOT },
      Action: 'sts:AssumeRole',
    }),
    proof: 'accept',
  },
  {
    name: 'two pinned Allow statements (root and user)',
    policy: doc(allow({ Condition: pinned }), allow({ Principal: { AWS: SERVICE_USER }, Condition: pinned })),
    proof: 'accept',
  },
  {
    name: 'a second statement trusting the customer account itself, unconditioned',
    policy: doc(allow({ Condition: pinned }), allow({ Principal: { AWS: `arn:aws:iam::${CUSTOMER_ACCOUNT}:root` } })),
    proof: 'accept',
  },
  {
    name: 'a second statement trusting a stranger account, unconditioned',
    policy: doc(allow({ Condition: pinned }), allow({ Principal: { AWS: STRANGER_ROOT } })),
    proof: 'accept',
  },
  {
    name: 'a second statement for an AWS service principal',
    policy: doc(allow({ Condition: pinned }), allow({ Principal: { Service: 'ec2.amazonaws.com' } })),
    proof: 'accept',
  },
  {
    name: 'Statement as a single object, not a list',
    policy: { Version: '2012-10-17', Statement: allow({ Condition: pinned }) },
    proof: 'accept',
  },
  {
    name: 'Version 2008-10-17',
    policy: { Version: '2008-10-17', Statement: [allow({ Condition: pinned })] },
    proof: 'accept',
  },
  {
    name: 'NotAction that leaves sts:AssumeRole in, pinned',
    policy: doc({ Effect: 'Allow', Principal: { AWS: ROOT }, NotAction: 'sts:TagSession', Condition: pinned }),
    proof: 'accept',
  },

  // ---- refused: the External ID is not pinned ------------------------------------------------------
  { name: 'no condition at all', policy: doc(allow()), proof: 'external-id-not-pinned', offending: 0 },
  {
    name: 'StringLike "*"',
    policy: doc(allow({ Condition: { StringLike: { 'sts:ExternalId': '*' } } })),
    proof: 'external-id-not-pinned',
    offending: 0,
  },
  {
    name: 'StringLike "3*" (one tenant in 16)',
    policy: doc(allow({ Condition: { StringLike: { 'sts:ExternalId': '3*' } } })),
    proof: 'external-id-not-pinned',
    offending: 0,
  },
  {
    name: 'StringLike "3?…" pattern of our length',
    policy: doc(allow({ Condition: { StringLike: { 'sts:ExternalId': `3${'?'.repeat(39)}` } } })),
    proof: 'external-id-not-pinned',
  },
  {
    name: 'StringLike list: our ID and a pattern',
    policy: doc(allow({ Condition: { StringLike: { 'sts:ExternalId': [XID, '3*'] } } })),
    proof: 'external-id-not-pinned',
    offending: 0,
  },
  {
    name: 'StringLike with our literal ID (pattern operator)',
    policy: doc(allow({ Condition: { StringLike: { 'sts:ExternalId': XID } } })),
    proof: 'external-id-not-pinned',
  },
  {
    name: 'StringEqualsIfExists',
    policy: doc(allow({ Condition: { StringEqualsIfExists: { 'sts:ExternalId': XID } } })),
    proof: 'external-id-not-pinned',
    offending: 0,
  },
  {
    name: 'StringLikeIfExists',
    policy: doc(allow({ Condition: { StringLikeIfExists: { 'sts:ExternalId': XID } } })),
    proof: 'external-id-not-pinned',
  },
  {
    name: 'Null false (any External ID)',
    policy: doc(allow({ Condition: { Null: { 'sts:ExternalId': 'false' } } })),
    proof: 'external-id-not-pinned',
  },
  {
    name: 'Null true (no External ID)',
    policy: doc(allow({ Condition: { Null: { 'sts:ExternalId': 'true' } } })),
    proof: 'external-id-not-pinned',
  },
  {
    name: 'Null false plus StringEqualsIfExists (sound, but not the plain form)',
    policy: doc(
      allow({ Condition: { Null: { 'sts:ExternalId': 'false' }, StringEqualsIfExists: { 'sts:ExternalId': XID } } }),
    ),
    proof: 'external-id-not-pinned',
  },
  {
    name: 'StringNotEquals another ID',
    policy: doc(allow({ Condition: { StringNotEquals: { 'sts:ExternalId': RANDOM_XID } } })),
    proof: 'external-id-not-pinned',
  },
  {
    name: 'StringNotLike "c*"',
    policy: doc(allow({ Condition: { StringNotLike: { 'sts:ExternalId': 'c*' } } })),
    proof: 'external-id-not-pinned',
  },
  {
    name: 'ForAnyValue:StringEquals (set operator)',
    policy: doc(allow({ Condition: { 'ForAnyValue:StringEquals': { 'sts:ExternalId': XID } } })),
    proof: 'external-id-not-pinned',
  },
  {
    name: 'ForAllValues:StringEquals (absent passes)',
    policy: doc(allow({ Condition: { 'ForAllValues:StringEquals': { 'sts:ExternalId': XID } } })),
    proof: 'external-id-not-pinned',
  },
  {
    name: "StringEquals list with another tenant's ID",
    policy: doc(allow({ Condition: { StringEquals: { 'sts:ExternalId': [XID, OTHER_TENANT_XID] } } })),
    proof: 'external-id-not-pinned',
    offending: 0,
  },
  {
    name: "StringEquals another tenant's ID only",
    policy: doc(allow({ Condition: { StringEquals: { 'sts:ExternalId': OTHER_TENANT_XID } } })),
    proof: 'external-id-not-pinned',
  },
  {
    name: 'StringEqualsIgnoreCase',
    policy: doc(allow({ Condition: { StringEqualsIgnoreCase: { 'sts:ExternalId': XID } } })),
    proof: 'external-id-not-pinned',
  },
  {
    name: 'session-name condition only (the probes could be told apart)',
    policy: doc(allow({ Condition: { StringLike: { 'sts:RoleSessionName': 'eks-provisioner-*' } } })),
    proof: 'external-id-not-pinned',
  },
  {
    name: 'aws:PrincipalArn condition only',
    policy: doc(allow({ Condition: { StringEquals: { 'aws:PrincipalArn': SERVICE_USER } } })),
    proof: 'external-id-not-pinned',
  },
  {
    name: 'aws:SourceAccount condition only',
    policy: doc(allow({ Condition: { StringEquals: { 'aws:SourceAccount': SERVICE_ACCOUNT } } })),
    proof: 'external-id-not-pinned',
  },
  {
    name: 'aws:PrincipalAccount condition only',
    policy: doc(allow({ Condition: { StringEquals: { 'aws:PrincipalAccount': SERVICE_ACCOUNT } } })),
    proof: 'external-id-not-pinned',
  },
  {
    name: 'bare account id, no condition',
    policy: doc(allow({ Principal: { AWS: SERVICE_ACCOUNT } })),
    proof: 'external-id-not-pinned',
  },
  {
    name: "the service's user, no condition",
    policy: doc(allow({ Principal: { AWS: SERVICE_USER } })),
    proof: 'external-id-not-pinned',
  },
  {
    name: 'principal as a unique id (whose, cannot be told), no condition',
    policy: doc(allow({ Principal: { AWS: 'AIDAJQABLZS4A3QDU576Q' } })),
    proof: 'external-id-not-pinned',
  },
  {
    name: 'principal list with the service, no condition',
    policy: doc(allow({ Principal: { AWS: [STRANGER_ROOT, SERVICE_ACCOUNT] } })),
    proof: 'external-id-not-pinned',
  },
  { name: 'Action "sts:*", no condition', policy: doc(allow({ Action: 'sts:*' })), proof: 'external-id-not-pinned' },
  { name: 'Action "*", no condition', policy: doc(allow({ Action: '*' })), proof: 'external-id-not-pinned' },
  {
    name: 'Action "sts:Assume*", no condition',
    policy: doc(allow({ Action: 'sts:Assume*' })),
    proof: 'external-id-not-pinned',
  },
  {
    name: 'action in lower case, no condition',
    policy: doc(allow({ Action: 'sts:assumerole' })),
    proof: 'external-id-not-pinned',
  },
  {
    name: 'AssumeRole with TagSession, no condition',
    policy: doc(allow({ Action: ['sts:TagSession', 'sts:AssumeRole'] })),
    proof: 'external-id-not-pinned',
  },
  {
    name: 'NotAction that leaves sts:AssumeRole in, no condition',
    policy: doc({ Effect: 'Allow', Principal: { AWS: ROOT }, NotAction: 'sts:TagSession' }),
    proof: 'external-id-not-pinned',
  },
  {
    name: 'pinned first statement, unconditioned second',
    policy: doc(allow({ Condition: pinned }), allow({ Principal: { AWS: SERVICE_USER } })),
    proof: 'external-id-not-pinned',
    offending: 1,
  },
  {
    name: 'pinned first statement, IfExists second',
    policy: doc(
      allow({ Condition: pinned }),
      allow({ Condition: { StringEqualsIfExists: { 'sts:ExternalId': XID } } }),
    ),
    proof: 'external-id-not-pinned',
    offending: 1,
  },
  {
    name: 'pinned first statement, "sts:*" second without condition',
    policy: doc(allow({ Condition: pinned }), allow({ Action: 'sts:*' })),
    proof: 'external-id-not-pinned',
    offending: 1,
  },
  {
    name: 'unconditioned Allow with a Deny of other IDs (sound, but not the plain form)',
    policy: doc(allow(), {
      Effect: 'Deny',
      Principal: '*',
      Action: 'sts:AssumeRole',
      Condition: { StringNotEquals: { 'sts:ExternalId': XID } },
    }),
    proof: 'external-id-not-pinned',
    offending: 0,
  },

  // ---- refused: the principal trusts everyone --------------------------------------------------------
  {
    name: 'Principal "*" with our ID',
    policy: doc(allow({ Principal: '*', Condition: pinned })),
    proof: 'wildcard-principal',
    offending: 0,
  },
  {
    name: 'Principal {AWS:"*"} with our ID',
    policy: doc(allow({ Principal: { AWS: '*' }, Condition: pinned })),
    proof: 'wildcard-principal',
  },
  {
    name: 'Principal {AWS:["*"]} with our ID',
    policy: doc(allow({ Principal: { AWS: ['*'] }, Condition: pinned })),
    proof: 'wildcard-principal',
  },
  {
    name: 'Principal "*" limited to the service account by aws:PrincipalAccount, pinned',
    policy: doc(
      allow({
        Principal: '*',
        Condition: { StringEquals: { 'sts:ExternalId': XID, 'aws:PrincipalAccount': SERVICE_ACCOUNT } },
      }),
    ),
    proof: 'wildcard-principal',
  },
  { name: 'Principal "*" without condition', policy: doc(allow({ Principal: '*' })), proof: 'wildcard-principal' },
  {
    name: 'pinned first statement, Principal "*" second',
    policy: doc(allow({ Condition: pinned }), allow({ Principal: { AWS: '*' }, Condition: pinned })),
    proof: 'wildcard-principal',
    offending: 1,
  },
  {
    name: 'NotPrincipal in an Allow, with our ID',
    policy: doc({ Effect: 'Allow', NotPrincipal: { AWS: STRANGER_ROOT }, Action: 'sts:AssumeRole', Condition: pinned }),
    proof: 'not-principal',
    offending: 0,
  },

  // ---- refused: nothing trusts the service, or the text cannot be read one way ----------------------
  {
    name: 'only an AWS service principal',
    policy: doc(allow({ Principal: { Service: 'eks.amazonaws.com' } })),
    proof: 'service-not-trusted',
  },
  {
    name: 'only a stranger account, pinned',
    policy: doc(allow({ Principal: { AWS: STRANGER_ROOT }, Condition: pinned })),
    proof: 'service-not-trusted',
  },
  {
    name: 'duplicate operator keys (parsers disagree on which wins)',
    policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"${ROOT}"},"Action":"sts:AssumeRole","Condition":{"StringLike":{"sts:ExternalId":"*"},"StringLike":{"sts:ExternalId":"${XID}"}}}]}`,
    proof: 'duplicate-key',
    differential: false,
  },
];

/** Trust policies AWS refuses at CreateRole/UpdateAssumeRolePolicy (MalformedPolicyDocument), with its wording. */
export const MALFORMED_TRUST_POLICIES: Array<{ name: string; policy: Json; message: RegExp }> = [
  {
    name: 'Resource in a trust policy',
    policy: doc(allow({ Resource: '*', Condition: pinned })),
    message: /^Has prohibited field Resource/,
  },
  {
    name: 'NotResource in a trust policy',
    policy: doc(allow({ NotResource: 'arn:aws:s3:::x', Condition: pinned })),
    message: /^Has prohibited field Resource/,
  },
  {
    name: 'no Principal',
    policy: doc({ Effect: 'Allow', Action: 'sts:AssumeRole' }),
    message: /missing required field Principal/,
  },
  {
    name: 'principal that is not an ARN or account id',
    policy: doc(allow({ Principal: { AWS: 'eks-provisioner' } })),
    message: /^Invalid principal in policy: "AWS":"eks-provisioner"/,
  },
  {
    name: 'wildcard inside a principal ARN',
    policy: doc(allow({ Principal: { AWS: `arn:aws:iam::${SERVICE_ACCOUNT}:role/*` } })),
    message: /^Invalid principal in policy/,
  },
  {
    name: 'account id of the wrong length',
    policy: doc(allow({ Principal: { AWS: '11111111111' } })),
    message: /^Invalid principal in policy/,
  },
  {
    name: 'unknown condition operator',
    policy: doc(allow({ Condition: { StringEqualz: { 'sts:ExternalId': XID } } })),
    message: /^Syntax errors in policy/,
  },
  {
    name: 'unknown set prefix',
    policy: doc(allow({ Condition: { 'ForSomeValues:StringEquals': { 'sts:ExternalId': XID } } })),
    message: /^Syntax errors in policy/,
  },
  {
    name: 'condition value that is an object',
    policy: doc(allow({ Condition: { StringEquals: { 'sts:ExternalId': { x: 1 } } } })),
    message: /^Syntax errors in policy/,
  },
  {
    name: 'Effect that is neither Allow nor Deny',
    policy: doc(allow({ Effect: 'Permit' })),
    message: /^Syntax errors in policy/,
  },
  {
    name: 'unknown statement element',
    policy: doc(allow({ Conditions: pinned })),
    message: /^Syntax errors in policy/,
  },
];
