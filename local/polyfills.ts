/**
 * Polyfills for the Node 20 machine (Lambda runs Node 22, where these exist natively).
 * Import for its side effect, first: `import './polyfills.ts';`.
 *
 * Promise.withResolvers (ES2024): aws-local-stepfunctions 3.0.0 calls it for every Task state and,
 * without it, every Task fails with "Promise.withResolvers is not a function" (STACK-NOTES).
 */
interface PromiseWithResolvers<T> {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
}

type PromiseConstructorWithResolvers = PromiseConstructor & {
  withResolvers?: <T>() => PromiseWithResolvers<T>;
};

export function installPolyfills(): void {
  const P = Promise as PromiseConstructorWithResolvers;
  if (typeof P.withResolvers === 'function') return;
  Object.defineProperty(Promise, 'withResolvers', {
    // Like the native one: builds the promise with `this`, so subclasses get their own kind.
    value: function withResolvers<T>(this: PromiseConstructor): PromiseWithResolvers<T> {
      let resolve!: PromiseWithResolvers<T>['resolve'];
      let reject!: PromiseWithResolvers<T>['reject'];
      const promise = new this<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
    writable: true,
    configurable: true,
    enumerable: false,
  });
}

installPolyfills();
