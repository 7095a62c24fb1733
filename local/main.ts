/**
 * Entry point of `npm start` and the `eks-provisioner` command. Library notices are silenced before
 * any library loads (static imports would run first, hence the dynamic ones).
 */
process.env['AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE'] = '1';
// The SDK's "Node 20 support ends" notice (current name of the switch).
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';
await import('./polyfills.js');
const { program } = await import('./cli/program.js');
await program().parseAsync(process.argv);
export {};
