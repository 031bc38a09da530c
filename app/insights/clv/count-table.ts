/**
 * An open-addressing hash table of numeric key triples (x an integer, t_x and T any doubles) with summed weights: a
 * million customers group in a fraction of the time nested Maps or string keys take. Used for the BG/NBD (x, t_x, T)
 * triples and the Gamma-Gamma (x, m̄) pairs (T = 0). Keys compare with ===, so callers fold −0 into 0.
 */
export class CountTable {
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  count: Float64Array;
  size = 0;
  private slots: Int32Array;
  private mask: number;
  private readonly bits = new Float64Array(1);
  private readonly words = new Uint32Array(this.bits.buffer);

  constructor(capacity = 1024) {
    this.x = new Float64Array(capacity);
    this.tx = new Float64Array(capacity);
    this.T = new Float64Array(capacity);
    this.count = new Float64Array(capacity);
    let slots = 2048;
    while (slots < capacity * 2) slots *= 2;
    this.slots = new Int32Array(slots).fill(-1);
    this.mask = slots - 1;
  }

  private hashOf(x: number, tx: number, T: number): number {
    const w = this.words;
    this.bits[0] = tx;
    let h = Math.imul(w[0]! ^ Math.imul(w[1]!, 0x9e3779b1), 0x85ebca6b);
    this.bits[0] = T;
    h = Math.imul(h ^ w[0]! ^ Math.imul(w[1]!, 0xc2b2ae35), 0x27d4eb2f);
    h = Math.imul(h ^ (x | 0), 0x165667b1);
    return (h ^ (h >>> 15)) >>> 0;
  }

  add(x: number, tx: number, T: number, weight: number): void {
    let slot = this.hashOf(x, tx, T) & this.mask;
    for (;;) {
      const i = this.slots[slot]!;
      if (i < 0) break;
      if (this.x[i] === x && this.tx[i] === tx && this.T[i] === T) {
        this.count[i]! += weight;
        return;
      }
      slot = (slot + 1) & this.mask;
    }
    if (this.size === this.x.length) {
      this.grow();
      this.add(x, tx, T, weight);
      return;
    }
    const i = this.size++;
    this.x[i] = x;
    this.tx[i] = tx;
    this.T[i] = T;
    this.count[i] = weight;
    this.slots[slot] = i;
  }

  private grow(): void {
    const old = { x: this.x, tx: this.tx, T: this.T, count: this.count, size: this.size };
    const next = new CountTable(this.x.length * 2);
    for (let i = 0; i < old.size; i++) next.add(old.x[i]!, old.tx[i]!, old.T[i]!, old.count[i]!);
    Object.assign(this, { x: next.x, tx: next.tx, T: next.T, count: next.count, size: next.size, slots: next.slots, mask: next.mask });
  }

  /** The distinct keys and their counts, trimmed to size. */
  columns(): { x: Float64Array; tx: Float64Array; T: Float64Array; count: Float64Array; size: number } {
    const n = this.size;
    return { x: this.x.slice(0, n), tx: this.tx.slice(0, n), T: this.T.slice(0, n), count: this.count.slice(0, n), size: n };
  }
}
