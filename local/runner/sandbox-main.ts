/**
 * `npm run sandbox [-- --port 4566 --world FILE --time-scale 100 --dynamo-path DIR --data-dir DIR]`: the AWS
 * sandbox alone, serving the product's world (the default world plus the service's IAM user) until Ctrl-C.
 */
import '../quiet-sdk.js';
import { serveFromCommandLine } from '../sandbox/cli.js';
import { CUSTOMER_ACCESS_KEY_ID } from '../sandbox/world/default-world.js';
import { productWorld, SERVICE_ACCESS_KEY_ID } from './product-world.js';

await serveFromCommandLine({
  world: productWorld(),
  worldName: 'the built-in demo world',
  banner: [
    `service account 111111111111 key ${SERVICE_ACCESS_KEY_ID}; customer account 222222222222 key ${CUSTOMER_ACCESS_KEY_ID}`,
  ],
});
