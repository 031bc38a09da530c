/**
 * The Vietnamese lunar calendar (âm lịch), computed astronomically with Hồ Ngọc Đức's published algorithm ("Âm lịch
 * Việt Nam", after Jean Meeus, Astronomical Algorithms, 1998):
 *
 * - A lunar month starts on the local day (UTC+7 for Vietnam) that contains the astronomical new moon.
 * - Month 11 is the month that contains the winter solstice (sun longitude 270°).
 * - Between two months 11 there are 12 or 13 months; with 13, the first month after month 11 that contains no major
 *   solar term (sun longitude a multiple of 30°) is the leap month and repeats the number of the month before it.
 * - Tết (Tết Nguyên Đán) is day 1 of month 1.
 *
 * The Chinese calendar uses the same rules at UTC+8, so the two differ in a few years (e.g. Tết 1985: 21 January in
 * Vietnam, 20 February in China; Tết 2007: 17 vs 18 February). The time zone is a parameter (hours east of UTC).
 * Accurate over 1900–2100 (Gregorian days 1900-01-01 to the end of lunar year 2100, in January 2101) (the series for new moons and the sun are Meeus' low-precision ones, as in Hồ Ngọc Đức's
 * tables). Days are plain `YYYY-MM-DD` strings of the proleptic Gregorian calendar; no clock is read.
 */

export const VIETNAM_TIME_ZONE_HOURS = 7;

export interface LunarDate {
  /** The lunar year (the Gregorian year in which its Tết falls). */
  year: number;
  /** 1–12. */
  month: number;
  /** 1–30. */
  day: number;
  /** True in a leap month (tháng nhuận), which repeats the number of the month before it. */
  leap: boolean;
}

export class LunarRangeError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = "LunarRangeError";
  }
}

const DAY_MS = 86_400_000;
/** Julian day number of 1970-01-01. */
const JDN_UNIX_EPOCH = 2_440_588;
const SYNODIC_MONTH = 29.530588853;
/** Julian date of the new moon of 1900-01-01 (Meeus' k = 0), as used by the algorithm. */
const NEW_MOON_EPOCH = 2415021.076998695;
const RAD = Math.PI / 180;

// ---------------------------------------------------------------------------------------------------------------------
// Days

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `YYYY-MM-DD` → Julian day number (an integer; 2000-01-01 is 2451545). Throws on a day that does not exist. */
export function julianDayNumber(day: string): number {
  const match = DAY.exec(day);
  if (!match) throw new LunarRangeError(`not a day YYYY-MM-DD: ${JSON.stringify(day)}`);
  const y = Number(match[1]);
  const m = Number(match[2]);
  const d = Number(match[3]);
  const ms = Date.UTC(y, m - 1, d);
  const jdn = Math.floor(ms / DAY_MS) + JDN_UNIX_EPOCH;
  if (dayOfJulianDayNumber(jdn) !== day) throw new LunarRangeError(`not a calendar day: ${day}`);
  return jdn;
}

/** Julian day number → `YYYY-MM-DD`. */
export function dayOfJulianDayNumber(jdn: number): string {
  const date = new Date((jdn - JDN_UNIX_EPOCH) * DAY_MS);
  const y = date.getUTCFullYear();
  const text = `${String(y).padStart(4, "0")}-${String(date.getUTCMonth() + 1).padStart(2, "0")}-${String(date.getUTCDate()).padStart(2, "0")}`;
  return text;
}

// ---------------------------------------------------------------------------------------------------------------------
// Astronomy (Meeus, low precision)

/** Julian date (UT) of the k-th new moon after that of 1900-01-01. */
function newMoonJulianDate(k: number): number {
  const T = k / 1236.85; // Julian centuries since 1900-01-00.5
  const T2 = T * T;
  const T3 = T2 * T;
  let jd = 2415020.75933 + 29.53058868 * k + 0.0001178 * T2 - 0.000000155 * T3;
  jd += 0.00033 * Math.sin((166.56 + 132.87 * T - 0.009173 * T2) * RAD);
  const M = (359.2242 + 29.10535608 * k - 0.0000333 * T2 - 0.00000347 * T3) * RAD; // sun's mean anomaly
  const Mp = (306.0253 + 385.81691806 * k + 0.0107306 * T2 + 0.00001236 * T3) * RAD; // moon's mean anomaly
  const F = (21.2964 + 390.67050646 * k - 0.0016528 * T2 - 0.00000239 * T3) * RAD; // moon's argument of latitude
  let c = (0.1734 - 0.000393 * T) * Math.sin(M) + 0.0021 * Math.sin(2 * M);
  c += -0.4068 * Math.sin(Mp) + 0.0161 * Math.sin(2 * Mp) - 0.0004 * Math.sin(3 * Mp);
  c += 0.0104 * Math.sin(2 * F) - 0.0051 * Math.sin(M + Mp) - 0.0074 * Math.sin(M - Mp);
  c += 0.0004 * Math.sin(2 * F + M) - 0.0004 * Math.sin(2 * F - M) - 0.0006 * Math.sin(2 * F + Mp);
  c += 0.001 * Math.sin(2 * F - Mp) + 0.0005 * Math.sin(2 * Mp + M);
  // ΔT (TT − UT) in days.
  const deltaT = T < -11 ? 0.001 + 0.000839 * T + 0.0002261 * T2 - 0.00000845 * T3 - 0.000000081 * T * T3 : -0.000278 + 0.000265 * T + 0.000262 * T2;
  return jd + c - deltaT;
}

/** The sun's apparent longitude in radians, [0, 2π), at Julian date `jd` (UT). */
function sunLongitude(jd: number): number {
  const T = (jd - 2451545.0) / 36525; // Julian centuries since J2000.0
  const T2 = T * T;
  const M = (357.5291 + 35999.0503 * T - 0.0001559 * T2 - 0.00000048 * T * T2) * RAD; // mean anomaly
  const L0 = 280.46645 + 36000.76983 * T + 0.0003032 * T2; // mean longitude, degrees
  const C = (1.9146 - 0.004817 * T - 0.000014 * T2) * Math.sin(M) + (0.019993 - 0.000101 * T) * Math.sin(2 * M) + 0.00029 * Math.sin(3 * M);
  const L = (L0 + C) * RAD;
  return L - 2 * Math.PI * Math.floor(L / (2 * Math.PI));
}

/** Local day (JDN) of the k-th new moon in a time zone `tz` hours east of UTC. */
function newMoonDay(k: number, tz: number): number {
  return Math.floor(newMoonJulianDate(k) + 0.5 + tz / 24);
}

/** Which 30° sector (0–11) the sun is in at the start (local midnight) of local day `jdn`. */
function sunSector(jdn: number, tz: number): number {
  return Math.floor((sunLongitude(jdn - 0.5 - tz / 24) / Math.PI) * 6);
}

/** Local day (JDN) on which month 11 (the month of the winter solstice) of Gregorian year `year` starts. */
function month11Start(year: number, tz: number): number {
  const off = julianDayNumber(`${String(year).padStart(4, "0")}-12-31`) - 2415021;
  const k = Math.floor(off / SYNODIC_MONTH);
  const nm = newMoonDay(k, tz);
  // The new moon before 31 December starts month 11 unless the solstice (sector 9 = 270°) has not yet come by then.
  return sunSector(nm, tz) >= 9 ? newMoonDay(k - 1, tz) : nm;
}

/**
 * In a 13-month span starting with month 11 at `a11`, the offset (in months after month 11, 1..13) of the leap month:
 * the first month whose start lies in the same solar sector as the next month's start (it contains no major term).
 */
function leapMonthOffset(a11: number, tz: number): number {
  const k = Math.floor((a11 - NEW_MOON_EPOCH) / SYNODIC_MONTH + 0.5);
  let i = 1;
  let arc = sunSector(newMoonDay(k + i, tz), tz);
  let last: number;
  do {
    last = arc;
    i++;
    arc = sunSector(newMoonDay(k + i, tz), tz);
  } while (arc !== last && i < 14);
  return i - 1;
}

function checkYear(year: number): void {
  if (!Number.isInteger(year) || year < 1900 || year > 2100) throw new LunarRangeError(`lunar calendar: year ${year} is outside 1900–2100`);
}

// ---------------------------------------------------------------------------------------------------------------------
// Months of a lunar year

export interface LunarMonth {
  /** The lunar year the month belongs to. */
  year: number;
  month: number;
  leap: boolean;
  /** First Gregorian day of the month. */
  start: string;
  /** 29 or 30. */
  days: number;
}

const monthCache = new Map<string, LunarMonth[]>();

/**
 * The months of the span from month 11 of lunar year `year − 1` up to (not including) month 11 of lunar year `year`:
 * 12 or 13 months, in order, labelled with their lunar year and number.
 */
function monthsFrom11(year: number, tz: number): LunarMonth[] {
  const key = `${year}@${tz}`;
  const cached = monthCache.get(key);
  if (cached) return cached;
  // Month 11 of lunar year (year − 1) contains the solstice of Gregorian year (year − 1).
  const a11 = month11Start(year - 1, tz);
  const b11 = month11Start(year, tz);
  const k = Math.floor((a11 - NEW_MOON_EPOCH) / SYNODIC_MONTH + 0.5);
  const count = Math.round((b11 - a11) / SYNODIC_MONTH); // 12 or 13
  const leapOffset = count === 13 ? leapMonthOffset(a11, tz) : -1;
  const months: LunarMonth[] = [];
  let number = 11;
  let lunarYear = year - 1;
  for (let i = 0; i < count; i++) {
    const start = newMoonDay(k + i, tz);
    const end = i + 1 < count ? newMoonDay(k + i + 1, tz) : b11;
    const leap = i === leapOffset;
    if (i > 0 && !leap) {
      number++;
      if (number === 13) number = 1;
      if (number === 1) lunarYear = year;
    }
    months.push({ year: lunarYear, month: number, leap, start: dayOfJulianDayNumber(start), days: end - start });
  }
  monthCache.set(key, months);
  return months;
}

/** The months of lunar year `year` (month 1 … month 12, with the leap month in place): 12 or 13 entries. */
export function lunarYearMonths(year: number, tz = VIETNAM_TIME_ZONE_HOURS): LunarMonth[] {
  checkYear(year);
  const all = [...monthsFrom11(year, tz), ...monthsFrom11(year + 1, tz)];
  return all.filter((m) => m.year === year);
}

/** The leap month's number in lunar year `year`, or null when the year has 12 months. */
export function leapMonthOf(year: number, tz = VIETNAM_TIME_ZONE_HOURS): number | null {
  return lunarYearMonths(year, tz).find((m) => m.leap)?.month ?? null;
}

/** The Gregorian day of Tết (day 1 of month 1) of lunar year `year`: the Gregorian year it falls in. */
export function tetDay(year: number, tz = VIETNAM_TIME_ZONE_HOURS): string {
  checkYear(year);
  const first = monthsFrom11(year, tz).find((m) => m.month === 1 && !m.leap);
  if (!first) throw new LunarRangeError(`no month 1 in lunar year ${year}`);
  return first.start;
}

// ---------------------------------------------------------------------------------------------------------------------
// Conversions

/** The lunar month containing Gregorian day `day`. */
export function lunarMonthOf(day: string, tz = VIETNAM_TIME_ZONE_HOURS): LunarMonth {
  const jdn = julianDayNumber(day);
  const gregorianYear = Number(day.slice(0, 4));
  // Lunar year 2100 ends in January 2101.
  if (gregorianYear !== 2101) checkYear(gregorianYear);
  // The day lies in the span of month 11 (year − 1) … month 11 (year) of gregorianYear, or in the next one (December).
  for (const span of [gregorianYear, gregorianYear + 1]) {
    const months = monthsFrom11(span, tz);
    for (let i = months.length - 1; i >= 0; i--) {
      const m = months[i]!;
      const start = julianDayNumber(m.start);
      if (jdn >= start && jdn < start + m.days) return m;
    }
  }
  throw new LunarRangeError(`no lunar month found for ${day}`);
}

/** Gregorian `YYYY-MM-DD` → lunar date. */
export function toLunar(day: string, tz = VIETNAM_TIME_ZONE_HOURS): LunarDate {
  const m = lunarMonthOf(day, tz);
  return { year: m.year, month: m.month, day: julianDayNumber(day) - julianDayNumber(m.start) + 1, leap: m.leap };
}

/** Lunar date → Gregorian `YYYY-MM-DD`. Throws for a leap month the year does not have or a day past the month's end. */
export function fromLunar(date: LunarDate, tz = VIETNAM_TIME_ZONE_HOURS): string {
  const { year, month, day, leap } = date;
  if (!Number.isInteger(month) || month < 1 || month > 12) throw new LunarRangeError(`lunar month ${month} is not 1–12`);
  const m = lunarYearMonths(year, tz).find((x) => x.month === month && x.leap === leap);
  if (!m) throw new LunarRangeError(`lunar year ${year} has no leap month ${month}`);
  if (!Number.isInteger(day) || day < 1 || day > m.days) throw new LunarRangeError(`lunar ${year}/${leap ? "leap " : ""}${month} has ${m.days} days, not day ${day}`);
  return dayOfJulianDayNumber(julianDayNumber(m.start) + day - 1);
}
