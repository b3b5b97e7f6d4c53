/** A seeded PRNG (mulberry32), so every directory and request stream is reproducible from `--seed`. */
export class Rng {
  private s: number;

  constructor(seed: number) {
    this.s = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A pick from a non-empty list. */
  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)]!;
  }

  /** A random-looking but reproducible UUID (version 4 layout). */
  uuid(): string {
    return `${this.hex(8)}-${this.hex(4)}-4${this.hex(3)}-${"89ab"[this.int(4)]}${this.hex(3)}-${this.hex(12)}`;
  }

  /** A reproducible UUIDv7 (RFC 9562) for the time `ms`: the layout of the ids scimgate gives new objects. */
  uuidV7(ms: number): string {
    const t = ms.toString(16).padStart(12, "0");
    return `${t.slice(0, 8)}-${t.slice(8)}-7${this.hex(3)}-${"89ab"[this.int(4)]}${this.hex(3)}-${this.hex(12)}`;
  }

  /** `n` random hex digits. */
  private hex(n: number): string {
    return Array.from({ length: n }, () => "0123456789abcdef"[this.int(16)]).join("");
  }
}
