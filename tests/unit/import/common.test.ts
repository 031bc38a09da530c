/** The shared pieces of the import parsers: times in IANA zones, exact money, CSV line numbers, grouping. */
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import {
  checkTimeZone,
  countryCode,
  csvRows,
  OrderGrouper,
  parseDay,
  parseInteger,
  parseMoney,
  parseTimestamp,
  zonedTimeToUtc,
} from "../../../app/import/common";
import { ImportError, ParseContext, RowError, slug } from "../../../app/import/types";

const iso = (d: Date) => d.toISOString();

describe("timestamps", () => {
  it("reads wall-clock times in the given zone, GMT in winter and BST in summer for Europe/London", () => {
    expect(iso(parseTimestamp("2010-12-01 08:26:00", "Europe/London", "d"))).toBe("2010-12-01T08:26:00.000Z");
    expect(iso(parseTimestamp("2011-06-01 10:00:00", "Europe/London", "d"))).toBe("2011-06-01T09:00:00.000Z");
    expect(iso(parseTimestamp("2025-03-01", "Asia/Ho_Chi_Minh", "d"))).toBe("2025-02-28T17:00:00.000Z");
    expect(iso(parseTimestamp("2025-03-01T10:00", "UTC", "d"))).toBe("2025-03-01T10:00:00.000Z");
    expect(iso(parseTimestamp("2025-03-01T10:00:00.25", "UTC", "d"))).toBe("2025-03-01T10:00:00.250Z");
  });

  it("honours an explicit offset whatever the zone, including Shopify's `+0200` after a space", () => {
    expect(iso(parseTimestamp("2025-10-07 09:50:26 +0200", "Asia/Tokyo", "d"))).toBe("2025-10-07T07:50:26.000Z");
    expect(iso(parseTimestamp("2015-03-06 13:49:03 -0500", "UTC", "d"))).toBe("2015-03-06T18:49:03.000Z");
    expect(iso(parseTimestamp("2025-01-01T00:00:00Z", "Europe/London", "d"))).toBe("2025-01-01T00:00:00.000Z");
    expect(iso(parseTimestamp("2025-01-01T07:00:00+07:00", "UTC", "d"))).toBe("2025-01-01T00:00:00.000Z");
  });

  it("resolves DST gaps forward and overlaps to the earlier instant", () => {
    // Clocks went forward at 01:00 GMT on 2011-03-27: 01:30 does not exist and means 02:30 BST.
    expect(iso(parseTimestamp("2011-03-27 01:30", "Europe/London", "d"))).toBe("2011-03-27T01:30:00.000Z");
    expect(iso(parseTimestamp("2011-03-27 02:30", "Europe/London", "d"))).toBe("2011-03-27T01:30:00.000Z");
    expect(iso(parseTimestamp("2011-03-27 00:59", "Europe/London", "d"))).toBe("2011-03-27T00:59:00.000Z");
    // Clocks went back at 01:00 GMT on 2011-10-30: 01:30 happened twice; the first time was BST.
    expect(iso(parseTimestamp("2011-10-30 01:30", "Europe/London", "d"))).toBe("2011-10-30T00:30:00.000Z");
    expect(iso(parseTimestamp("2011-10-30 02:30", "Europe/London", "d"))).toBe("2011-10-30T02:30:00.000Z");
    // Around the change, every hour of the days before and after converts consistently.
    for (let h = 0; h < 72; h++) {
      const wall = Date.UTC(2011, 2, 26, h);
      const utc = zonedTimeToUtc(wall, "Europe/London");
      expect(wall - utc).toBe(wall < Date.UTC(2011, 2, 27, 2) ? 0 : 3_600_000); // 01:00-01:59 do not exist: shifted forward
    }
  });

  it("rejects what is not a date with the column name, and unknown zones with the option name", () => {
    expect(() => parseTimestamp("2011-02-30", "UTC", "InvoiceDate")).toThrow(RowError);
    expect(() => parseTimestamp("12/01/2010 08:26", "UTC", "InvoiceDate")).toThrow(/InvoiceDate "12\/01\/2010 08:26" is not a date/);
    expect(() => parseTimestamp("2011-01-01 24:00", "UTC", "d")).toThrow(RowError);
    expect(iso(parseDay("19970101", "UTC", "date"))).toBe("1997-01-01T00:00:00.000Z");
    expect(checkTimeZone("europe/london")).toBe("Europe/London");
    expect(checkTimeZone("Asia/Ho_Chi_Minh")).toBe("Asia/Ho_Chi_Minh");
    expect(() => checkTimeZone("Mars/Olympus")).toThrow(ImportError);
    expect(() => checkTimeZone("Mars/Olympus")).toThrow(/--tz "Mars\/Olympus" is not an IANA time zone/);
  });
});

describe("values", () => {
  it("converts money exactly to minor units and refuses what it cannot store exactly", () => {
    expect(parseMoney("2.55", "GBP", "UnitPrice")).toBe(255n);
    expect(parseMoney("0.1", "USD", "p") + parseMoney("0.2", "USD", "p")).toBe(30n);
    expect(parseMoney("30000000", "VND", "p")).toBe(30_000_000n);
    expect(parseMoney("1.500", "GBP", "p")).toBe(150n);
    expect(() => parseMoney("0.001", "GBP", "UnitPrice")).toThrow(/UnitPrice "0.001" has more decimals than GBP allows \(2\)/);
    expect(() => parseMoney("1,234.00", "USD", "Price")).toThrow(/Price "1,234.00" is not a decimal amount/);
  });

  it("reads integers within the database's range only", () => {
    expect(parseInteger(" -12 ", "Quantity")).toBe(-12);
    expect(() => parseInteger("abc", "Quantity")).toThrow('Quantity "abc" is not an integer');
    expect(() => parseInteger("1.5", "Qty")).toThrow(RowError);
    expect(() => parseInteger("3000000000", "Qty")).toThrow(/out of range/);
  });

  it("maps country names to ISO codes and leaves non-countries null", () => {
    expect(["United Kingdom", "EIRE", "RSA", "USA", "Channel Islands", "European Community", "Unspecified", "vn"].map(countryCode)).toEqual([
      "GB", "IE", "ZA", "US", null, null, null, "VN",
    ]);
  });

  it("slugs names for product ids", () => {
    expect(slug("rolls/buns")).toBe("rolls-buns");
    expect(slug(" Café Crème ")).toBe("cafe-creme");
    expect(slug("!!!")).toBe("");
  });
});

describe("CSV rows", () => {
  it("numbers records by the line they start on, across quoted newlines, and reports malformed rows in order", async () => {
    const ctx = new ParseContext("f.csv");
    const text = '\uFEFFa,b,c\r\n1,2,3\r\n"multi\r\nline",5,6\r\n7,8\r\n\r\n9,"x""y",10\r\n11,12,13';
    const rows: [number, string[]][] = [];
    for await (const row of csvRows(Readable.from([text]), ctx)) rows.push([row.line, row.fields]);
    expect(rows).toEqual([
      [1, ["a", "b", "c"]],
      [2, ["1", "2", "3"]],
      [3, ["multi\r\nline", "5", "6"]],
      [7, ["9", 'x"y', "10"]],
      [8, ["11", "12", "13"]],
    ]);
    expect(ctx.rowsSkipped).toBe(1);
    expect(ctx.problems).toEqual([{ line: 5, message: expect.stringMatching(/malformed CSV row \(Invalid Record Length: expect 3, got 2/) }]);
  });

  it("stops on a quote that is never closed (the rest of the file would be lost silently)", async () => {
    const ctx = new ParseContext("f.csv");
    const consume = async () => {
      for await (const row of csvRows(Readable.from(['a,b\n1,2\n3,"open\n5,6\n']), ctx)) void row;
    };
    await expect(consume()).rejects.toThrow(/f\.csv: line 3: a quoted field opened after line 2 is never closed/);
  });
});

describe("OrderGrouper", () => {
  it("keeps a window of open orders, closes the least recently touched, and remembers closed ids", () => {
    const g = new OrderGrouper<string>(2);
    expect(g.add("a", "A")).toEqual([]);
    expect(g.add("b", "B")).toEqual([]);
    expect(g.get("a")).toBe("A"); // a is now the most recent
    expect(g.add("c", "C")).toEqual(["B"]);
    expect(g.isClosed("b")).toBe(true);
    expect(g.get("b")).toBeUndefined();
    expect(g.drain()).toEqual(["A", "C"]);
    expect(g.isClosed("a")).toBe(true);
  });
});
