/**
 * Security headers for every response the app renders (ADR 027).
 *
 * - `Content-Security-Policy: frame-ancestors …` on every document. Shopify's library sets
 *   `frame-ancestors https://<shop> https://admin.shopify.com …` when the request names a valid shop (`?shop=`); for a
 *   document without one (the landing page, the login page, an error page) it sets nothing, which would let any site
 *   frame the app. Those documents get `frame-ancestors https://admin.shopify.com`: the admin can still frame them, no one
 *   else can. Never a `*.myshopify.com` wildcard, which Shopify's own checks count as permissive.
 * - `X-Content-Type-Options: nosniff` and `Referrer-Policy: strict-origin-when-cross-origin` on every response.
 * - `Strict-Transport-Security` in production only (local http in tests and the demo must keep working).
 */

export const ADMIN_FRAME_ANCESTORS = "frame-ancestors https://admin.shopify.com";
export const REFERRER_POLICY = "strict-origin-when-cross-origin";
export const HSTS = "max-age=31536000; includeSubDomains";

export interface SecurityHeaderOptions {
  production: boolean;
}

/** Headers for any response (documents, data requests, resource routes): never overwrites a value already set. */
export function addBaseSecurityHeaders(headers: Headers, { production }: SecurityHeaderOptions): void {
  if (!headers.has("X-Content-Type-Options")) headers.set("X-Content-Type-Options", "nosniff");
  if (!headers.has("Referrer-Policy")) headers.set("Referrer-Policy", REFERRER_POLICY);
  if (production && !headers.has("Strict-Transport-Security")) headers.set("Strict-Transport-Security", HSTS);
}

/**
 * Headers for a document, after Shopify's addDocumentResponseHeaders: keeps its shop-specific frame-ancestors when there
 * is one, otherwise adds the admin-only one (to an existing policy, or as the policy).
 */
export function addDocumentSecurityHeaders(headers: Headers, options: SecurityHeaderOptions): void {
  addBaseSecurityHeaders(headers, options);
  const policy = headers.get("Content-Security-Policy")?.trim();
  if (!policy) headers.set("Content-Security-Policy", `${ADMIN_FRAME_ANCESTORS};`);
  else if (!/(^|;)\s*frame-ancestors\s/i.test(policy)) {
    headers.set("Content-Security-Policy", `${policy.replace(/;?$/, ";")} ${ADMIN_FRAME_ANCESTORS};`);
  }
}
