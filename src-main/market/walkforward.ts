/**
 * Walk-forward splits: which days a strategy trains on and which it is tested on (docs/backtest-conventions.md,
 * "Walk-forward splits"). Everything is in day indices of one price matrix's `dates` (ISO, ascending, trading days only).
 *
 * - {@link walkForward}: the generic runner — train window, test window, step, each in trading days
 *   (`{days}`) or calendar spans (`{months}` / `{years}`). Test windows never overlap their train window and
 *   the train window always ends the day before the test window starts (training reads the past only).
 * - Named protocols ({@link protocolWindows}):
 *   `samp`   3 years train / 1 year test on three consecutive calendar test years — by default the last three
 *            FULL calendar years in the data (DJIA 1991-2001: 1998, 1999, 2000), each trained on the three
 *            calendar years before it (the paper tests three regimes one year each).
 *   `rolling` the same rule over more test years: the last seven full calendar years (DJIA: 1994-2000), each
 *            trained on the three calendar years before it — seven one-year windows instead of three, so an
 *            ordering of strategies rests on more than three regimes.
 *   `hadaps` 2 years train / 1 calendar month test, rolling monthly over every month that has two full years
 *            of history before it and is fully covered by the data (seed 001 retrains monthly).
 *   `mpls`   one chronological 70 / 10 / 20 split of the trading days into train / validation / test
 *            (seed 002); strategies are tested on the last 20 %. The window's training ends before its validation
 *            days, so a strategy is given a gap between trainEnd and testStart: a learned strategy that validates
 *            through {@link heldOutValidation} (MPLS) chooses its checkpoint on exactly those days.
 * - {@link explicitWindow}: a test window from/to given by the user, trained on the `lookback` trading days
 *   before it.
 *
 * "Fully covered" calendar period [A, B): the data's first date is at most {@link PERIOD_GRACE_DAYS} calendar
 * days after A and its last date at most PERIOD_GRACE_DAYS days before B - 1 day. The grace absorbs weekends
 * and holidays at the period's edges (a year's first trading day is at the latest 3-4 January; a month's last
 * at the earliest 3-4 days before its end).
 */
import { PROTOCOL_NAMES } from '../../src-shared/domain/runConfig';
import { indexAtOrAfter, indexAtOrBefore } from './prices';

/** Calendar days of slack at a period's edges when deciding whether the data cover it (see the header). */
export const PERIOD_GRACE_DAYS = 4;
/** Default training lookback of an explicit --from/--to window, trading days (one year). */
export const DEFAULT_LOOKBACK_DAYS = 252;

/** A span of time: trading days, or calendar months / years. */
export type Span = { days: number } | { months: number } | { years: number };

/** One split. Indices are inclusive; trainEnd = -1 (and trainStart = 0) when there is no training window. */
export interface WalkWindow {
  index: number;
  /** short human label: "1998", "1993-01", "test", "1999-01-04..1999-12-31" */
  label: string;
  trainStart: number;
  trainEnd: number;
  validationStart?: number;
  validationEnd?: number;
  testStart: number;
  testEnd: number;
  /** true when the data hold less history before testStart than the protocol asks for */
  trainTruncated: boolean;
}

export type ProtocolName = (typeof PROTOCOL_NAMES)[number];
export const PROTOCOLS: readonly ProtocolName[] = PROTOCOL_NAMES;

/** Parse "252d", "63", "6m", "1mo", "3y" into a {@link Span}. */
export function parseSpan(s: string): Span {
  const m = /^\s*(\d+)\s*(d|days?|m|mo|months?|y|years?)?\s*$/i.exec(s);
  if (!m) throw new RangeError(`bad span "${s}" (use e.g. 252d, 6m, 3y)`);
  const n = Number(m[1]);
  if (n < 1) throw new RangeError(`span must be positive, got "${s}"`);
  const u = (m[2] ?? 'd').toLowerCase();
  if (u.startsWith('y')) return { years: n };
  if (u.startsWith('m')) return { months: n };
  return { days: n };
}

/** Add a calendar span (months or years; negative allowed) to an ISO date. Day-of-month is clamped (Jan 31 + 1 month = Feb 28/29). */
export function addCalendar(date: string, months: number): string {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const total = y * 12 + (mo - 1) + months;
  const ny = Math.floor(total / 12);
  const nm = total - ny * 12;
  const last = new Date(Date.UTC(ny, nm + 1, 0)).getUTCDate();
  return `${String(ny).padStart(4, '0')}-${String(nm + 1).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

/** Add calendar days to an ISO date. */
export function addDays(date: string, days: number): string {
  const t = Date.parse(date + 'T00:00:00Z') + days * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

function spanMonths(s: Span): number | null {
  if ('months' in s) return s.months;
  if ('years' in s) return s.years * 12;
  return null;
}

/** True when the data (first..last date) cover the calendar period [a, b) up to the grace at both edges. */
export function coversPeriod(dates: readonly string[], a: string, b: string, grace = PERIOD_GRACE_DAYS): boolean {
  if (dates.length === 0) return false;
  return dates[0]! <= addDays(a, grace) && dates[dates.length - 1]! >= addDays(b, -1 - grace);
}

/** Settings of {@link walkForward}. */
export interface WalkForwardSpec {
  train: Span;
  test: Span;
  /** distance between consecutive test starts; default = test */
  step?: Span;
  /** first test window starts on/after this date (default: as soon as a full train window exists) */
  from?: string;
  /** test windows must end on/before this date (default: the last date) */
  to?: string;
  /** keep a last test window shorter than the test span (default false) */
  allowPartial?: boolean;
  /** label windows by calendar period ("1998", "1993-01") instead of by dates */
  labelBy?: 'dates' | 'year' | 'month';
}

/**
 * Generic walk-forward splitter over trading dates.
 * Trading-day spans: test windows start at index s (first: max(train days, index of `from`)), cover `test`
 * days, and move by `step` days; the train window is the `train` days before s (truncated at the data's start).
 * Calendar spans: test windows start at calendar anchors A_k = A_0 + k x step (A_0 = `from`, or the data's
 * first date + train, moved to the 1st of the next month when not a 1st), cover the trading days in
 * [A_k, A_k + test), and train on the trading days in [A_k - train, A_k). A calendar window is kept only when
 * the data cover its whole test period (see coversPeriod), unless allowPartial.
 * Day and calendar spans cannot be mixed in one spec.
 * @returns windows in time order (possibly none when the data are too short).
 */
export function walkForward(dates: readonly string[], spec: WalkForwardSpec): WalkWindow[] {
  const N = dates.length;
  if (N === 0) return [];
  const step = spec.step ?? spec.test;
  const lastIdx = spec.to ? indexAtOrBefore(dates, spec.to) : N - 1;
  if (lastIdx < 0) return [];
  const trainM = spanMonths(spec.train);
  const testM = spanMonths(spec.test);
  const stepM = spanMonths(step);
  const out: WalkWindow[] = [];
  const label = (s: number, e: number, a?: string) =>
    spec.labelBy === 'year' && a
      ? a.slice(0, 4)
      : spec.labelBy === 'month' && a
        ? a.slice(0, 7)
        : `${dates[s]}..${dates[e]}`;

  if (trainM === null && testM === null && stepM === null) {
    const tr = (spec.train as { days: number }).days;
    const te = (spec.test as { days: number }).days;
    const st = (step as { days: number }).days;
    let s = Math.max(tr, spec.from ? indexAtOrAfter(dates, spec.from) : 0);
    for (; s <= lastIdx; s += st) {
      let e = s + te - 1;
      if (e > lastIdx) {
        if (!spec.allowPartial) break;
        e = lastIdx;
      }
      const ts = Math.max(0, s - tr);
      out.push({
        index: out.length,
        label: label(s, e),
        trainStart: ts,
        trainEnd: s - 1,
        testStart: s,
        testEnd: e,
        trainTruncated: s - ts < tr,
      });
    }
    return out;
  }
  if (trainM === null || testM === null || stepM === null)
    throw new RangeError('walkForward: use trading-day spans or calendar spans, not both');

  let a0 = spec.from ?? addCalendar(dates[0]!, trainM);
  if (!spec.from && !a0.endsWith('-01')) a0 = addCalendar(a0.slice(0, 8) + '01', 1);
  const lastDate = dates[lastIdx]!;
  for (let k = 0; ; k++) {
    const a = addCalendar(a0, k * stepM);
    if (a > lastDate) break;
    const b = addCalendar(a, testM);
    const s = indexAtOrAfter(dates, a);
    let e = indexAtOrBefore(dates, addDays(b, -1));
    if (e > lastIdx) e = lastIdx;
    if (s > e || s >= N) continue;
    const covered = coversPeriod(dates.slice(0, lastIdx + 1), a, b);
    if (!covered && !spec.allowPartial) {
      if (b > lastDate) break;
      continue;
    }
    const trainFrom = addCalendar(a, -trainM);
    const ts = indexAtOrAfter(dates, trainFrom);
    out.push({
      index: out.length,
      label: label(s, e, a),
      trainStart: s === 0 ? 0 : ts,
      trainEnd: s - 1,
      testStart: s,
      testEnd: e,
      trainTruncated: dates[0]! > addDays(trainFrom, PERIOD_GRACE_DAYS),
    });
  }
  return out;
}

/** Settings of the named protocols. */
export interface ProtocolOptions {
  /** samp: the test years (default: the last `sampYears` full calendar years in the data) */
  testYears?: number[];
  /** samp: how many consecutive test years (default 3) */
  sampYears?: number;
  /** rolling: how many consecutive test years (default 7) */
  rollingYears?: number;
  /** samp and rolling: training span in years before each test year (default 3) */
  sampTrainYears?: number;
  /** hadaps: training span in years before each test month (default 2) */
  hadapsTrainYears?: number;
  /** mpls: chronological fractions of the trading days (default 0.7 / 0.1 / 0.2) */
  mplsFractions?: [number, number, number];
  /** keep only test windows starting on/after `from` and ending on/before `to` */
  from?: string;
  to?: string;
}

/** Calendar years fully covered by the data (see the header), ascending. */
export function fullCalendarYears(dates: readonly string[]): number[] {
  if (dates.length === 0) return [];
  const y0 = Number(dates[0]!.slice(0, 4));
  const y1 = Number(dates[dates.length - 1]!.slice(0, 4));
  const out: number[] = [];
  for (let y = y0; y <= y1; y++) if (coversPeriod(dates, `${y}-01-01`, `${y + 1}-01-01`)) out.push(y);
  return out;
}

/**
 * The windows of a named protocol (see the header).
 * @throws RangeError when the data cannot hold the protocol (e.g. fewer than three full calendar years for samp).
 */
export function protocolWindows(
  dates: readonly string[],
  protocol: ProtocolName,
  opts: ProtocolOptions = {},
): WalkWindow[] {
  let windows: WalkWindow[];
  if (protocol === 'samp' || protocol === 'rolling') {
    const nYears = protocol === 'samp' ? (opts.sampYears ?? 3) : (opts.rollingYears ?? 7);
    const trainYears = opts.sampTrainYears ?? 3;
    let years = opts.testYears;
    if (!years) {
      const full = fullCalendarYears(dates);
      if (full.length < nYears)
        throw new RangeError(`${protocol} protocol needs ${nYears} full calendar years of data, found ${full.length}`);
      years = full.slice(-nYears);
    }
    windows = years.map((y, index) => {
      const a = `${y}-01-01`;
      const s = indexAtOrAfter(dates, a);
      const e = indexAtOrBefore(dates, `${y}-12-31`);
      if (s > e) throw new RangeError(`${protocol} protocol: no trading day in ${y}`);
      const trainFrom = `${y - trainYears}-01-01`;
      return {
        index,
        label: String(y),
        trainStart: indexAtOrAfter(dates, trainFrom),
        trainEnd: s - 1,
        testStart: s,
        testEnd: e,
        trainTruncated: dates[0]! > addDays(trainFrom, PERIOD_GRACE_DAYS),
      };
    });
  } else if (protocol === 'hadaps') {
    const trainYears = opts.hadapsTrainYears ?? 2;
    windows = walkForward(dates, { train: { years: trainYears }, test: { months: 1 }, labelBy: 'month' }).filter(
      (w) => !w.trainTruncated,
    );
  } else if (protocol === 'mpls') {
    const [ftr, fva, fte] = opts.mplsFractions ?? [0.7, 0.1, 0.2];
    if (!(ftr > 0 && fva >= 0 && fte > 0 && Math.abs(ftr + fva + fte - 1) < 1e-9))
      throw new RangeError('mpls fractions must be positive and sum to 1');
    const N = dates.length;
    const trEnd = Math.floor(ftr * N) - 1;
    const vaEnd = Math.floor((ftr + fva) * N) - 1;
    if (trEnd < 0 || vaEnd >= N - 1) throw new RangeError(`mpls protocol: ${N} days are too few for a 70/10/20 split`);
    windows = [
      {
        index: 0,
        label: 'test',
        trainStart: 0,
        trainEnd: trEnd,
        ...(vaEnd > trEnd ? { validationStart: trEnd + 1, validationEnd: vaEnd } : {}),
        testStart: vaEnd + 1,
        testEnd: N - 1,
        trainTruncated: false,
      },
    ];
  } else throw new RangeError(`unknown protocol "${String(protocol)}" (use ${PROTOCOLS.join(', ')})`);
  if (opts.from || opts.to) {
    windows = windows.filter(
      (w) => (!opts.from || dates[w.testStart]! >= opts.from) && (!opts.to || dates[w.testEnd]! <= opts.to),
    );
    windows.forEach((w, i) => (w.index = i));
  }
  return windows;
}

/**
 * A user-given test window [from, to] (trading days at/after `from` and at/before `to`), trained on the
 * `lookback` trading days before it (fewer when the data start later; none when the window starts on the
 * data's first day).
 */
export function explicitWindow(
  dates: readonly string[],
  from: string | undefined,
  to: string | undefined,
  lookback = DEFAULT_LOOKBACK_DAYS,
): WalkWindow {
  const s = from ? indexAtOrAfter(dates, from) : 0;
  const e = to ? indexAtOrBefore(dates, to) : dates.length - 1;
  if (s >= dates.length || e < 0 || s > e)
    throw new RangeError(`no trading day between ${from ?? 'the start'} and ${to ?? 'the end'}`);
  if (!Number.isInteger(lookback) || lookback < 0) throw new RangeError(`lookback must be a whole number of days >= 0`);
  const ts = Math.max(0, s - lookback);
  return {
    index: 0,
    label: `${dates[s]}..${dates[e]}`,
    trainStart: s === 0 ? 0 : ts,
    trainEnd: s - 1,
    testStart: s,
    testEnd: e,
    trainTruncated: s - ts < lookback,
  };
}

/**
 * The days a learned strategy trains and validates on in a window whose training starts being read at `first`
 * (its first state day) and ends at `trainEnd`, tested from `testStart`:
 *   - a window that leaves days between its training and its test (the mpls protocol's validation days) validates
 *     on them: training reads up to trainEnd, validation decides on trainEnd .. testStart - 2 and its last return
 *     is realised at testStart - 1;
 *   - any other window holds out its own last `validationDays` (at most half of first..trainEnd; 0 = none):
 *     training reads up to trainEnd - validationDays, validation decides from there and ends at trainEnd.
 * Gives the last day the training may read (`trainLast`, targets included) and the validation environment's last
 * day (`validationEnd`, the last day read at all), or null without validation.
 */
export function heldOutValidation(
  first: number,
  trainEnd: number,
  testStart: number,
  validationDays: number,
): { trainLast: number; validationEnd: number | null } {
  if (testStart - 1 > trainEnd) return { trainLast: trainEnd, validationEnd: testStart - 1 };
  const held = Math.max(0, Math.min(validationDays, Math.floor((trainEnd - first) / 2)));
  return held > 0
    ? { trainLast: trainEnd - held, validationEnd: trainEnd }
    : { trainLast: trainEnd, validationEnd: null };
}
