/** `tsx local/sandbox/main.ts [-- --port 4566 --world FILE …]`: the sandbox alone, on its generic default world. */
import '../quiet-sdk.js';
import { serveFromCommandLine } from './cli.js';
import { CUSTOMER_ACCESS_KEY_ID } from './world/default-world.js';

await serveFromCommandLine({
  banner: [`account 222222222222 key ${CUSTOMER_ACCESS_KEY_ID} (account 111111111111 has no users)`],
});
