/**
 * `observed`: a promise that rejects before anything awaits it must not be an unhandled rejection (that
 * ends the CLI or the gateway), and whoever awaits it later must still get the error.
 */
import { describe, expect, it } from 'vitest';
import { observed, observedPromise, whenSettled } from '../src/observed.js';

/** Unhandled rejections seen while `fn` runs and a few turns of the event loop after it. */
async function unhandledDuring(fn: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = [];
  const listener = (reason: unknown) => seen.push(reason);
  process.on('unhandledRejection', listener);
  try {
    await fn();
    await new Promise((resolve) => setTimeout(resolve, 20));
  } finally {
    process.off('unhandledRejection', listener);
  }
  return seen;
}

describe('observed', () => {
  it('a rejection before anyone awaits is not unhandled, and reaches the later await', async () => {
    const seen = await unhandledDuring(async () => {
      const failing = observed(Promise.reject(new Error('node went away')));
      await new Promise((resolve) => setTimeout(resolve, 10)); // the loop waits for something else meanwhile
      await expect(failing).rejects.toThrow('node went away');
      const made = observedPromise<void>((_, reject) => setTimeout(() => reject(new Error('refused')), 1));
      await new Promise((resolve) => setTimeout(resolve, 10));
      await expect(made).rejects.toThrow('refused');
    });
    expect(seen).toEqual([]);
  });

  it('whenSettled resolves either way', async () => {
    await expect(whenSettled(Promise.reject(new Error('x')))).resolves.toBeUndefined();
    await expect(whenSettled(Promise.resolve(1))).resolves.toBeUndefined();
  });
});
