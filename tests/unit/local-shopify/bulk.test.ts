import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { smallSeed } from "../../factories/seed";
import { createLocalShopify } from "../../local-shopify";
import { bulkControls } from "../../local-shopify/modules/bulk";
import { adminClient } from "../../support/local-admin";

const local = createLocalShopify();
local.addShop(smallSeed());
local.issueAccessToken("small-shop.myshopify.com", "t");
const gql = adminClient(local, "t");
const finished: string[] = [];
bulkControls(local).onFinish = (shop, op) => finished.push(`${shop} ${op.status}`);

beforeAll(() => local.listen());
afterAll(() => local.close());

const RUN = `mutation Run($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id status } userErrors { field message code } } }`;
const POLL = `query Poll($id: ID!) { bulkOperation(id: $id) { id status errorCode objectCount rootObjectCount url partialDataUrl } }`;
const ORDERS = `{ orders { edges { node { id name lineItems { edges { node { id sku quantity } } } } } } }`;

async function start(query: string) {
  const { body } = await gql(RUN, { q: query });
  return body.data.bulkOperationRunQuery as { bulkOperation: { id: string; status: string } | null; userErrors: { message: string; code: string }[] };
}

async function until(id: string, done: (status: string) => boolean) {
  for (let i = 0; i < 200; i++) {
    const op = (await gql(POLL, { id })).body.data.bulkOperation;
    if (done(op.status)) return op;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("bulk operation did not finish");
}

const lines = async (url: string) =>
  (await (await fetch(url)).text()).split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

describe("bulk operations", () => {
  it("runs a whole connection into JSONL with __parentId children, not always after their parent", async () => {
    const started = await start(ORDERS);
    expect(started.userErrors).toEqual([]);
    expect(started.bulkOperation?.status).toBe("CREATED");
    const op = await until(started.bulkOperation!.id, (s) => s === "COMPLETED");
    const rows = await lines(op.url);
    const parents = rows.filter((r) => !("__parentId" in r));
    const children = rows.filter((r) => "__parentId" in r);
    expect(parents.map((p) => p.name)).toEqual(["#1001", "#1002", "#1003", "#1004", "#1005"]);
    expect(parents.every((p) => !("lineItems" in p))).toBe(true);
    expect(children).toHaveLength(7);
    expect(op).toMatchObject({ objectCount: "12", rootObjectCount: "5", errorCode: null });
    // Every child points at an order in the file, and at least one child comes before its parent (2026-01 default).
    const position = new Map(rows.map((r, i) => [r.id, i]));
    expect(children.every((c) => position.has(c.__parentId))).toBe(true);
    expect(children.some((c) => rows.indexOf(c) < position.get(c.__parentId)!)).toBe(true);
    expect(finished).toContain("small-shop.myshopify.com COMPLETED");
  });

  it("rejects bulk queries that break Shopify's rules, as userErrors", async () => {
    expect((await start("{ shop { name } }")).userErrors[0]).toMatchObject({ code: "INVALID", message: expect.stringMatching(/at least one connection/) });
    expect((await start("{ orders { edges { node { name } } } ")).userErrors[0]?.code).toBe("INVALID");
    expect((await start("{ orders { edges { node { nope } } } }")).userErrors[0]?.message).toMatch(/Cannot query field "nope"/);
    const tooDeep = `{ customers { edges { node { id orders { edges { node { id lineItems { edges { node { id } } } } } } } } } }`;
    expect((await start(tooDeep)).userErrors[0]?.message).toMatch(/nesting depth greater than 2/);
    expect((await start(`{ orders { edges { node { name lineItems { edges { node { id } } } } } } }`)).userErrors[0]?.message).toMatch(
      /must select 'id'/,
    );
  });

  it("ends FAILED with partial data, EXPIRED without a url, or CANCELED, when told to", async () => {
    const controls = bulkControls(local);
    controls.forced.push({ status: "FAILED", errorCode: "TIMEOUT", partial: true }, { status: "EXPIRED" });
    const failed = await until((await start(ORDERS)).bulkOperation!.id, (s) => s === "FAILED");
    expect(failed).toMatchObject({ errorCode: "TIMEOUT", url: null });
    expect((await lines(failed.partialDataUrl)).length).toBe(6);
    const expired = await until((await start(ORDERS)).bulkOperation!.id, (s) => s === "EXPIRED");
    expect(expired.url).toBeNull();

    controls.delayMs = 50;
    const running = (await start(ORDERS)).bulkOperation!;
    const cancel = await gql(`mutation C($id: ID!) { bulkOperationCancel(id: $id) { bulkOperation { status } userErrors { message } } }`, { id: running.id });
    expect(cancel.body.data.bulkOperationCancel).toEqual({ bulkOperation: { status: "CANCELING" }, userErrors: [] });
    expect((await until(running.id, (s) => s === "CANCELED")).url).toBeNull();
    controls.delayMs = 0;
  });

  it("allows five concurrent bulk queries per shop and lists them by status", async () => {
    const controls = bulkControls(local);
    controls.delayMs = 200;
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await start(ORDERS)).bulkOperation!.id);
    const sixth = await start(ORDERS);
    expect(sixth.bulkOperation).toBeNull();
    expect(sixth.userErrors[0]?.code).toBe("LIMIT_REACHED");
    const listed = await gql(`{ bulkOperations(first: 10, query: "status:CREATED") { nodes { id } } }`);
    expect(listed.body.data.bulkOperations.nodes.map((n: { id: string }) => n.id)).toEqual(ids);
    controls.delayMs = 0;
    for (const id of ids) await until(id, (s) => s === "COMPLETED");
  });
});
