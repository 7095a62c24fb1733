/** DescribeVpcResources (state machine pre-flight): assume role B, check everything, return facts. */
import { loadConfig } from '../lib/config.js';
import { roleBClients } from '../lib/aws/tenant-role.js';
import { lambdaHandler } from '../lib/middleware.js';
import { defaultStore } from '../lib/store/dynamo-store.js';
import { describeVpcResources, type PreflightRequest } from './preflight.js';

const config = loadConfig();

export const handler = lambdaHandler(async (event: PreflightRequest) => {
  const { clients } = await roleBClients(event, { store: defaultStore(), config });
  return describeVpcResources(event, clients);
});
