/** DescribeVpcResources (state machine pre-flight): assume role B, check everything, return facts. */

import { cloudFormationClient, ec2Client, eksClient, iamClient } from '../lib/aws/clients.js';
import { roleBSession } from '../lib/aws/tenant-role.js';
import { loadConfig } from '../lib/config.js';
import { lambdaHandler } from '../lib/middleware.js';
import { defaultStore } from '../lib/store/dynamo-store.js';
import { describeVpcResources, type PreflightRequest } from './preflight.js';

const config = loadConfig();

export const handler = lambdaHandler(async (event: PreflightRequest) => {
  const { session } = await roleBSession(event, { store: defaultStore(), config });
  return describeVpcResources(event, {
    ec2: ec2Client(session),
    eks: eksClient(session),
    iam: iamClient(session),
    cloudformation: cloudFormationClient(session),
  });
});
