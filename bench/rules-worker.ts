/**
 * Rules benchmark worker (a child process, so its peak RSS is its own algorithm's): builds the input (DATA =
 * online-retail | random, ORDERS for random), mines all frequent itemsets with ALGO = ours | node-fpgrowth, writes them to OUT (one "count<TAB>items sorted" line each, sorted) and prints one JSON
 * line: seconds of mining (from the arrays of item names, encoding included; the best of REPEAT runs), RSS before and
 * peak RSS. MIN_SUPPORT is
 * the support threshold.
 */
import { writeFileSync } from "node:fs";
import { FPGrowth } from "node-fpgrowth";
import { decimalFraction, encodeTransactions, frequentItemsets, minCount as exactMinCount } from "../app/insights/rules";
import { onlineRetailBaskets, randomStoreBaskets } from "./rules-data";

const algo = process.env.ALGO!;
const data = process.env.DATA!;
const out = process.env.OUT!;

const baskets = data === "online-retail" ? await onlineRetailBaskets() : randomStoreBaskets(Number(process.env.ORDERS));
const n = baskets.length;
// MIN_SUPPORT read exactly as a decimal gives the count threshold; both miners then get (minCount − 0.5) / n, whose
// product with n rounds up to minCount whichever way each reads it (node-fpgrowth takes ceil(minSupport · n)).
const minCount = exactMinCount(n, decimalFraction(Number(process.env.MIN_SUPPORT)));
const minSupport = (minCount - 0.5) / n;
global.gc?.();
const rssBefore = process.memoryUsage().rss;
const repeat = Math.max(1, Number(process.env.REPEAT ?? "1"));
let lines: string[] = [];
let seconds = Number.POSITIVE_INFINITY;
for (let run = 0; run < repeat; run++) {
  const started = performance.now();
  if (algo === "ours") {
    const tx = encodeTransactions(baskets);
    const result = frequentItemsets(tx, { minSupport });
    if (result.threshold !== minCount) throw new Error(`threshold ${result.threshold} != ${minCount}`);
    seconds = Math.min(seconds, (performance.now() - started) / 1000);
    lines = result.itemsets.map((s) => `${s.count}\t${s.items.map((i) => tx.names[i]!).sort().join(" ")}`);
  } else {
    const itemsets = await new FPGrowth<string>(minSupport).exec(baskets);
    seconds = Math.min(seconds, (performance.now() - started) / 1000);
    lines = itemsets.map((s) => `${s.support}\t${[...s.items].sort().join(" ")}`);
  }
}
const peakRss = process.resourceUsage().maxRSS * 1024;
lines.sort();
writeFileSync(out, lines.join("\n"));
console.log(JSON.stringify({ algo, data, n, minCount, itemsets: lines.length, seconds, rssBeforeMb: rssBefore / 2 ** 20, peakRssMb: peakRss / 2 ** 20 }));
