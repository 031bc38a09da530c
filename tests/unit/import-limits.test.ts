/**
 * Import limits (ADR 028): the decompressed size is counted while streaming (a gzip bomb stops at the cap, naming the
 * line reached), and one record may not pass maxRecordBytes (an endless quoted field or an endless line stops the
 * import, naming the line where it starts), whatever the format.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { readOrders } from "../../app/import/read";
import { ImportError, type ImportOptions } from "../../app/import/types";

const dir = mkdtempSync(path.join(tmpdir(), "import-limits-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function file(content: string | Buffer): string {
  const p = path.join(dir, `f${++n}`);
  writeFileSync(p, content);
  return p;
}

async function failure(p: string, format: string, options: ImportOptions = {}): Promise<ImportError> {
  let orders = 0;
  try {
    for await (const _ of readOrders(p, format, options)) orders++;
  } catch (error) {
    expect(error).toBeInstanceOf(ImportError);
    return error as ImportError;
  }
  throw new Error(`expected the import to fail, it read ${orders} orders`);
}

const BASKET = "milk,bread,eggs\n"; // 16 bytes a line

describe("decompressed size", () => {
  it("stops a gzip bomb (10 MB of lines in ~10 KB) at the cap and names the line the cap was passed on", async () => {
    const inflated = Buffer.from(BASKET.repeat(640 * 1024)); // 10 MiB
    const bomb = gzipSync(inflated, { level: 9 });
    expect(bomb.length).toBeLessThan(64 * 1024);
    const p = file(bomb);
    const error = await failure(p, "baskets", { maxDecompressedBytes: 1024 * 1024 });
    // 1 MiB of 16-byte lines: the cap falls at the end of line 65536, so the first byte past it is on line 65537.
    expect(error.line).toBe(65537);
    expect(error.message).toBe(`${p}: line 65537: the file holds more than 1 MB once decompressed, the most accepted; nothing was imported`);
  });

  it("counts a plain file too, and lets a file under the cap through whole", async () => {
    expect((await failure(file(BASKET.repeat(100)), "baskets", { maxDecompressedBytes: 1000 })).line).toBe(63);
    let orders = 0;
    for await (const _ of readOrders(file(gzipSync(BASKET.repeat(100))), "baskets", { maxDecompressedBytes: 1600 })) orders++;
    expect(orders).toBe(100);
  });

  it("refuses a limit that is not a positive integer", async () => {
    await expect(failure(file(BASKET), "baskets", { maxDecompressedBytes: 0 })).resolves.toMatchObject({
      message: "maxDecompressedBytes must be a positive integer",
    });
  });
});

describe("record size", () => {
  const header = "Invoice,Day,Client,Item,Qty,Price\n";
  const row = (i: number) => `O${i},2025-01-02,c1,Item,1,9.99\n`;
  const map = ["order_id=Invoice", "date=Day", "customer_id=Client", "product=Item", "quantity=Qty", "price=Price"];

  it("stops an endless quoted field (gzipped) and names the line where its record starts", async () => {
    const endless = `${header}${row(1)}${row(2)}\nO3,2025-01-02,c1,"never closed${" and on,\n".repeat(200_000)}`;
    const p = file(gzipSync(endless));
    const error = await failure(p, "csv", { map, maxRecordBytes: 64 * 1024 });
    expect(error.line).toBe(4); // the blank line 4 is skipped; the record starts on line 5, after line 3's record
    expect(error.message).toMatch(/^.*: line 4: the record starting after line 3 is longer than 64 KB \(still going at line \d+\); a quoted field is probably never closed/);
  });

  it("stops a Shopify export whose quoted field never closes under the default 1 MiB cap", async () => {
    const head = "Name,Email,Created at,Lineitem quantity,Lineitem name,Lineitem price,Currency\n";
    const text = `${head}#1,,2025-01-01 10:00:00 +0000,1,"endless ${"x".repeat(2 * 1024 * 1024)}`;
    const error = await failure(file(text), "shopify-csv");
    expect(error.message).toContain("line 2: the record starting after line 1 is longer than 1 MB");
  });

  it("stops an endless line of a line-based format (CDNOW) naming its line", async () => {
    const text = `00001 19970101   1   11.77\n00002 19970112   1   12.00\n${"9".repeat(200_000)}`;
    const error = await failure(file(text), "cdnow", { maxRecordBytes: 100_000 });
    expect(error.message).toBe(`${dir}/f${n}: line 3: the line is longer than 97.7 KB, the most one record may hold`);
  });

  it("lets records up to the cap through", async () => {
    let orders = 0;
    const long = `O1,2025-01-02,c1,"${"y".repeat(10_000)}",1,9.99\n`;
    for await (const _ of readOrders(file(`${header}${long}${row(2)}`), "csv", { map, maxRecordBytes: 11_000 })) orders++;
    expect(orders).toBe(2);
  });
});
