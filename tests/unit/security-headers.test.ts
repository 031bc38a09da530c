/** The security headers every response gets (ADR 027), on plain Headers objects. */
import { describe, expect, it } from "vitest";
import {
  ADMIN_FRAME_ANCESTORS,
  addBaseSecurityHeaders,
  addDocumentSecurityHeaders,
  HSTS,
} from "../../app/lib/security-headers.server";

const SHOP_POLICY = "frame-ancestors https://pho-corner.myshopify.com https://admin.shopify.com;";

describe("addDocumentSecurityHeaders", () => {
  it("gives a document without a shop an admin-only frame-ancestors, nosniff and a referrer policy", () => {
    const headers = new Headers();
    addDocumentSecurityHeaders(headers, { production: false });
    expect(headers.get("Content-Security-Policy")).toBe(`${ADMIN_FRAME_ANCESTORS};`);
    expect(headers.get("Content-Security-Policy")).not.toContain("*");
    expect(headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(headers.get("Referrer-Policy")).toBe("strict-origin-when-cross-origin");
    expect(headers.has("Strict-Transport-Security")).toBe(false);
  });

  it("keeps Shopify's shop-specific frame-ancestors when the request named a shop", () => {
    const headers = new Headers({ "Content-Security-Policy": SHOP_POLICY });
    addDocumentSecurityHeaders(headers, { production: false });
    expect(headers.get("Content-Security-Policy")).toBe(SHOP_POLICY);
  });

  it("adds frame-ancestors to a policy that lacks it instead of replacing the policy", () => {
    const headers = new Headers({ "Content-Security-Policy": "default-src 'self'" });
    addDocumentSecurityHeaders(headers, { production: false });
    expect(headers.get("Content-Security-Policy")).toBe(`default-src 'self'; ${ADMIN_FRAME_ANCESTORS};`);
  });

  it("sets HSTS in production only", () => {
    const production = new Headers();
    addDocumentSecurityHeaders(production, { production: true });
    expect(production.get("Strict-Transport-Security")).toBe(HSTS);
    expect(HSTS).toMatch(/max-age=\d{7,}/);
  });
});

describe("addBaseSecurityHeaders", () => {
  it("sets nosniff, the referrer policy and (in production) HSTS without overwriting a route's own values", () => {
    const headers = new Headers({ "Referrer-Policy": "no-referrer" });
    addBaseSecurityHeaders(headers, { production: true });
    expect(headers.get("Referrer-Policy")).toBe("no-referrer");
    expect(headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(headers.get("Strict-Transport-Security")).toBe(HSTS);
    expect(headers.has("Content-Security-Policy")).toBe(false);
  });
});
