/** A seeded generator (xorshift32), so a failing random case can be replayed from the seed it names. */
export class Random {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0 || 1;
  }

  /** A whole number in [0, below). */
  int(below: number): number {
    this.state ^= this.state << 13;
    this.state ^= this.state >>> 17;
    this.state ^= this.state << 5;
    this.state >>>= 0;
    return this.state % below;
  }

  bytes(length: number): Uint8Array {
    return Uint8Array.from({ length }, () => this.int(256));
  }

  /** `count` distinct numbers from [0, below), in random order. */
  pick(count: number, below: number): number[] {
    const all = Array.from({ length: below }, (_, i) => i);
    for (let i = 0; i < count; i++) {
      const j = i + this.int(below - i);
      [all[i], all[j]] = [all[j], all[i]];
    }
    return all.slice(0, count);
  }
}
