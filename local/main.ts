/**
 * Entry point of `npm start` and the `eks-provisioner` command. Library notices are silenced before
 * any library loads (static imports would run first, hence the dynamic ones).
 */
await import('./quiet-sdk.js');
await import('./polyfills.js');
const { program } = await import('./cli/program.js');
await program().parseAsync(process.argv);
export {};
