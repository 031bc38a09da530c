/**
 * Transactions as dense integers: every distinct item name gets an index, 0 for the most frequent item (ties broken by
 * name, in code-unit order, so the encoding does not depend on the order of the transactions), and each transaction is
 * its distinct item indices in ascending order. The transactions are stored end to end (CSR layout): transaction t is
 * `items[offsets[t] .. offsets[t + 1])`. No per-transaction objects are kept.
 */

export interface EncodedTransactions {
  /** Item names by index: names[0] is the most frequent item. */
  readonly names: readonly string[];
  /** How many transactions contain each item (unweighted), by index. */
  readonly itemCounts: Int32Array;
  /** n + 1 offsets into `items`. */
  readonly offsets: Uint32Array;
  /** Each transaction's distinct item indices, ascending. */
  readonly items: Int32Array;
  /** The number of transactions (empty ones included: they count in N). */
  readonly n: number;
}

/**
 * Builds EncodedTransactions one transaction at a time, so a caller streaming orders never holds them as arrays of
 * strings. Duplicates within a transaction are collapsed (a basket either contains an item or not).
 */
export class TransactionEncoder {
  private readonly ids = new Map<string, number>();
  private readonly names: string[] = [];
  private counts = new Int32Array(256);
  private data = new Int32Array(1 << 16);
  private ends = new Uint32Array(1 << 12);
  private size = 0;
  private count = 0;
  private seen = new Int32Array(256).fill(-1);

  /** Adds one transaction (possibly empty). Returns its index. */
  add(items: Iterable<string>): number {
    const t = this.count;
    const list = Array.isArray(items) ? (items as readonly string[]) : [...items];
    for (let i = 0; i < list.length; i++) {
      const name = list[i]!;
      let id = this.ids.get(name);
      if (id === undefined) {
        id = this.names.length;
        this.ids.set(name, id);
        this.names.push(name);
        if (id >= this.counts.length) {
          this.counts = grow(this.counts, id + 1);
          const seen = new Int32Array(this.counts.length).fill(-1);
          seen.set(this.seen);
          this.seen = seen;
        }
      }
      if (this.seen[id] === t) continue; // already in this transaction
      this.seen[id] = t;
      this.counts[id]!++;
      if (this.size === this.data.length) this.data = grow(this.data, this.size + 1);
      this.data[this.size++] = id;
    }
    if (this.count === this.ends.length) this.ends = grow(this.ends, this.count + 1);
    this.ends[this.count++] = this.size;
    return t;
  }

  get transactions(): number {
    return this.count;
  }

  /** The encoding: indices re-assigned by descending frequency, each transaction sorted. */
  finish(): EncodedTransactions {
    const k = this.names.length;
    const order = Array.from({ length: k }, (_, i) => i);
    const counts = this.counts;
    const names = this.names;
    order.sort((a, b) => counts[b]! - counts[a]! || compareText(names[a]!, names[b]!));
    const rank = new Int32Array(k);
    order.forEach((old, r) => (rank[old] = r));
    const items = new Int32Array(this.size);
    const offsets = new Uint32Array(this.count + 1);
    let start = 0;
    for (let t = 0; t < this.count; t++) {
      const end = this.ends[t]!;
      // insertion sort in place: transactions are short, and a subarray per transaction would cost more than the sort
      for (let j = start; j < end; j++) {
        const v = rank[this.data[j]!]!;
        let p = j;
        while (p > start && items[p - 1]! > v) {
          items[p] = items[p - 1]!;
          p--;
        }
        items[p] = v;
      }
      offsets[t + 1] = end;
      start = end;
    }
    const itemCounts = new Int32Array(k);
    for (let r = 0; r < k; r++) itemCounts[r] = counts[order[r]!]!;
    return { names: order.map((old) => names[old]!), itemCounts, offsets, items, n: this.count };
  }
}

/** Encodes transactions given as arrays of item names. */
export function encodeTransactions(transactions: Iterable<Iterable<string>>): EncodedTransactions {
  const encoder = new TransactionEncoder();
  for (const t of transactions) encoder.add(t);
  return encoder.finish();
}

/** Item names of transaction t. */
export function transactionNames(tx: EncodedTransactions, t: number): string[] {
  const out: string[] = [];
  for (let j = tx.offsets[t]!; j < tx.offsets[t + 1]!; j++) out.push(tx.names[tx.items[j]!]!);
  return out;
}

/** Code-unit order (not locale order): the same on every machine. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function grow<T extends Int32Array | Uint32Array>(array: T, need: number): T {
  let size = array.length * 2;
  while (size < need) size *= 2;
  const next = new (array.constructor as new (n: number) => T)(size);
  next.set(array);
  return next;
}
