/**
 * Frequent itemsets by FP-growth (Han, Pei & Yin 2000) on typed arrays.
 *
 * The FP-tree is a struct of arrays (item, parent, count, optional weight, node-link) in Int32Array/Float64Array pools;
 * a child is found through an open-addressing hash table keyed by (parent, item), so no node is ever an object. Items
 * in a tree have local ids 0..k-1 in the order paths are sorted (0 nearest the root: the most frequent item of the
 * whole database), and each conditional tree keeps its parent's order, so a path read from a leaf up is already sorted.
 * One tree (and its scratch arrays) exists per recursion depth and is reused for every conditional tree built at that
 * depth; its arrays only grow (doubling), so mining allocates nothing per node, only the output per itemset.
 *
 * Threshold (see threshold.ts): unweighted, an itemset is frequent iff count >= minCount = ceil(minSupport · N),
 * computed exactly from the decimal minSupport. With weights, iff weightedCount >= minSupport · W · (1 − 1e-12), W the
 * total weight: the 1e-12 absorbs the rounding of summing weights in a different order, nothing more.
 */
import type { EncodedTransactions } from "./encode";
import { decimalFraction, minCount as exactMinCount } from "./threshold";

export interface FrequentItemset {
  /** Item indices (into EncodedTransactions.names), ascending. */
  items: number[];
  /** How many transactions contain all the items. */
  count: number;
  /** Their total weight (= count without weights). */
  weight: number;
}

export interface FrequentItemsetOptions {
  /** Minimum support in (0, 1]: count / N >= minSupport (weighted: weight / W). */
  minSupport: number;
  /** Largest itemset to mine (default: unlimited). */
  maxSize?: number;
  /** One non-negative weight per transaction (e.g. decayWeights); without them every transaction weighs 1. */
  weights?: ArrayLike<number>;
}

export interface FrequentItemsetResult {
  n: number;
  /** Σ weights (= n without weights). */
  totalWeight: number;
  weighted: boolean;
  /** Unweighted: the smallest frequent count. Weighted: the smallest frequent weight. */
  threshold: number;
  itemsets: FrequentItemset[];
}

export class MiningError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MiningError";
  }
}

const WEIGHT_SLACK = 1 - 1e-12;

/** The support threshold of the options on a database: { weighted, threshold, totalWeight }. */
export function supportThreshold(n: number, minSupport: number, weights?: ArrayLike<number>) {
  if (!(minSupport > 0 && minSupport <= 1)) throw new MiningError(`minSupport must be in (0, 1], got ${minSupport}`);
  const fraction = decimalFraction(minSupport, "minSupport");
  if (!weights) return { weighted: false, threshold: exactMinCount(n, fraction), totalWeight: n };
  if (weights.length !== n) throw new MiningError(`weights: ${weights.length} weights for ${n} transactions`);
  let total = 0;
  for (let t = 0; t < n; t++) {
    const w = weights[t]!;
    if (!(w >= 0) || !Number.isFinite(w)) throw new MiningError(`weights[${t}] = ${w}: weights must be finite and ≥ 0`);
    total += w;
  }
  return { weighted: true, threshold: minSupport * total * WEIGHT_SLACK, totalWeight: total };
}

class Tree {
  size = 1; // node 0 is the root
  nItems = 0;
  item = new Int32Array(0);
  parent = new Int32Array(0);
  count = new Int32Array(0);
  weight = new Float64Array(0);
  link = new Int32Array(0);
  head = new Int32Array(0);
  toGlobal = new Int32Array(0);
  itemCount = new Int32Array(0);
  itemWeight = new Float64Array(0);
  private table = new Int32Array(0);
  private mask = 0;

  constructor(readonly weighted: boolean) {}

  /**
   * Empties the tree for `nItems` items. Node arrays and the hash table start small and double as nodes are added
   * (they are kept between the trees built at one depth), so the cost is proportional to the nodes actually created.
   */
  reset(nItems: number): void {
    if (this.head.length < nItems) {
      this.head = new Int32Array(nItems);
      this.toGlobal = new Int32Array(nItems);
      this.itemCount = new Int32Array(nItems);
      if (this.weighted) this.itemWeight = new Float64Array(nItems);
    }
    this.head.fill(-1, 0, nItems);
    this.itemCount.fill(0, 0, nItems);
    if (this.weighted) this.itemWeight.fill(0, 0, nItems);
    this.size = 1;
    this.nItems = nItems;
    this.rehash(1024);
  }

  /** Node arrays for at least `need` nodes (root included). */
  private growNodes(need: number): void {
    const size = Math.max(need, this.item.length * 2, 1024);
    const copy = <T extends Int32Array | Float64Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(size);
      b.set(a.subarray(0, this.size));
      return b;
    };
    this.item = copy(this.item);
    this.parent = copy(this.parent);
    this.count = copy(this.count);
    this.link = copy(this.link);
    if (this.weighted) this.weight = copy(this.weight);
  }

  /** A hash table of `slots` (a power of two) holding the current nodes. */
  private rehash(slots: number): void {
    if (this.table.length < slots) this.table = new Int32Array(slots);
    else this.table.fill(0, 0, slots); // 0 = empty: the root is never a child
    this.mask = slots - 1;
    const { table, parent, item } = this;
    for (let node = 1; node < this.size; node++) {
      let h = slot(parent[node]!, item[node]!) & this.mask;
      while (table[h] !== 0) h = (h + 1) & this.mask;
      table[h] = node;
    }
  }

  /** Adds a path of local item ids (ascending) with a count and weight. */
  insert(path: Int32Array, len: number, c: number, w: number): void {
    const need = this.size + len;
    if (need > this.item.length) this.growNodes(need);
    if (need * 2 > this.mask + 1) {
      let slots = (this.mask + 1) * 2;
      while (need * 2 > slots) slots *= 2;
      this.rehash(slots);
    }
    const { item, parent, count, weight, table, mask, itemCount, itemWeight } = this;
    const weighted = this.weighted;
    let node = 0;
    for (let k = 0; k < len; k++) {
      const it = path[k]!;
      let h = slot(node, it) & mask;
      let child = table[h]!;
      while (child !== 0 && (parent[child] !== node || item[child] !== it)) {
        h = (h + 1) & mask;
        child = table[h]!;
      }
      if (child === 0) {
        child = this.size++;
        item[child] = it;
        parent[child] = node;
        count[child] = 0;
        if (weighted) weight[child] = 0;
        this.link[child] = this.head[it]!;
        this.head[it] = child;
        table[h] = child;
      }
      count[child] = count[child]! + c;
      itemCount[it] = itemCount[it]! + c;
      if (weighted) {
        weight[child] = weight[child]! + w;
        itemWeight[it] = itemWeight[it]! + w;
      }
      node = child;
    }
  }
}

/** Hash of a (parent, item) pair. */
function slot(parent: number, item: number): number {
  const h = (Math.imul(parent, 0x9e3779b1) ^ Math.imul(item + 1, 0x85ebca6b)) >>> 0;
  return h ^ (h >>> 15);
}

/** Per recursion depth: a tree and the scratch arrays used to build the next conditional tree. */
interface Level {
  tree: Tree;
  condCount: Int32Array;
  condWeight: Float64Array;
  map: Int32Array;
}

/**
 * All itemsets with support >= minSupport (and at most maxSize items), with their counts. The empty itemset is not
 * reported. Output order is unspecified.
 */
export function frequentItemsets(tx: EncodedTransactions, options: FrequentItemsetOptions): FrequentItemsetResult {
  const n = tx.n;
  const maxSize = options.maxSize ?? Number.POSITIVE_INFINITY;
  if (!(maxSize >= 1)) throw new MiningError(`maxSize must be ≥ 1, got ${maxSize}`);
  const { weighted, threshold, totalWeight } = supportThreshold(n, options.minSupport, options.weights);
  const weights = options.weights;
  const frequent = weighted ? (_c: number, w: number) => w >= threshold : (c: number) => c >= threshold;
  const result: FrequentItemsetResult = { n, totalWeight, weighted, threshold, itemsets: [] };
  if (n === 0) return result;

  // Frequent single items, in local order: by descending support, then by index.
  const nGlobal = tx.names.length;
  const gWeight = new Float64Array(nGlobal);
  if (weighted) {
    for (let t = 0; t < n; t++) {
      const w = weights![t]!;
      for (let j = tx.offsets[t]!; j < tx.offsets[t + 1]!; j++) {
        const g = tx.items[j]!;
        gWeight[g] = gWeight[g]! + w;
      }
    }
  }
  const singles: number[] = [];
  for (let g = 0; g < nGlobal; g++) if (frequent(tx.itemCounts[g]!, gWeight[g]!)) singles.push(g);
  if (weighted) singles.sort((a, b) => gWeight[b]! - gWeight[a]! || a - b);
  const k0 = singles.length;
  if (k0 === 0) return result;
  const toLocal = new Int32Array(nGlobal).fill(-1);
  singles.forEach((g, l) => (toLocal[g] = l));

  const levels: Level[] = [];
  const level = (d: number): Level => {
    let lv = levels[d];
    if (!lv) {
      lv = { tree: new Tree(weighted), condCount: new Int32Array(k0), condWeight: new Float64Array(weighted ? k0 : 0), map: new Int32Array(k0) };
      levels[d] = lv;
    }
    return lv;
  };
  const path = new Int32Array(k0);

  // The FP-tree of the whole database.
  const top = level(0).tree;
  top.reset(k0);
  for (let l = 0; l < k0; l++) top.toGlobal[l] = singles[l]!;
  for (let t = 0; t < n; t++) {
    let len = 0;
    for (let j = tx.offsets[t]!; j < tx.offsets[t + 1]!; j++) {
      const l = toLocal[tx.items[j]!]!;
      if (l < 0) continue;
      // insertion sort: transactions are short, and already ascending without weights
      let p = len++;
      while (p > 0 && path[p - 1]! > l) {
        path[p] = path[p - 1]!;
        p--;
      }
      path[p] = l;
    }
    if (len > 0) top.insert(path, len, 1, weighted ? weights![t]! : 1);
  }

  const prefix = new Int32Array(Math.min(k0, Number.isFinite(maxSize) ? maxSize : k0));
  const emit = (size: number, count: number, weight: number) => {
    const items = Array.from(prefix.subarray(0, size)).sort((a, b) => a - b);
    result.itemsets.push({ items, count, weight: weighted ? weight : count });
  };

  const mine = (d: number): void => {
    const { tree } = levels[d]!;
    for (let j = tree.nItems - 1; j >= 0; j--) {
      prefix[d] = tree.toGlobal[j]!;
      emit(d + 1, tree.itemCount[j]!, weighted ? tree.itemWeight[j]! : 0);
      if (d + 1 >= maxSize || j === 0) continue;

      // Counts of the items on the paths above item j (its conditional pattern base).
      const next = level(d + 1);
      const { condCount, condWeight, map } = next;
      condCount.fill(0, 0, j);
      if (weighted) condWeight.fill(0, 0, j);
      const { parent, item, count, weight, link } = tree;
      for (let u = tree.head[j]!; u !== -1; u = link[u]!) {
        const c = count[u]!;
        const w = weighted ? weight[u]! : 0;
        for (let v = parent[u]!; v !== 0; v = parent[v]!) {
          const x = item[v]!;
          condCount[x] = condCount[x]! + c;
          if (weighted) condWeight[x] = condWeight[x]! + w;
        }
      }
      let k = 0;
      for (let i = 0; i < j; i++) map[i] = frequent(condCount[i]!, weighted ? condWeight[i]! : 0) ? k++ : -1;
      if (k === 0) continue;

      const cond = next.tree;
      cond.reset(k);
      for (let i = 0; i < j; i++) if (map[i]! >= 0) cond.toGlobal[map[i]!] = tree.toGlobal[i]!;
      for (let u = tree.head[j]!; u !== -1; u = link[u]!) {
        let len = 0;
        for (let v = parent[u]!; v !== 0; v = parent[v]!) {
          const m = map[item[v]!]!;
          if (m >= 0) path[len++] = m;
        }
        if (len === 0) continue;
        for (let a = 0, b = len - 1; a < b; a++, b--) {
          const x = path[a]!;
          path[a] = path[b]!;
          path[b] = x;
        }
        cond.insert(path, len, count[u]!, weighted ? weight[u]! : 0);
      }
      mine(d + 1);
    }
  };
  mine(0);
  return result;
}
