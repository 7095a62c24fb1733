/**
 * The AWS SDK prints a notice about Node 20's end of support on the first client it builds. It is
 * library noise, not ours to show: import this module before any SDK client is made (entry points,
 * test set-up). The SDK renamed the switch once, so both names are set.
 */
export const QUIET_SDK_ENV = {
  AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
} as const;

Object.assign(process.env, QUIET_SDK_ENV);
