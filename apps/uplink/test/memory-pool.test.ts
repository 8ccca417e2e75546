import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryPool } from '../src/lib/memory-pool.js';

describe('MemoryPool', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('hands back memory it was given, of exactly the size asked for', () => {
    const pool = new MemoryPool(4);
    const a = pool.take(1000);
    pool.give([a]);
    expect(pool.take(999)).not.toBe(a); // another size: fresh memory
    expect(pool.take(1000)).toBe(a);
    expect(pool.take(1000)).not.toBe(a); // taken already
  });

  it('never keeps a view, which may share memory with something still in use', () => {
    const pool = new MemoryPool(4);
    const whole = new Uint8Array(2000);
    pool.give([whole.subarray(0, 1000), whole.subarray(1000)]);
    expect(pool.take(1000).buffer).not.toBe(whole.buffer);
  });

  it('keeps at most maxKept buffers', () => {
    const pool = new MemoryPool(2);
    const given: Uint8Array[] = [new Uint8Array(10), new Uint8Array(10), new Uint8Array(10)];
    pool.give(given);
    const taken = [pool.take(10), pool.take(10), pool.take(10)];
    expect(taken.filter((b) => given.includes(b))).toHaveLength(2);
  });

  it('lets its memory go after a few idle seconds', () => {
    vi.useFakeTimers();
    const pool = new MemoryPool(4);
    const a = new Uint8Array(10);
    pool.give([a]);
    vi.advanceTimersByTime(4000);
    pool.give([new Uint8Array(20)]); // activity restarts the clock
    vi.advanceTimersByTime(4000);
    expect(pool.take(10)).toBe(a);
    pool.give([a]);
    vi.advanceTimersByTime(6000);
    expect(pool.take(10)).not.toBe(a);
  });
});
