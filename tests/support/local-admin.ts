/** A client for tests that talk to a local Shopify's Admin GraphQL endpoint over HTTP. */
import { expect } from "vitest";
import type { LocalShopify } from "../local-shopify/server";

export interface GraphqlAnswer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary response shapes
  body: { data?: any; errors?: any; extensions?: any };
}

export function adminClient(local: LocalShopify, token: string) {
  return async (query: string, variables?: Record<string, unknown>): Promise<GraphqlAnswer> => {
    const response = await fetch(local.graphqlUrl(), {
      method: "POST",
      headers: { "content-type": "application/json", "x-shopify-access-token": token },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, body: (await response.json()) as GraphqlAnswer["body"] };
  };
}

/** Like adminClient, but the answer must be HTTP 200; returns its body. */
export function adminBody(local: LocalShopify, token: string) {
  const client = adminClient(local, token);
  return async (query: string, variables?: Record<string, unknown>): Promise<GraphqlAnswer["body"]> => {
    const answer = await client(query, variables);
    expect(answer.status).toBe(200);
    return answer.body;
  };
}
