/** Command-line options of the benches: `--name value`. */

/** The value after `--name`, or `fallback` when the option is absent. */
export function option(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  return i < 0 ? fallback : (args[i + 1] ?? fallback);
}

/** `value` as a positive integer, or an error naming the option. */
export function positive(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got ${value}`);
  return n;
}
