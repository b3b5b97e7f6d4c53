/**
 * A strict, time-zone-independent reader for the xsd:dateTime values SCIM uses (RFC 7643 §2.3.5),
 * hand-written because `Date.parse` reads a zone-less date-time in the server's local zone.
 */
import { isDigit } from "./tokenize.js";

/**
 * Reads `YYYY[-MM[-DD[Thh:mm[:ss[.fraction]][Z|±hh:mm]]]]` as milliseconds since the epoch (fractions
 * below a millisecond are kept), or NaN. A missing zone means UTC; reduced precision (`2021-09`, as in
 * scimmy's fixtures) means the start of that period.
 */
export function parseDateTime(text: string): number {
  const r = new Reader(text);
  const year = r.digits(4);
  const month = r.accept("-") ? r.digits(2) : 1;
  const hasDay = month !== undefined && r.accept("-");
  const day = hasDay ? r.digits(2) : 1;
  if (year === undefined || month === undefined || day === undefined) return Number.NaN;
  if (!isValidDate(year, month, day)) return Number.NaN;
  const dateMs = utcMs(year, month, day);
  if (r.done()) return dateMs;
  // A time needs a full date before it.
  if (!hasDay || !(r.accept("T") || r.accept("t") || r.accept(" "))) return Number.NaN;
  const time = readTime(r);
  return time === undefined ? Number.NaN : dateMs + time;
}

/** Reads `hh:mm[:ss[.f]]` and a zone to the end of input; returns ms after midnight UTC, or undefined. */
function readTime(r: Reader): number | undefined {
  const hours = r.digits(2);
  const minutes = r.accept(":") ? r.digits(2) : undefined;
  const seconds = r.accept(":") ? r.digits(2) : 0;
  if (hours === undefined || minutes === undefined || seconds === undefined) return undefined;
  if (hours > 23 || minutes > 59 || seconds > 60) return undefined;
  const fraction = r.accept(".") ? r.fraction() : 0;
  const offset = readZone(r);
  if (fraction === undefined || offset === undefined || !r.done()) return undefined;
  // A leap second (:60) is read as the first instant of the next minute.
  return ((hours * 60 + minutes - offset) * 60 + seconds) * 1000 + fraction;
}

/** Reads `Z`, `±hh:mm`, `±hhmm` or nothing (UTC); returns the offset in minutes east of UTC. */
function readZone(r: Reader): number | undefined {
  if (r.done()) return 0;
  if (r.accept("Z") || r.accept("z")) return 0;
  const sign = r.accept("+") ? 1 : r.accept("-") ? -1 : 0;
  if (sign === 0) return undefined;
  const hours = r.digits(2);
  r.accept(":");
  const minutes = r.digits(2);
  if (hours === undefined || minutes === undefined || hours > 23 || minutes > 59) return undefined;
  return sign * (hours * 60 + minutes);
}

function isValidDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  // Day 0 of the next month is the last day of this one.
  const lastDay = new Date(utcMs(year, month + 1, 0)).getUTCDate();
  return day <= lastDay;
}

/** Date.UTC without its 0–99 → 1900s year mapping. */
function utcMs(year: number, month: number, day: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return d.getTime();
}

class Reader {
  private i = 0;
  constructor(private readonly text: string) {}

  done(): boolean {
    return this.i >= this.text.length;
  }

  accept(c: string): boolean {
    if (this.text.charAt(this.i) !== c) return false;
    this.i++;
    return true;
  }

  /** Exactly `n` digits as a number, or undefined. */
  digits(n: number): number | undefined {
    const s = this.text.slice(this.i, this.i + n);
    if (s.length !== n || ![...s].every(isDigit)) return undefined;
    this.i += n;
    return Number(s);
  }

  /** One or more digits after the decimal point, as milliseconds. */
  fraction(): number | undefined {
    const start = this.i;
    while (isDigit(this.text.charAt(this.i))) this.i++;
    if (this.i === start) return undefined;
    return Number(`0.${this.text.slice(start, this.i)}`) * 1000;
  }
}
