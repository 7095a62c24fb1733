/**
 * What Node 20 lacks that our runtime dependencies use. Import this module first (before
 * aws-local-stepfunctions is loaded): the package declares node >= 22 and calls
 * `Promise.withResolvers` (ES2024) in every Task state. Each polyfill installs itself only when the
 * runtime does not have the feature, so on Node 22 (Lambda's nodejs22.x) this file does nothing.
 *
 * Checked against aws-local-stepfunctions 3.0.0 and its dependencies (jsonpath-plus, p-limit,
 * wildcard-match, asl-validator): `Promise.withResolvers` is the only ES2024+ API they call.
 * `AbortSignal.any` (also used) exists since Node 20.3.
 */

interface Resolvers<T> {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
}

const promiseCtor = Promise as unknown as { withResolvers?: <T>() => Resolvers<T> };

if (typeof promiseCtor.withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    enumerable: false,
    value: function withResolvers<T>(this: PromiseConstructor): Resolvers<T> {
      let resolve!: Resolvers<T>['resolve'];
      let reject!: Resolvers<T>['reject'];
      // `this` keeps subclass semantics (Promise.withResolvers.call(MyPromise)) like the native one.
      const Ctor = (typeof this === 'function' ? this : Promise) as PromiseConstructor;
      const promise = new Ctor<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}

if (typeof AbortSignal.any !== 'function') {
  // Node < 20.3: the runner needs Node 20.3 or newer (engines says >=20; say it plainly).
  throw new Error(
    'eks-provisioner local stack needs Node.js 20.3 or newer (AbortSignal.any is missing). Upgrade Node.js.',
  );
}

export {};
