/**
 * `insight-loop clv` and `insight-loop rfm` from files, without a database. Oracles: Fader, Hardie & Lee (2005) for
 * CDNOW_sample through the CLI, the CDNOW summary file for one customer, and hand-computed fixtures.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cli, fixtureDir } from "../support/cli-run";

const { fixture } = fixtureDir("value");
const CDNOW_SAMPLE = path.resolve(import.meta.dirname, "../../../shared/datasets/cdnow/CDNOW_sample.txt");

interface ClvCustomer {
  id: string;
  x: number;
  t_x: number;
  T: number;
  monetary: number;
  pAlive: number;
  expectedPurchases: number;
  clv: number | null;
}

describe("insight-loop clv", () => {
  it("CDNOW_sample.txt (calibration end 1997-09-30, weeks): the paper's BG/NBD parameters and a 0–7+ holdout check", { timeout: 30_000 }, async () => {
    const r = await cli("clv", "--input", CDNOW_SAMPLE, "--format", "cdnow", "--calibration-end", "1997-09-30", "--holdout-end", "1998-06-30", "--json");
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      bgnbd: { r: number; alpha: number; a: number; b: number; logLikelihood: number };
      gammaGamma: { p: number; q: number; v: number; logLikelihood: number };
      customers: ClvCustomer[];
      holdout: { duration: number; buckets: { frequency: string; customers: number; actual: number; predicted: number }[] };
      currency: string;
    };
    // Fader, Hardie & Lee (2005): r = 0.243, α = 4.414, a = 0.793, b = 2.426, LL = −9582.4.
    expect([out.bgnbd.r, out.bgnbd.alpha, out.bgnbd.a, out.bgnbd.b].map((v) => v.toFixed(3))).toEqual(["0.243", "4.414", "0.793", "2.426"]);
    expect(out.bgnbd.logLikelihood.toFixed(1)).toBe("-9582.4");
    expect(out.customers).toHaveLength(2357);
    expect(out.currency).toBe("USD");
    // Spend parameters near Hardie's (6.25, 3.74, 15.44): the CLI's monetary values are exact, the file's are rounded.
    expect(out.gammaGamma.p).toBeCloseTo(6.25, 1);
    expect(out.gammaGamma.q).toBeCloseTo(3.74, 1);
    expect(out.gammaGamma.v).toBeCloseTo(15.44, 1);
    // Sample customer 1 is master customer 00004 (x = 2, t_x = 30.43, T = 38.86, zbar = 22.35 in the summary file);
    // Hardie's conditional expectation for that history over 39 weeks is 1.226.
    const c = out.customers.find((x) => x.id === "00004")!;
    expect([c.x, c.t_x.toFixed(2), c.T.toFixed(2), c.monetary]).toEqual([2, "30.43", "38.86", 22.345]);
    expect(c.expectedPurchases).toBeCloseTo(1.226, 3);
    expect(c.pAlive).toBeGreaterThan(0);
    expect(c.pAlive).toBeLessThan(1);
    expect(c.clv).toBeGreaterThan(0);
    expect(out.holdout.duration).toBe(39);
    expect(out.holdout.buckets.map((b) => b.frequency)).toEqual(["0", "1", "2", "3", "4", "5", "6", "7+"]);
    expect(out.holdout.buckets.reduce((s, b) => s + b.customers, 0)).toBe(2357);
    // In the sample file 1,411 customers made no repeat purchase by 1997-09-30 (946 did).
    expect(out.holdout.buckets[0]!.customers).toBe(1411);
    expect(r.stderr).toMatch(/^2357 customers \(946 with repeat purchases/);
  });

  it("--horizon and --time-unit day: expected purchases over 273 days equal those over 39 weeks for the same history", { timeout: 30_000 }, async () => {
    const r = await cli("clv", "--input", CDNOW_SAMPLE, "--format", "cdnow", "--calibration-end", "1997-09-30", "--time-unit", "day", "--horizon", "273", "--json");
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { bgnbd: { r: number; alpha: number; logLikelihood: number }; customers: ClvCustomer[] };
    // Days rescale α by 7 and shift the log-likelihood by (number of repeat purchases) · ln 7 (the density of t_x).
    expect(out.bgnbd.r.toFixed(3)).toBe("0.243");
    expect((out.bgnbd.alpha / 7).toFixed(3)).toBe("4.414");
    const c = out.customers.find((x) => x.id === "00004")!;
    expect([c.x, c.t_x, c.T]).toEqual([2, 213, 272]);
    expect(c.expectedPurchases).toBeCloseTo(1.226, 3);
  });

  it("--model auto: both models checked on the holdout, MBG/NBD kept on its lower MAE; --margin puts values in contribution", { timeout: 30_000 }, async () => {
    const args = ["clv", "--input", CDNOW_SAMPLE, "--format", "cdnow", "--calibration-end", "1997-09-30", "--holdout-end", "1998-06-30", "--json"];
    const r = await cli(...args, "--model", "auto");
    expect(r.code, r.stderr).toBe(0);
    type Validation = { model: string; mae: number; totalActual: number; passes: boolean; deciles: unknown[] };
    const out = JSON.parse(r.stdout) as {
      purchaseModel: { kind: string; r: number; alpha: number; a: number; b: number };
      validation: { models: Validation[]; choice: { chosen: string; maeDifference: { value: number; standardError: number } } };
      customers: ClvCustomer[];
    };
    const [bg, mbg] = out.validation.models;
    expect([bg!.model, mbg!.model]).toEqual(["bgnbd", "mbgnbd"]);
    // CDNOW: MBG/NBD's holdout MAE is lower by more than two standard errors of the paired difference.
    expect(out.validation.choice.chosen).toBe("mbgnbd");
    expect(out.validation.choice.maeDifference.value).toBeCloseTo(bg!.mae - mbg!.mae, 12);
    expect(out.validation.choice.maeDifference.value).toBeGreaterThan(2 * out.validation.choice.maeDifference.standardError);
    expect(out.purchaseModel.kind).toBe(out.validation.choice.chosen);
    // On CDNOW the MBG/NBD estimates are the published ones (BTYDplus): 0.525, 6.183, 0.891, 1.614.
    expect([out.purchaseModel.r, out.purchaseModel.alpha, out.purchaseModel.a, out.purchaseModel.b].map((v) => v.toFixed(3))).toEqual(["0.525", "6.183", "0.891", "1.614"]);
    expect(bg!.deciles).toHaveLength(10);
    // A 30 % margin: every amount × 0.3 (to the cent), so lifetime values are about 0.3 × the net revenue ones.
    const revenue = JSON.parse((await cli(...args, "--model", out.purchaseModel.kind)).stdout) as { customers: ClvCustomer[]; valueBasis: string };
    const contribution = JSON.parse((await cli(...args, "--model", out.purchaseModel.kind, "--margin", "30")).stdout) as { customers: ClvCustomer[]; valueBasis: string };
    expect(revenue.valueBasis).toMatch(/^net revenue/);
    expect(contribution.valueBasis).toBe("contribution at a 30 % margin");
    const total = (o: { customers: ClvCustomer[] }) => o.customers.reduce((sum, c) => sum + (c.clv ?? 0), 0);
    expect(total(contribution) / total(revenue)).toBeCloseTo(0.3, 3);
    expect((await cli("clv", "--input", CDNOW_SAMPLE, "--format", "cdnow", "--calibration-end", "1997-09-30", "--model", "auto")).code).toBe(2);
  });

  it("a shop with too little history gets a clear message and exit code 2", async () => {
    const file = fixture("tiny.csv", [
      "order,date,item,customer,price",
      "o1,2024-01-01,tea,c1,10.00",
      "o2,2024-01-20,tea,c1,12.00",
      "o3,2024-01-05,cup,c2,5.00",
      "o4,2024-01-07,cup,,5.00",
    ]);
    const map = ["--map", "order_id=order", "--map", "date=date", "--map", "product=item", "--map", "customer_id=customer"];
    const r = await cli("clv", "--input", file, "--format", "csv", ...map, "--calibration-end", "2024-01-31", "--json");
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({
      error: { message: "not enough customers to fit the BG/NBD model: 2 in the calibration period, at least 100 needed", requirement: "customers", required: 100, actual: 2 },
    });
  });

  it("bad usage: an unknown time unit, a holdout before the calibration end, a bad day", async () => {
    const base = ["clv", "--input", CDNOW_SAMPLE, "--format", "cdnow", "--json"];
    expect((await cli(...base, "--calibration-end", "1997-09-30", "--time-unit", "month")).code).toBe(2);
    const r = await cli(...base, "--calibration-end", "1997-09-30", "--holdout-end", "1997-09-01");
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error.message).toMatch(/must be after/);
    expect((await cli(...base, "--calibration-end", "1997-13-01")).code).toBe(2);
  });
});

describe("insight-loop rfm", () => {
  // Five customers at the end of 2024-03-31 (hand-computed; n = 5, score = 1 + ⌊5 · strictly worse / 5⌋):
  //   c1: last 03-30 (1 day), 3 orders, 300 → R5 F5 (worse 4) M5 → CHAMPIONS
  //   c2: last 03-20 (11 days), 2 orders, 150 → R4 F4 M4 → FM 4 → LOYAL
  //   c3: last 02-10 (50 days), 1 order, 100 → R3 F1 M3 (worse: c4, c5) → FM 2 → ALMOST_LOST
  //   c4: last 01-05 (86 days), 1 order, 50 → R2 F1 M2 → FM 1.5 → ALMOST_LOST
  //   c5: last 01-01 (90 days), 1 order, 20 → R1 F1 M1 → DORMANT
  //   c6: first order on 04-02, after the as-of day → PROSPECTS
  const lines = [
    "order,date,item,customer,price",
    "a1,2024-01-10,tea,c1,100.00",
    "a2,2024-02-10,tea,c1,100.00",
    "a3,2024-03-30,tea,c1,100.00",
    "b1,2024-02-01,tea,c2,75.00",
    "b2,2024-03-20,tea,c2,75.00",
    "c1,2024-02-10,tea,c3,100.00",
    "d1,2024-01-05,tea,c4,50.00",
    "e1,2024-01-01,tea,c5,20.00",
    "f1,2024-04-02,tea,c6,20.00",
  ];
  const map = ["--map", "order_id=order", "--map", "date=date", "--map", "product=item", "--map", "customer_id=customer"];

  it("scores and groups by hand, prospects included, and the movement since an earlier day", async () => {
    const file = fixture("rfm.csv", lines);
    const r = await cli("rfm", "--input", file, "--format", "csv", ...map, "--as-of", "2024-03-31", "--previous", "2024-02-29", "--json");
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      customers: { id: string; recency: number; frequency: number; monetary: number; group: string; spend: number }[];
      groups: Record<string, number>;
      movement: { groups: string[]; matrix: number[][] };
    };
    const byId = Object.fromEntries(out.customers.map((c) => [c.id, [c.recency, c.frequency, c.monetary, c.group]]));
    expect(byId).toEqual({
      c1: [5, 5, 5, "CHAMPIONS"],
      c2: [4, 4, 4, "LOYAL"],
      c3: [3, 1, 3, "ALMOST_LOST"],
      c4: [2, 1, 2, "ALMOST_LOST"],
      c5: [1, 1, 1, "DORMANT"],
      c6: [null, null, null, "PROSPECTS"],
    });
    expect(out.customers.find((c) => c.id === "c2")!.spend).toBe(150);
    expect(out.groups).toMatchObject({ CHAMPIONS: 1, LOYAL: 1, ALMOST_LOST: 2, DORMANT: 1, PROSPECTS: 1 });
    // Every customer is counted once in the movement matrix.
    expect(out.movement.matrix.flat().reduce((s, v) => s + v, 0)).toBe(6);
    const row = out.movement.groups.indexOf("PROSPECTS");
    // c6 stays a prospect.
    expect(out.movement.matrix[row]![row]).toBe(1);
  });

  it("bad usage: --previous not before --as-of", async () => {
    const file = fixture("rfm2.csv", lines);
    const r = await cli("rfm", "--input", file, "--format", "csv", ...map, "--as-of", "2024-03-31", "--previous", "2024-04-30", "--json");
    expect(r.code).toBe(2);
  });
});

describe("insight-loop cohorts and segments", () => {
  // The same five customers (csv, UTC) by hand, as of 2024-03-31:
  //   January cohort c1, c4, c5 — active Jan 3, Feb c1, Mar c1; revenue Jan 100 + 50 + 20, Feb 100, Mar 100 over 3.
  //   February cohort c2, c3 — active Feb 2, Mar c2; revenue Feb 75 + 100, Mar 75 over 2. c6 (04-02) is after as-of.
  //   Churn: Feb — of Jan's c1, c4, c5, c4 and c5 buy nothing (2/3); Mar — of Feb's c1, c2, c3, c3 buys nothing (1/3).
  const lines = [
    "order,date,item,customer,price,country",
    "a1,2024-01-10,tea,c1,100.00,VN",
    "a2,2024-02-10,tea,c1,100.00,VN",
    "a3,2024-03-30,tea,c1,100.00,VN",
    "b1,2024-02-01,tea,c2,75.00,Vietnam",
    "b2,2024-03-20,tea,c2,75.00,VN",
    "c1,2024-02-10,cup,c3,100.00,SG",
    "d1,2024-01-05,cup,c4,50.00,SG",
    "e1,2024-01-01,tea,c5,20.00,Singapore",
    "f1,2024-04-02,tea,c6,20.00,SG",
  ];
  const map = ["--map", "order_id=order", "--map", "date=date", "--map", "product=item", "--map", "customer_id=customer", "--map", "country=country"];

  it("retention matrix and monthly churn by hand", async () => {
    const file = fixture("cohorts.csv", lines);
    const r = await cli("cohorts", "--input", file, "--format", "csv", ...map, "--as-of", "2024-03-31", "--json");
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      lastMonth: string;
      lastMonthPartial: boolean;
      ordersAfterAsOf: number;
      cohorts: { cohort: string; customers: number; retention: number[]; revenuePerCustomer: number[]; cumulativeRevenuePerCustomer: number[] }[];
      churn: { period: string; activeBefore: number; churned: number; churnRate: number; active: number; returning: number; new: number }[];
    };
    expect([out.lastMonth, out.lastMonthPartial, out.ordersAfterAsOf]).toEqual(["2024-03", false, 1]);
    expect(out.cohorts.map((c) => [c.cohort, c.customers])).toEqual([
      ["2024-01", 3],
      ["2024-02", 2],
    ]);
    expect(out.cohorts[0]!.retention).toEqual([1, 1 / 3, 1 / 3]);
    expect(out.cohorts[0]!.revenuePerCustomer).toEqual([56.6667, 33.3333, 33.3333]);
    expect(out.cohorts[1]!.retention).toEqual([1, 0.5]);
    expect(out.cohorts[1]!.revenuePerCustomer).toEqual([87.5, 37.5]);
    expect(out.cohorts[1]!.cumulativeRevenuePerCustomer).toEqual([87.5, 125]);
    expect(out.churn).toEqual([
      { period: "2024-02", activeBefore: 3, churned: 2, churnRate: 2 / 3, active: 3, returning: 0, new: 2 },
      { period: "2024-03", activeBefore: 3, churned: 1, churnRate: 1 / 3, active: 2, returning: 0, new: 0 },
    ]);
    // Without --as-of the last order's day (2024-04-02) is used: April is partial, c6 forms an April cohort.
    const latest = await cli("cohorts", "--input", file, "--format", "csv", ...map, "--json");
    const all = JSON.parse(latest.stdout) as { asOf: string; lastMonthPartial: boolean; cohorts: { cohort: string }[] };
    expect([all.asOf, all.lastMonthPartial, all.cohorts.map((c) => c.cohort)]).toEqual(["2024-04-02", true, ["2024-01", "2024-02", "2024-04"]]);
    expect((await cli("cohorts", "--input", file, "--format", "csv", ...map, "--period", "week")).code).toBe(2);
  });

  it("segments by country: size, AOV, frequency, repeat, inactivity churn and top products by hand; seeded comparison", async () => {
    const file = fixture("segments.csv", lines);
    const args = ["segments", "--input", file, "--format", "csv", ...map, "--as-of", "2024-03-31", "--by", "country", "--inactive-days", "60", "--json"];
    const r = await cli(...args, "--compare", "VN,SG", "--seed", "3");
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      segments: { segment: string; customers: number; orders: number; revenue: number; aov: number; purchaseFrequency: number; repeatRate: number; churn: number; topProducts: { product: string; orders: number }[] }[];
      comparison: { differences: { metric: string; difference: number; low: number; high: number; significant: boolean }[] };
    };
    // SG: c3 (100, cup), c4 (50, cup), c5 (20, tea): 3 orders, 170, nobody repeats; c4 and c5 last bought > 60 days
    // before the end of 03-31 (87 and 91 days), c3 51 days. VN: c1 3 × 100, c2 2 × 75: 5 orders, 450, both repeat.
    expect(out.segments.map((s) => [s.segment, s.customers, s.orders, s.revenue, s.purchaseFrequency, s.repeatRate, s.churn])).toEqual([
      ["SG", 3, 3, 170, 1, 0, 2 / 3],
      ["VN", 2, 5, 450, 2.5, 1, 0],
    ]);
    expect(out.segments[0]!.aov).toBeCloseTo(170 / 3, 4);
    expect(out.segments[1]!.aov).toBe(90);
    expect(out.segments[0]!.topProducts).toEqual([
      { product: "cup", orders: 2, share: 2 / 3 },
      { product: "tea", orders: 1, share: 1 / 3 },
    ]);
    // Every VN customer repeats and no SG customer does: the repeat-rate difference is 1 in every resample.
    const repeat = out.comparison.differences.find((d) => d.metric === "repeatRate")!;
    expect([repeat.difference, repeat.low, repeat.high, repeat.significant]).toEqual([1, 1, 1, true]);
    const again = await cli(...args, "--compare", "VN,SG", "--seed", "3");
    expect(again.stdout).toBe(r.stdout);
  });

  it("segments: a tag prefix nobody has, first product, and bad usage", async () => {
    const file = fixture("segments2.csv", lines);
    const base = ["segments", "--input", file, "--format", "csv", ...map, "--as-of", "2024-03-31", "--json"];
    const tags = await cli(...base, "--by", "tag-prefix:age:");
    expect(tags.code, tags.stderr).toBe(0);
    const t = JSON.parse(tags.stdout) as { segments: unknown[]; unassigned: number; warnings: string[] };
    expect([t.segments, t.unassigned]).toEqual([[], 5]);
    expect(t.warnings).toEqual(["no customer has a value for tag-prefix:age: in this file (5 customers without one)"]);
    // First product: c1, c2, c5 started with tea; c3, c4 with cup.
    const first = JSON.parse((await cli(...base, "--by", "first-product")).stdout) as { segments: { segment: string; customers: number }[] };
    expect(first.segments.map((s) => [s.segment, s.customers])).toEqual([
      ["cup", 2],
      ["tea", 3],
    ]);
    expect((await cli(...base, "--by", "age")).code).toBe(2);
    expect((await cli(...base, "--by", "country", "--compare", "VN")).code).toBe(2);
    const missing = await cli(...base, "--by", "country", "--compare", "VN,JP");
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.stdout).error.message).toMatch(/JP has no customers/);
  });

  it("segments by source from a Shopify export", async () => {
    const file = fixture("shopify.csv", [
      "Name,Email,Created at,Currency,Total,Source,Lineitem quantity,Lineitem name,Lineitem price",
      "#1001,a@example.com,2024-01-02 10:00:00 +0000,USD,10.00,web,1,Tea,10.00",
      "#1002,b@example.com,2024-01-03 10:00:00 +0000,USD,30.00,pos,1,Cup,30.00",
      "#1003,a@example.com,2024-02-03 10:00:00 +0000,USD,20.00,pos,1,Tea,20.00",
    ]);
    const r = await cli("segments", "--input", file, "--format", "shopify-csv", "--by", "source", "--json");
    expect(r.code, r.stderr).toBe(0);
    // a's first order came from web (its second from pos); b's from pos.
    const out = JSON.parse(r.stdout) as { asOf: string; segments: { segment: string; customers: number; orders: number; revenue: number }[] };
    expect(out.asOf).toBe("2024-02-03");
    expect(out.segments.map((s) => [s.segment, s.customers, s.orders, s.revenue])).toEqual([
      ["pos", 1, 1, 30],
      ["web", 1, 2, 30],
    ]);
  });
});
