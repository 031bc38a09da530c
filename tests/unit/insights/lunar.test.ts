/**
 * The Vietnamese lunar calendar (app/insights/lunar.ts) against independent oracles:
 * - published dates of Tết 2000–2035 (typed in below),
 * - known leap months,
 * - the demo-store generator's hard-coded table (tests/demo-store/truth.ts), which the app's code never imports,
 * - ICU's Chinese calendar (Intl) at UTC+8, the same rules one time zone east,
 * - and properties (round trips, month lengths, day-by-day continuity) with fast-check.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  dayOfJulianDayNumber,
  fromLunar,
  julianDayNumber,
  leapMonthOf,
  LunarRangeError,
  lunarYearMonths,
  tetDay,
  toLunar,
} from "../../../app/insights/lunar";
import { VIETNAMESE_LUNAR_YEARS } from "../../demo-store/truth";

/**
 * Tết Nguyên Đán (day 1 of month 1), Gregorian date, 2000–2035, as published in Hồ Ngọc Đức's Vietnamese calendar tables
 * ("Âm lịch Việt Nam", informatik.uni-leipzig.de/~duc/amlich) and, for the past years, the Vietnamese government's
 * public-holiday announcements for Tết. Years where Vietnam differs from the Chinese New Year (UTC+8) are marked.
 */
const PUBLISHED_TET: Record<number, string> = {
  2000: "2000-02-05",
  2001: "2001-01-24",
  2002: "2002-02-12",
  2003: "2003-02-01",
  2004: "2004-01-22",
  2005: "2005-02-09",
  2006: "2006-01-29",
  2007: "2007-02-17", // China: 18 February
  2008: "2008-02-07",
  2009: "2009-01-26",
  2010: "2010-02-14",
  2011: "2011-02-03",
  2012: "2012-01-23",
  2013: "2013-02-10",
  2014: "2014-01-31",
  2015: "2015-02-19",
  2016: "2016-02-08",
  2017: "2017-01-28",
  2018: "2018-02-16",
  2019: "2019-02-05",
  2020: "2020-01-25",
  2021: "2021-02-12",
  2022: "2022-02-01",
  2023: "2023-01-22",
  2024: "2024-02-10",
  2025: "2025-01-29",
  2026: "2026-02-17",
  2027: "2027-02-06",
  2028: "2028-01-26",
  2029: "2029-02-13",
  2030: "2030-02-02", // China: 3 February (the new moon is at 16:07 UT, 23:07 in Hanoi, 00:07 in Beijing)
  2031: "2031-01-23",
  2032: "2032-02-11",
  2033: "2033-01-31",
  2034: "2034-02-19",
  2035: "2035-02-08",
};

/** Leap months (tháng nhuận) of the Vietnamese calendar, from the same tables. */
const KNOWN_LEAP_MONTHS: Record<number, number | null> = {
  2001: 4,
  2004: 2,
  2006: 7,
  2009: 5,
  2012: 4,
  2014: 9,
  2017: 6,
  2020: 4,
  2023: 2,
  2025: 6,
  2028: 5,
  2031: 3,
  2033: 11,
  2024: null,
  2026: null,
};

describe("Tết", () => {
  it("matches the published dates 2000–2035", () => {
    for (const [year, day] of Object.entries(PUBLISHED_TET)) expect([Number(year), tetDay(Number(year))]).toEqual([Number(year), day]);
  });

  it("Tết 1985 is 21 January in Vietnam (a month before China's 20 February) and Tết Mậu Thân 1968 is 29 January", () => {
    expect(tetDay(1985)).toBe("1985-01-21");
    expect(tetDay(1968)).toBe("1968-01-29");
  });

  it("always falls between 21 January and 20 February (1900–2100)", () => {
    for (let y = 1900; y <= 2100; y++) {
      const t = tetDay(y);
      expect(t.startsWith(String(y))).toBe(true);
      expect(t >= `${y}-01-21` && t <= `${y}-02-20`).toBe(true);
    }
  });
});

describe("leap months", () => {
  it("matches the known leap months", () => {
    for (const [year, leap] of Object.entries(KNOWN_LEAP_MONTHS)) expect([Number(year), leapMonthOf(Number(year))]).toEqual([Number(year), leap]);
  });

  it("2025 has a leap 6th month from 2025-07-25, after the regular 6th month from 2025-06-25", () => {
    expect(fromLunar({ year: 2025, month: 6, day: 1, leap: false })).toBe("2025-06-25");
    expect(fromLunar({ year: 2025, month: 6, day: 1, leap: true })).toBe("2025-07-25");
    expect(toLunar("2025-08-23")).toEqual({ year: 2025, month: 7, day: 1, leap: false });
  });

  it("a year has 13 months exactly when it has a leap month; 7 leap years in every 19 (Metonic cycle), on average", () => {
    let leapYears = 0;
    for (let y = 1900; y <= 2100; y++) {
      const months = lunarYearMonths(y);
      const leaps = months.filter((m) => m.leap).length;
      expect(months.length).toBe(12 + leaps);
      expect(leaps).toBeLessThanOrEqual(1);
      leapYears += leaps;
      for (const m of months) expect([29, 30]).toContain(m.days);
      const regular = months.filter((m) => !m.leap).map((m) => m.month);
      expect(regular).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    }
    expect(Math.abs(leapYears - (201 * 7) / 19)).toBeLessThanOrEqual(2);
  });

  it("rejects a leap month the year does not have and a day past the month's end", () => {
    expect(() => fromLunar({ year: 2024, month: 6, day: 1, leap: true })).toThrow(LunarRangeError);
    const m = lunarYearMonths(2024).find((x) => x.days === 29)!;
    expect(() => fromLunar({ year: 2024, month: m.month, day: 30, leap: m.leap })).toThrow(LunarRangeError);
    expect(() => tetDay(1899)).toThrow(LunarRangeError);
  });
});

describe("agreement with the demo-store generator's table", () => {
  it("gives the same Tết and month 6 (the month before 7), 7, 8, 9 starts for every year of the table", () => {
    for (const y of VIETNAMESE_LUNAR_YEARS) {
      const months = lunarYearMonths(y.year);
      const month7 = months.findIndex((m) => m.month === 7 && !m.leap);
      expect({
        year: y.year,
        tet: tetDay(y.year),
        month6: months[month7 - 1]!.start,
        month7: months[month7]!.start,
        month8: months[month7 + 1]!.start,
        month9: months[month7 + 2]!.start,
      }).toEqual(y);
    }
  });
});

describe("agreement with ICU's Chinese calendar at UTC+8", () => {
  it("month starts agree on at least 99 % of months 1930–2100 and never differ by more than one day", () => {
    // ICU computes the Chinese calendar with its own astronomy; near-midnight new moons can fall on the other side.
    const f = new Intl.DateTimeFormat("en-u-ca-chinese", { timeZone: "UTC", month: "numeric", day: "numeric" });
    let months = 0;
    let agree = 0;
    for (let y = 1930; y <= 2100; y++) {
      for (const m of lunarYearMonths(y, 8)) {
        months++;
        const noon = Date.parse(`${m.start}T12:00:00Z`);
        const parts = f.formatToParts(noon);
        const day = Number(parts.find((p) => p.type === "day")!.value);
        const month = parts.find((p) => p.type === "month")!.value;
        if (day === 1 && month === `${m.month}${m.leap ? "bis" : ""}`) agree++;
        else expect(day === 1 || day === 2 || day >= 29).toBe(true); // at most one day apart
      }
    }
    expect(agree / months).toBeGreaterThanOrEqual(0.99);
  });
});

describe("properties", () => {
  const first = julianDayNumber("1900-01-31"); // Tết 1900
  const last = julianDayNumber("2100-12-31");
  const anyDay = fc.integer({ min: first, max: last }).map(dayOfJulianDayNumber);

  it("Gregorian → lunar → Gregorian is the identity", () => {
    fc.assert(fc.property(anyDay, (day) => fromLunar(toLunar(day)) === day), { numRuns: 2000 });
  });

  it("lunar → Gregorian → lunar is the identity", () => {
    const anyLunar = fc
      .record({ year: fc.integer({ min: 1900, max: 2100 }), index: fc.nat(12), day: fc.integer({ min: 1, max: 30 }) })
      .map(({ year, index, day }) => {
        const months = lunarYearMonths(year);
        const m = months[index % months.length]!;
        return { year, month: m.month, leap: m.leap, day: Math.min(day, m.days) };
      });
    fc.assert(
      fc.property(anyLunar, (lunar) => {
        expect(toLunar(fromLunar(lunar))).toEqual(lunar);
      }),
      { numRuns: 2000 },
    );
  });

  it("the next day is the next lunar day, or day 1 of the next month after day 29 or 30", () => {
    fc.assert(
      fc.property(fc.integer({ min: first, max: last - 1 }), (jdn) => {
        const a = toLunar(dayOfJulianDayNumber(jdn));
        const b = toLunar(dayOfJulianDayNumber(jdn + 1));
        if (b.day === a.day + 1) return b.month === a.month && b.leap === a.leap && b.year === a.year;
        return b.day === 1 && (a.day === 29 || a.day === 30);
      }),
      { numRuns: 2000 },
    );
  });

  it("Julian day numbers: 2000-01-01 is JDN 2451545 and the conversion round-trips", () => {
    expect(julianDayNumber("2000-01-01")).toBe(2451545);
    expect(() => julianDayNumber("2023-02-29")).toThrow(LunarRangeError);
    fc.assert(fc.property(fc.integer({ min: first, max: last }), (jdn) => julianDayNumber(dayOfJulianDayNumber(jdn)) === jdn));
  });
});
