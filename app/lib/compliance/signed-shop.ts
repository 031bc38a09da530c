/**
 * Which shop a compliance webhook is about. Shopify's HMAC signs the body only: the `X-Shopify-Shop-Domain` header is
 * not covered by it, so anyone replaying a signed delivery could change the header and point a redaction at another
 * shop. The compliance payloads carry the shop in the signed body (`shop_domain`, Shopify's docs), and that is the
 * shop the app acts on; a header naming another shop is ignored (and logged by the route).
 */
const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

export type SignedShop = { ok: true; shop: string; headerMismatch: boolean } | { ok: false; message: string };

export function signedShopDomain(payload: unknown, headerShop: string): SignedShop {
  const raw = payload !== null && typeof payload === "object" ? (payload as Record<string, unknown>).shop_domain : undefined;
  const shop = typeof raw === "string" ? raw.trim().toLowerCase() : "";
  if (!SHOP_DOMAIN.test(shop)) return { ok: false, message: "The payload has no valid shop_domain" };
  return { ok: true, shop, headerMismatch: shop !== headerShop.trim().toLowerCase() };
}
