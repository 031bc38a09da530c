/** Shopify global ids: gid://shopify/<Type>/<numeric id>. */
export function gid(type: string, id: number | string): string {
  return `gid://shopify/${type}/${id}`;
}

/** The numeric id of a GID of the expected type, or null when the GID is malformed or of another type. */
export function parseGid(value: unknown, type: string): number | null {
  if (typeof value !== "string") return null;
  const match = /^gid:\/\/shopify\/([A-Za-z]+)\/(\d+)$/.exec(value);
  return match && match[1] === type ? Number(match[2]) : null;
}

/** Admin API MoneyV2 for an amount in minor units. */
export function money(minor: number, currencyCode: string, digits: number) {
  const abs = Math.abs(minor).toString().padStart(digits + 1, "0");
  const amount = digits === 0 ? abs : `${abs.slice(0, -digits)}.${abs.slice(-digits)}`;
  return { __typename: "MoneyV2", amount: minor < 0 ? `-${amount}` : amount, currencyCode };
}

/** Admin API MoneyBag (shop and presentment money; the local Shopify presents in the shop currency). */
export function moneyBag(minor: number, currencyCode: string, digits: number) {
  const m = money(minor, currencyCode, digits);
  return { __typename: "MoneyBag", shopMoney: m, presentmentMoney: m };
}

export function currencyDigits(currencyCode: string): number {
  return new Intl.NumberFormat("en", { style: "currency", currency: currencyCode }).resolvedOptions().maximumFractionDigits ?? 2;
}
