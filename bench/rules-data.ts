/**
 * Inputs of the rules benchmark, the same for every algorithm: transactions as arrays of item names.
 *
 * - `online-retail`: UCI Online Retail (../shared/datasets/online-retail/online_retail.csv.gz, resolved from the project
 *   root), read by the import parser: one transaction per invoice, StockCode items, cancellations, postage/fees and bad
 *   rows left out (app/import/transactions.ts).
 * - `random`: a generated store, seeded (mulberry32) so that every worker builds the identical database:
 *   5,000 products with Zipf-like popularity (the product of rank r is drawn with probability ∝ 1 / (r + 1)^1.05), basket
 *   sizes 1 + a geometric number with mean 2.5 (so 3.5 draws, repeats collapsed), and 40 planted pairs: when product
 *   p_i (ranks 100–139) is in a basket, its partner q_i (ranks 1000–1039) is added with probability 0.35. Orders are
 *   generated one after the other, so the first k orders of a big store are exactly the store of k orders.
 */
import path from "node:path";
import { readTransactions } from "../app/import/transactions";
import { transactionNames } from "../app/insights/rules";
import { ROOT } from "../tests/support/migrations";
import { seededRng } from "../app/insights/trends/random";

export const ONLINE_RETAIL = path.resolve(ROOT, "../shared/datasets/online-retail/online_retail.csv.gz");

export async function onlineRetailBaskets(): Promise<string[][]> {
  const { transactions } = await readTransactions(ONLINE_RETAIL, "online-retail");
  return Array.from({ length: transactions.n }, (_, t) => transactionNames(transactions, t));
}


export const STORE = { products: 5000, zipf: 1.05, meanExtra: 2.5, plantedPairs: 40, plantedProbability: 0.35, seed: 20261123 };

export function randomStoreBaskets(orders: number): string[][] {
  const rnd = seededRng(STORE.seed);
  const names = Array.from({ length: STORE.products }, (_, r) => `P${String(r).padStart(4, "0")}`);
  const cdf = new Float64Array(STORE.products);
  let total = 0;
  for (let r = 0; r < STORE.products; r++) cdf[r] = total += 1 / Math.pow(r + 1, STORE.zipf);
  const draw = () => {
    const u = rnd() * total;
    let lo = 0;
    let hi = STORE.products - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const partner = new Map<number, number>();
  for (let i = 0; i < STORE.plantedPairs; i++) partner.set(100 + i, 1000 + i);
  const stop = 1 / (1 + STORE.meanExtra); // geometric: P(stop) per extra draw
  const out: string[][] = new Array(orders);
  const basket = new Set<number>();
  for (let o = 0; o < orders; o++) {
    basket.clear();
    basket.add(draw());
    while (rnd() >= stop) basket.add(draw());
    for (const p of [...basket]) {
      const q = partner.get(p);
      if (q !== undefined && rnd() < STORE.plantedProbability) basket.add(q);
    }
    out[o] = [...basket].map((r) => names[r]!);
  }
  return out;
}
