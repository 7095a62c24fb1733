/**
 * Entry point of `npm start` and the `eks-provisioner` command. Library notices are silenced before
 * any library loads (static imports would run first, hence the dynamic ones).
 */
process.env['AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE'] = '1';
await import('./polyfills.js');
const { program } = await import('./cli/program.js');
await program().parseAsync(process.argv);
export {};
