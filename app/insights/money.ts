/**
 * Money as integer minor units of an ISO 4217 currency. Amounts arrive as decimal strings (CSV, GraphQL MoneyV2) and
 * are converted exactly — never through floating point — so 0.1 + 0.2 problems cannot reach a report.
 */

export interface Money {
  readonly amount: number; // minor units, a safe integer
  readonly currency: string; // ISO 4217
}

export class MoneyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MoneyError";
  }
}

const CURRENCY = /^[A-Z]{3}$/;

// Building an Intl.NumberFormat costs tens of microseconds: a million order lines would spend most of a sync here.
const digitsByCurrency = new Map<string, number>();

/** Decimal places of the currency's minor unit (USD 2, VND 0, JPY 0, KWD 3), from the platform's ISO 4217 data. */
export function minorUnitDigits(currency: string): number {
  const known = digitsByCurrency.get(currency);
  if (known !== undefined) return known;
  if (!CURRENCY.test(currency)) throw new MoneyError(`"${currency}" is not an ISO 4217 currency code`);
  const digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  digitsByCurrency.set(currency, digits);
  return digits;
}

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

/**
 * "1234.50" USD -> 123450; "30000000" VND -> 30000000. Thousands separators are not accepted (ambiguous across
 * locales). Digits beyond the currency's minor unit must be zeros, otherwise the amount is rejected, not rounded.
 */
export function toMinorUnits(value: string, currency: string): number {
  const digits = minorUnitDigits(currency);
  const match = DECIMAL.exec(value.trim());
  if (!match) throw new MoneyError(`"${value}" is not a decimal amount`);
  const [, sign, whole = "0", fraction = ""] = match;
  if (fraction.length > digits && /[1-9]/.test(fraction.slice(digits))) {
    throw new MoneyError(`"${value}" has more decimals than ${currency} allows (${digits})`);
  }
  const minor = BigInt(whole + fraction.slice(0, digits).padEnd(digits, "0"));
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) throw new MoneyError(`"${value}" ${currency} is too large`);
  const n = Number(minor);
  return sign && n !== 0 ? -n : n;
}

/** 123450 USD -> "1234.50": the exact inverse of toMinorUnits. */
export function fromMinorUnits(amount: number, currency: string): string {
  if (!Number.isSafeInteger(amount)) throw new MoneyError(`${amount} is not an integer amount of minor units`);
  const digits = minorUnitDigits(currency);
  const abs = Math.abs(amount).toString().padStart(digits + 1, "0");
  const text = digits === 0 ? abs : `${abs.slice(0, -digits)}.${abs.slice(-digits)}`;
  return amount < 0 ? `-${text}` : text;
}
