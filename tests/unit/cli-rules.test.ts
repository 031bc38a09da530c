/**
 * `insight-loop rules`: mined from files of each kind without a database. Expected rules are worked out by hand from
 * the fixtures below (or, for the groceries file, by the brute-force miner in tests/support), never taken from a run.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { AssociationRule } from "../../app/insights/rules";
import { BruteForceMiner } from "../support/brute-force-miner";
import { ROOT } from "../support/migrations";
import { cli, fixtureDir } from "../support/cli-run";

const { dir, fixture } = fixtureDir("rules");
const GROCERIES = path.resolve(import.meta.dirname, "../../../shared/datasets/groceries/groceries.csv");

const brief = (rules: AssociationRule[]) =>
  rules.map((r) => ({ rule: `${r.antecedent.join("+")} -> ${r.consequent.join("+")}`, count: r.count, support: r.support, confidence: r.confidence, lift: r.lift, conviction: r.conviction }));

// bread 4, milk 3, butter 2, beer 1 of N = 5; milk+bread 3, bread+butter 2, milk+butter 1, milk+bread+butter 1.
const baskets = fixture("baskets.csv", ["milk,bread", "bread,butter", "milk,bread,butter,butter", "milk,bread", "beer"]);

describe("insight-loop rules --json", () => {
  it("baskets: the hand-computed rules, with a JSON-safe infinite conviction", async () => {
    const r = await cli("rules", "--input", baskets, "--format", "baskets", "--min-support", "0.4", "--min-confidence", "0.6", "--json");
    expect(r.code, r.stderr).toBe(0);
    const rules = JSON.parse(r.stdout) as AssociationRule[];
    // support >= 0.4 means count >= 2; confidence >= 0.6 drops bread -> butter (2/4) and keeps the other three.
    expect(new Set(brief(rules).map((x) => JSON.stringify(x)))).toEqual(
      new Set(
        [
          { rule: "milk -> bread", count: 3, support: 0.6, confidence: 1, lift: 1.25, conviction: null },
          { rule: "butter -> bread", count: 2, support: 0.4, confidence: 1, lift: 1.25, conviction: null },
          { rule: "bread -> milk", count: 3, support: 0.6, confidence: 0.75, lift: 1.25, conviction: (1 - 0.6) / (1 - 0.75) },
        ].map((x) => JSON.stringify(x)),
      ),
    );
    for (const rule of rules) {
      expect(rule.leverage).toBeCloseTo(rule.support - (rule.antecedentCount / 5) * (rule.consequentCount / 5), 15);
      expect(rule).toMatchObject({ pValue: expect.any(Number), qValue: expect.any(Number), significant: expect.any(Boolean), confidenceLower: expect.any(Number) });
    }
    expect(r.stderr).toMatch(/^5 transactions/);
  });

  it("online-retail: StockCode items, one transaction per invoice, quantities collapsed, cancellations and postage left out", async () => {
    const file = fixture("retail.csv", [
      "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country",
      "536365,85123A,WHITE HANGING HEART,6,2010-12-01 08:26:00,2.55,17850,United Kingdom",
      "536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:26:00,3.39,17850,United Kingdom",
      "536365,85123A,WHITE HANGING HEART,2,2010-12-01 08:26:00,2.55,17850,United Kingdom",
      "536365,POST,POSTAGE,1,2010-12-01 08:26:00,18.00,17850,United Kingdom",
      "536366,85123A,WHITE HANGING HEART,1,2010-12-01 08:28:00,2.55,17850,United Kingdom",
      "536366,71053,WHITE METAL LANTERN,1,2010-12-01 08:28:00,3.39,17850,United Kingdom",
      "536367,71053,WHITE METAL LANTERN,3,2010-12-01 08:34:00,3.39,13047,United Kingdom",
      "536367,POST,POSTAGE,1,2010-12-01 08:34:00,18.00,13047,United Kingdom",
      "C536368,85123A,WHITE HANGING HEART,-1,2010-12-01 09:00:00,2.55,13047,United Kingdom",
      "C536368,22752,SET 7 BABUSHKA,-1,2010-12-01 09:00:00,7.65,13047,United Kingdom",
      "536369,POST,POSTAGE,1,2010-12-01 09:10:00,18.00,12583,France",
      "536370,22752,SET 7 BABUSHKA,2,2010-12-01 09:20:00,7.65,12583,France",
      "536370,85123A,WHITE HANGING HEART,x,2010-12-01 09:20:00,2.55,12583,France",
    ]);
    const r = await cli("rules", "--input", file, "--format", "online-retail", "--min-support", "0.5", "--min-confidence", "0.5", "--json");
    expect(r.code, r.stderr).toBe(0);
    // Transactions: 536365 {85123A, 71053}, 536366 {85123A, 71053}, 536367 {71053}, 536370 {22752} (its bad row is
    // skipped); C536368 is cancelled and 536369 has only postage. N = 4: 71053 in 3, 85123A in 2, both in 2.
    expect(brief(JSON.parse(r.stdout))).toEqual(
      expect.arrayContaining([
        { rule: "85123A -> 71053", count: 2, support: 0.5, confidence: 1, lift: 4 / 3, conviction: null },
        { rule: "71053 -> 85123A", count: 2, support: 0.5, confidence: 2 / 3, lift: 4 / 3, conviction: (1 - 0.5) / (1 - 2 / 3) },
      ]),
    );
    expect(JSON.parse(r.stdout)).toHaveLength(2);
    expect(r.stderr).toMatch(/^4 transactions \(6 orders: 1 cancelled and 1 without products left out\)/m);
    expect(r.stderr).toContain(`${file}: line 14: Quantity "x" is not an integer`);
  });

  it("shopify-csv: SKU when there is one, else the line item's name; cancelled orders left out", async () => {
    const file = fixture("shopify.csv", [
      "Name,Created at,Cancelled at,Currency,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku",
      "#1001,2025-10-07 09:50:26 +0200,,EUR,1,Masque,34.90,MBC-1",
      "#1001,2025-10-07 09:50:26 +0200,,EUR,2,Sérum,12.50,",
      "#1002,2025-10-08 10:00:00 +0200,,EUR,1,Masque,34.90,MBC-1",
      "#1002,2025-10-08 10:00:00 +0200,,EUR,1,Sérum,12.50,",
      "#1003,2025-10-09 10:00:00 +0200,2025-10-09 12:00:00 +0200,EUR,1,Masque,34.90,MBC-1",
      "#1004,2025-10-10 10:00:00 +0200,,EUR,1,Sérum,12.50,",
    ]);
    const r = await cli("rules", "--input", file, "--format", "shopify-csv", "--min-support", "0.5", "--min-confidence", "0.1", "--json");
    expect(r.code, r.stderr).toBe(0);
    // N = 3 (#1003 cancelled): Sérum in 3, MBC-1 in 2, both in 2.
    expect(new Set(brief(JSON.parse(r.stdout)).map((x) => JSON.stringify(x)))).toEqual(
      new Set(
        [
          { rule: "MBC-1 -> Sérum", count: 2, support: 2 / 3, confidence: 1, lift: 1, conviction: null },
          { rule: "Sérum -> MBC-1", count: 2, support: 2 / 3, confidence: 2 / 3, lift: 1, conviction: (1 - 2 / 3) / (1 - 2 / 3) },
        ].map((x) => JSON.stringify(x)),
      ),
    );
  });

  it("groceries.csv: the same rules as the brute-force miner, sizes limited by --min-size/--max-size", { timeout: 30_000 }, async () => {
    const r = await cli("rules", "--input", GROCERIES, "--format", "baskets", "--min-support", "0.01", "--min-confidence", "0.3", "--min-size", "3", "--max-size", "3", "--json");
    expect(r.code, r.stderr).toBe(0);
    const actual = (JSON.parse(r.stdout) as AssociationRule[]).map((x) => `${x.antecedent.join("+")} -> ${x.consequent[0]}:${x.count}`).sort();
    const transactions = readFileSync(GROCERIES, "utf8").split("\n").filter(Boolean).map((l) => l.split(",").map((i) => i.trim()));
    const expected = new BruteForceMiner(transactions)
      .rules({ num: 1, den: 100 }, { num: 3, den: 10 }, 3, 3)
      .map((x) => `${x.antecedent.join("+")} -> ${x.consequent}:${x.count}`)
      .sort();
    expect(expected.length).toBeGreaterThan(10);
    expect(actual).toEqual(expected);
  });

  it("time decay: --half-life weighs older orders less (a pair bought only long ago loses support)", async () => {
    const file = fixture("decay.csv", [
      "order,date,item",
      ...["o1", "o2"].flatMap((o) => [`${o},2024-01-01,tea`, `${o},2024-01-01,cup`]),
      ...["o3", "o4"].flatMap((o) => [`${o},2024-12-31,tea`, `${o},2024-12-31,pot`]),
    ]);
    const map = ["--map", "order_id=order", "--map", "date=date", "--map", "product=item"];
    const plain = await cli("rules", "--input", file, "--format", "csv", ...map, "--min-support", "0.5", "--min-confidence", "0.5", "--json");
    expect(brief(JSON.parse(plain.stdout)).map((x) => x.rule).sort()).toEqual(["cup -> tea", "pot -> tea", "tea -> cup", "tea -> pot"]);
    // 365 days with a half-life of 36.5 days: weight 2^-10 for o1, o2; support of {tea, cup} = 2^-10 / (1 + 2^-10).
    const decayed = await cli("rules", "--input", file, "--format", "csv", ...map, "--min-support", "0.5", "--min-confidence", "0.5", "--half-life", "36.5", "--json");
    expect(decayed.code, decayed.stderr).toBe(0);
    const rules = JSON.parse(decayed.stdout) as AssociationRule[];
    expect(brief(rules).map((x) => x.rule).sort()).toEqual(["pot -> tea", "tea -> pot"]);
    expect(rules[0]!.support).toBeCloseTo(1 / (1 + 2 ** -10), 12);
  });
});

describe("insight-loop rules: output and errors", () => {
  it("prints a readable table without --json", async () => {
    const r = await cli("rules", "--input", baskets, "--format", "baskets", "--min-support", "0.4", "--min-confidence", "0.6");
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toMatch(/^5 transactions/);
    expect(lines[1]).toMatch(/^antecedent\s+consequent\s+support\s+confidence\s+lift\s+leverage\s+conviction\s+count\s+q-value\s+significant$/);
    expect(r.stdout).toMatch(/\{milk\}\s+\{bread\}\s+0\.60000\s+1\.0000\s+1\.250\s+0\.12000\s+inf\s+3\s/);
  });

  it("fails clearly: missing file (exit 1, names the file), bad thresholds and formats (exit 2), JSON errors with --json", async () => {
    const missing = path.join(dir, "nope.csv");
    const noFile = await cli("rules", "--input", missing, "--format", "baskets", "--min-support", "0.1", "--min-confidence", "0.5", "--json");
    expect(noFile.code).toBe(1);
    expect(noFile.stderr).toContain(`insight-loop rules: ${missing}: cannot read the file (no such file)`);
    expect(JSON.parse(noFile.stdout)).toMatchObject({ error: { file: missing } });

    const badSupport = await cli("rules", "--input", baskets, "--format", "baskets", "--min-support", "0", "--min-confidence", "0.5", "--json");
    expect(badSupport.code).toBe(2);
    expect(badSupport.stderr).toMatch(/--min-support must be a number in \(0, 1\], got "0"/);
    expect(JSON.parse(badSupport.stdout)).toMatchObject({ error: { message: expect.stringMatching(/--min-support/) } });

    const badFormat = await cli("rules", "--input", baskets, "--format", "xlsx", "--min-support", "0.1", "--min-confidence", "0.5");
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr).toMatch(/unknown format "xlsx"/);

    const badSizes = await cli("rules", "--input", baskets, "--format", "baskets", "--min-support", "0.1", "--min-confidence", "0.5", "--min-size", "4", "--max-size", "3");
    expect(badSizes.code).toBe(2);
    expect(badSizes.stderr).toMatch(/--max-size 3 is smaller than --min-size 4/);

    const unclosed = fixture("unclosed.csv", ["InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country", '1,A,"open,1,2010-12-01 08:26:00,1,1,UK']);
    const broken = await cli("rules", "--input", unclosed, "--format", "online-retail", "--min-support", "0.1", "--min-confidence", "0.5");
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(new RegExp(`${unclosed.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: line \\d+: a quoted field`));
  });

  it("as a process through npm run: stdout holds only the JSON array", { timeout: 60_000 }, async () => {
    const result = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
      const child = spawn("npm", ["run", "--silent", "cli", "--", "rules", "--input", baskets, "--format", "baskets", "--min-support", "0.4", "--min-confidence", "0.6", "--json"], {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, stdout }));
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toHaveLength(3);
  });
});
