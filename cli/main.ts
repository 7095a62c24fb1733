/**
 * Entry point of `npm start` and the `eks-provisioner` command. Library notices are silenced before
 * any library loads (static imports would run first, hence the dynamic ones).
 */
await import('../local/quiet-sdk.js');
const { program } = await import('./program.js');
await program().parseAsync(process.argv);

export {};
