/**
 * Money as Shopify's storefront shows it. Liquid objects and the Ajax cart API carry prices in hundredths of the
 * currency's unit ("cents") whatever the currency: a ¥1,000 or 1.000 ₫ item has `price` 100000 (Shopify's docs: "When a
 * money object is referenced directly, the money value in cents is returned"; a JPY store sees two extra zeros). The
 * seed and the app keep integer minor units of the currency (VND: whole dong), so converting is explicit here.
 *
 * The money filters apply the shop's currency formats (Settings → General → Currency formatting), with Shopify's
 * placeholders. Only the currencies listed have a default format; another currency fails loudly.
 */
import { currencyDigits } from "../gid";

/** Seed minor units → Liquid/Ajax "cents" (hundredths of the unit). */
export function toCents(minor: number, currencyCode: string): number {
  const digits = currencyDigits(currencyCode);
  return Math.round((minor * 100) / 10 ** digits);
}

/** Liquid/Ajax "cents" → seed minor units. */
export function fromCents(cents: number, currencyCode: string): number {
  return Math.round((cents * 10 ** currencyDigits(currencyCode)) / 100);
}

export interface CurrencyFormats {
  money: string;
  moneyWithCurrency: string;
}

/** Shopify's default formats for a few currencies (the shop can change them; the local Shopify does not). */
const FORMATS: Record<string, CurrencyFormats> = {
  USD: { money: "${{amount}}", moneyWithCurrency: "${{amount}} USD" },
  CAD: { money: "${{amount}}", moneyWithCurrency: "${{amount}} CAD" },
  AUD: { money: "${{amount}}", moneyWithCurrency: "${{amount}} AUD" },
  GBP: { money: "£{{amount}}", moneyWithCurrency: "£{{amount}} GBP" },
  EUR: { money: "€{{amount_with_comma_separator}}", moneyWithCurrency: "€{{amount_with_comma_separator}} EUR" },
  JPY: { money: "¥{{amount_no_decimals}}", moneyWithCurrency: "¥{{amount_no_decimals}} JPY" },
  VND: { money: "{{amount_no_decimals_with_comma_separator}}₫", moneyWithCurrency: "{{amount_no_decimals_with_comma_separator}}₫ VND" },
};

export function currencyFormats(currencyCode: string): CurrencyFormats {
  const formats = FORMATS[currencyCode];
  if (!formats) throw new Error(`The local storefront has no money format for ${currencyCode} (known: ${Object.keys(FORMATS).join(", ")})`);
  return formats;
}

function group(integer: string, separator: string): string {
  return integer.replace(/\B(?=(\d{3})+(?!\d))/g, separator);
}

/** One of Shopify's amount placeholders applied to a value in cents. */
function amount(cents: number, placeholder: string): string {
  const negative = cents < 0;
  const abs = Math.abs(cents);
  const spec: Record<string, { decimals: 0 | 2; thousands: string; decimal: string }> = {
    amount: { decimals: 2, thousands: ",", decimal: "." },
    amount_no_decimals: { decimals: 0, thousands: ",", decimal: "." },
    amount_with_comma_separator: { decimals: 2, thousands: ".", decimal: "," },
    amount_no_decimals_with_comma_separator: { decimals: 0, thousands: ".", decimal: "," },
    amount_with_apostrophe_separator: { decimals: 2, thousands: "'", decimal: "." },
    amount_no_decimals_with_space_separator: { decimals: 0, thousands: " ", decimal: "," },
    amount_with_space_separator: { decimals: 2, thousands: " ", decimal: "," },
    amount_with_period_and_space_separator: { decimals: 2, thousands: " ", decimal: "." },
  };
  const s = spec[placeholder];
  if (!s) throw new Error(`Unknown money format placeholder {{${placeholder}}}`);
  let text: string;
  if (s.decimals === 0) {
    text = group(String(Math.round(abs / 100)), s.thousands);
  } else {
    const whole = Math.floor(abs / 100);
    const fraction = String(Math.round(abs % 100)).padStart(2, "0");
    text = `${group(String(whole), s.thousands)}${s.decimal}${fraction}`;
  }
  return negative ? `-${text}` : text;
}

const PLACEHOLDER = /\{\{\s*(\w+)\s*\}\}/;

/** Applies a money format ("${{amount}}") to a value in cents. */
export function formatMoney(cents: number, format: string): string {
  return format.replace(PLACEHOLDER, (_, name: string) => amount(cents, name));
}

/** The money format without the currency symbol: only its amount placeholder. */
export function formatMoneyWithoutCurrency(cents: number, format: string): string {
  const match = PLACEHOLDER.exec(format);
  if (!match) throw new Error(`Money format "${format}" has no amount placeholder`);
  return amount(cents, match[1]!);
}

/** A price in cents, from what Liquid hands a filter (number or numeric string); nil is "". */
export function centsOf(input: unknown, filter: string): number | null {
  if (input === null || input === undefined || input === "") return null;
  const value = typeof input === "number" ? input : typeof input === "string" && /^-?\d+(\.\d+)?$/.test(input.trim()) ? Number(input) : NaN;
  if (!Number.isFinite(value)) throw new Error(`${filter}: expected a price in cents, got ${JSON.stringify(input)}`);
  return value;
}

/** Minor units as the decimal string of REST payloads ("12.50"; VND "1234000"). */
export function decimalString(minor: number, currencyCode: string): string {
  const digits = currencyDigits(currencyCode);
  const abs = Math.abs(minor).toString().padStart(digits + 1, "0");
  const text = digits === 0 ? abs : `${abs.slice(0, -digits)}.${abs.slice(-digits)}`;
  return minor < 0 ? `-${text}` : text;
}
