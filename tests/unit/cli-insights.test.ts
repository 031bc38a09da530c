/**
 * `insight-loop upgrades` and `insight-loop backtest` on small Online Retail files, driven in-process. Expected values
 * are worked out by hand from the fixtures (the backtest fixture is the hand-computed case of
 * tests/unit/insights/backtest.test.ts, written as invoices).
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cli, fixtureDir } from "../support/cli-run";

const { dir } = fixtureDir("insights");

const HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country";
function fixture(name: string, lines: string[]): string {
  const file = path.join(dir, name);
  writeFileSync(file, `${[HEADER, ...lines].join("\n")}\n`);
  return file;
}

let invoice = 500000;
const row = (code: string, date: string, customer: string) => `${invoice},${code},ITEM ${code},1,${date} 10:00:00,1.00,${customer},United Kingdom`;
function basket(codes: string[], date: string, customer = "") {
  invoice++;
  return codes.map((c) => row(c, date, customer));
}
const times = (n: number, codes: string[], date: string) => Array.from({ length: n }, () => basket(codes, date)).flat();

// Before 2011-01-01: 6 × {A, B}, 6 × {C, D}, 8 × {E}; from it: {A, B}, {A, E}, {C, X}, {D}.
const history = fixture("history.csv", [
  ...times(6, ["10001", "10002"], "2010-12-01"),
  ...times(6, ["10003", "10004"], "2010-12-02"),
  ...times(8, ["10005"], "2010-12-03"),
  ...basket(["10001", "10002"], "2011-01-01"),
  ...basket(["10001", "10005"], "2011-01-02"),
  ...basket(["10003", "10099"], "2011-01-03"),
  ...basket(["10004"], "2011-01-04"),
]);

describe("insight-loop backtest --json", () => {
  it("reports the hand-computed leave-one-out metrics of the model and the popularity baseline", async () => {
    // --min-support 0.1 of the 20 orders before the cutoff: pairs need 2 orders.
    const r = await cli("backtest", "--input", history, "--format", "online-retail", "--cutoff", "2011-01-01", "--k", "2", "--min-support", "0.1", "--json");
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ cutoff: "2011-01-01", k: 2, minCount: 2, trainBaskets: 20, testBaskets: 3, coverage: 5 / 6 });
    expect(out.model).toMatchObject({ cases: 6, hits: 4, hitRate: 4 / 6, precision: 4 / 12, map: 3.5 / 6 });
    expect(out.popularity).toMatchObject({ cases: 6, hits: 4, map: 3 / 6 });
    expect(r.stderr).toMatch(/^20 orders before 2011-01-01 learnt/m);
  });

  it("prints a table without --json", async () => {
    const r = await cli("backtest", "--input", history, "--format", "online-retail", "--cutoff", "2011-01-01", "--k", "2", "--min-support", "0.1");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/model\s+66\.67 %\s+33\.33 %\s+58\.33 %/);
    expect(r.stdout).toMatch(/popularity\s+66\.67 %\s+33\.33 %\s+50\.00 %/);
  });

  it("--tasks adds cart completion and single anchor for today's ranker, EASE and the popularity baselines", async () => {
    // Lists of 10 (the chain fills with best sellers e, a, b, c, d). Cart completion, hidden item: a (cart b) rank 1,
    // b (a) 1, a (e) 1, e (a) 2, c (x) 4 (e, a, b, then c), x never sold: 5 hits of 6 for today's ranker; best sellers
    // all time e, a, b, c, d: a 2, b 2, a 1, e 1, c 4, x – : 5 of 6, MRR (½ + ½ + 1 + 1 + ¼) / 6.
    const r = await cli("backtest", "--input", history, "--format", "online-retail", "--cutoff", "2011-01-01", "--k", "2", "--min-support", "0.1", "--tasks", "--json");
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.tasks.rankers.map((x: { name: string }) => x.name)).toEqual(["rules", "ease", "popular", "popular-30d"]);
    const [rules, , popular] = out.tasks.rankers;
    expect(rules.cart).toMatchObject({ cases: 6, baskets: 3, hits5: 5 });
    expect(popular.cart).toMatchObject({ cases: 6, hits5: 5 });
    expect(popular.cart.mrr10).toBeCloseTo(3.25 / 6, 12);
    expect(out.tasks.easeItems).toBe(5); // a–e, each in ≥ 3 orders before the cutoff
    const table = await cli("backtest", "--input", history, "--format", "online-retail", "--cutoff", "2011-01-01", "--k", "2", "--min-support", "0.1", "--tasks");
    expect(table.stdout).toMatch(/Two tasks \(EASE: 5 products, λ \d+/);
    expect(table.stdout).toMatch(/rules\s+83\.33 % ± [\d.]+ %/);
  });

  it("fails clearly on bad usage (exit 2) and on a missing file (exit 1), with JSON errors under --json", async () => {
    const noCutoff = await cli("backtest", "--input", history, "--format", "online-retail", "--json");
    expect(noCutoff.code).toBe(2);
    expect(JSON.parse(noCutoff.stdout).error.message).toMatch(/--cutoff/);
    const badDay = await cli("backtest", "--input", history, "--format", "online-retail", "--cutoff", "2011-02-30", "--json");
    expect(badDay.code).toBe(2);
    expect(JSON.parse(badDay.stdout).error.message).toMatch(/--cutoff "2011-02-30" is not a day/);
    const badK = await cli("backtest", "--input", history, "--format", "online-retail", "--cutoff", "2011-01-01", "--k", "0", "--json");
    expect(badK.code).toBe(2);
    const badFormat = await cli("backtest", "--input", history, "--format", "xml", "--cutoff", "2011-01-01", "--json");
    expect(badFormat.code).toBe(2);
    const early = await cli("backtest", "--input", history, "--format", "online-retail", "--cutoff", "2000-01-01", "--json");
    expect(early.code).toBe(2);
    expect(JSON.parse(early.stdout).error.message).toMatch(/nothing to learn/);
    const missing = path.join(dir, "missing.csv");
    const noFile = await cli("backtest", "--input", missing, "--format", "online-retail", "--cutoff", "2011-01-01", "--json");
    expect(noFile.code).toBe(1);
    expect(JSON.parse(noFile.stdout).error.message).toContain("missing.csv");
  });
});

describe("insight-loop upgrades --json", () => {
  // Customers 1–4 buy ACME BOOK 14 (1.00) on 2010-12-01; 1–3 buy ACME BOOK 14 PRO (1.60) on 2011-03-01, 90 days later.
  const file = fixture("upgrades.csv", [
    ...["1", "2", "3", "4"].map((c) => `${++invoice},20001,ACME BOOK 14,1,2010-12-01 10:00:00,1.00,${c},United Kingdom`),
    ...["1", "2", "3"].map((c) => `${++invoice},20002,ACME BOOK 14 PRO,1,2011-03-01 10:00:00,1.60,${c},United Kingdom`),
    `${++invoice},20003,SOMETHING ELSE,1,2011-03-01 10:00:00,9.00,1,United Kingdom`,
  ]);

  it("finds the upgrade path with its share, median delay and explanation", async () => {
    const r = await cli("upgrades", "--input", file, "--format", "online-retail", "--as-of", "2012-06-01", "--json");
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ asOf: "2012-06-01", windowDays: 365, baskets: 8 });
    expect(out.products).toHaveLength(1);
    const [book] = out.products;
    expect(book.title).toBe("ACME BOOK 14");
    expect(book.upgrades).toHaveLength(1);
    expect(book.upgrades[0]).toMatchObject({
      title: "ACME BOOK 14 PRO",
      price: 160,
      sameLine: true,
      path: { count: 3, buyers: 4, observedBuyers: 4, upgraded: 3, share: 0.75, censored: false, medianDays: 90 },
      explanation: "75 % of ACME BOOK 14 buyers came back for the ACME BOOK 14 PRO, a median 90 days later",
    });
  });

  it("a short window: no path, the same-line evidence remains", async () => {
    const r = await cli("upgrades", "--input", file, "--format", "online-retail", "--as-of", "2012-06-01", "--window-days", "30", "--json");
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).products[0].upgrades[0]).toMatchObject({ path: null, explanation: "a step up from the ACME BOOK 14: same line, 1.6× the price" });
  });

  it("rejects a bad --as-of", async () => {
    const r = await cli("upgrades", "--input", file, "--format", "online-retail", "--as-of", "June", "--json");
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error.message).toMatch(/--as-of/);
  });
});
