/**
 * Promises the transfer pipeline starts now and awaits later (a piece upload's response, the next
 * segment being read, the segment still uploading). A promise that rejects while nothing awaits it
 * is an unhandled rejection, and that ends a Node process: the CLI, or the S3 gateway with every
 * tenant's requests. A node going away mid-transfer must be one failed piece, never a crash.
 *
 * So a promise that is not awaited at once is made through `observed`: its rejection is handled from
 * the moment it exists, and still reaches whoever awaits it later.
 */

const ignore = () => {};

/** `promise`, with its rejection observed now; awaiting it later still throws. */
export function observed<T>(promise: Promise<T>): Promise<T> {
  promise.catch(ignore);
  return promise;
}

/** `new Promise(executor)`, observed from the start. */
export function observedPromise<T>(executor: (resolve: (value: T) => void, reject: (reason: unknown) => void) => void): Promise<T> {
  return observed(new Promise<T>(executor));
}

/** Resolves when `promise` settles, either way: for waiting on (or racing) a promise whose outcome is read elsewhere. */
export function whenSettled(promise: Promise<unknown>): Promise<void> {
  return promise.then(ignore, ignore);
}
