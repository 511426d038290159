/**
 * Books: the PM's daily loop. A book is a named portfolio on one universe, with a strategy assigned (a classic,
 * non-hindsight strategy or the trained model of a stored learning run), a value in a currency and its positions.
 * Every morning `books.today` has the strategy decide target weights for the next session from data up to the
 * latest data date, beside the book's current (drifted) weights, with the trades, their estimated cost and the
 * warnings; `books.answer` approves (as proposed or edited) or rejects it with a note. Approved targets become the
 * book's positions at that date's close (the trade is priced at the close the decision saw, as in every backtest)
 * and are shown as positions once the next session's prices arrive. `books.trackRecord` gives the realised
 * performance from the first approval on, beside the unadjusted proposals and equal weight.
 *
 * Weights are fractions of the book's value, risky assets in `tickers` order, cash apart.
 */
import { z } from 'zod';
import { Id, IsoDate, LongText, method, ShortText } from './define';
import { Ticker } from './data';
import { MetricValue } from './runs';

/** A book's name: what the command line and the desk call it by. */
export const BookName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'a book name: letters, digits and _.- (starting with a letter or digit)');
/** ISO 4217-style currency code (a label only: the book does no currency conversion). */
export const Currency = z.string().regex(/^[A-Z]{3}$/, 'a three-letter currency code such as USD');

/** The checks each decision is held against. */
export const BookSettings = z
  .object({
    /** proportional cost per unit of value traded (the simulator's rule: cost × Σ|w_target − w_drifted|) */
    cost: z.number().min(0).max(0.1),
    /** a target whose largest weight is above this is flagged */
    concentrationLimit: z.number().gt(0).max(1),
    /** one-way turnover (½ Σ|Δw| over the assets and cash) above this is flagged, and an edit above it refused */
    turnoverBudget: z.number().min(0).max(1),
    /** a learned model is stale when the decision date is more than this many calendar days after its training end */
    staleModelDays: z.number().int().min(0).max(36_500),
  })
  .strict();
export type BookSettings = z.infer<typeof BookSettings>;

/** What decides a book's targets: a classic strategy by id, or the model a learning run trained. */
export const BookStrategyRequest = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('classic'),
      id: Id,
      params: z.record(z.string().max(64), z.union([z.number(), z.string().max(256), z.boolean()])).optional(),
    })
    .strict(),
  z.object({ kind: z.literal('model'), runId: Id }).strict(),
]);
export type BookStrategyRequest = z.infer<typeof BookStrategyRequest>;

export const BookStrategy = z.object({
  kind: z.enum(['classic', 'model']),
  /** the strategy id (for a model: the learning variant that trained it) */
  id: z.string(),
  label: z.string(),
  params: z.record(z.string(), z.unknown()),
  /** model books: the run that trained the model, its key and training window */
  modelRunId: z.string().nullable(),
  modelKey: z.string().nullable(),
  trainedFrom: IsoDate.nullable(),
  trainedTo: IsoDate.nullable(),
});
export type BookStrategy = z.infer<typeof BookStrategy>;

export const BookSummary = z.object({
  name: BookName,
  universe: Id,
  currency: Currency,
  strategy: BookStrategy,
  settings: BookSettings,
  /** the data date the opening positions are valued at */
  openingDate: IsoDate,
  openingValue: z.number(),
  createdAt: z.string(),
});
export type BookSummary = z.infer<typeof BookSummary>;

export const BookPosition = z.object({
  ticker: z.string(),
  name: z.string(),
  sector: z.string(),
  shares: z.number(),
  /** close on the book's data date */
  price: z.number(),
  amount: z.number(),
  weight: z.number(),
  /** the last date this ticker has a price */
  lastDate: IsoDate.nullable(),
  /** its prices stop before those of other members: the book's data date waits for it */
  stale: z.boolean(),
});
export type BookPosition = z.infer<typeof BookPosition>;

export const BookDetail = BookSummary.extend({
  /** the last date on which every member has a price: decisions are taken at its close */
  dataDate: IsoDate,
  /** the latest date any member has a price (after dataDate when a ticker is stale) */
  latestPriceDate: IsoDate.nullable(),
  positions: z.array(BookPosition),
  cash: z.number(),
  /** book value at the close of dataDate, before any trade approved for that date */
  value: z.number(),
  /** an approval at dataDate whose trades take effect once the next session's prices arrive */
  pending: z.object({ date: IsoDate, status: z.enum(['approved', 'adjusted']) }).nullable(),
  /** approvals so far; positions can be replaced only before the first */
  approvals: z.number().int().nonnegative(),
});
export type BookDetail = z.infer<typeof BookDetail>;

export const PositionUnit = z.enum(['shares', 'weights']);
export const PositionEntry = z.object({ ticker: Ticker, amount: z.number() }).strict();

export const SetPositionsRequest = z
  .object({
    name: BookName,
    unit: PositionUnit.optional(),
    /** entries typed in, or... */
    entries: z.array(PositionEntry).max(5000).optional(),
    /** ...the text of a CSV file with a ticker column and a shares or weight column */
    csv: z.string().max(1_000_000).optional(),
    /** cash in the book's currency next to shares (default 0); with weights the rest of the value is cash */
    cash: z.number().min(0).max(1e15).optional(),
    /** with weights: the book value they are fractions of (default: the book's current value) */
    value: z.number().gt(0).max(1e15).optional(),
    /** check and preview only */
    dryRun: z.boolean().optional(),
  })
  .strict();
export type SetPositionsRequest = z.infer<typeof SetPositionsRequest>;

export const PositionsPreview = z.object({
  unit: PositionUnit,
  date: IsoDate,
  rows: z.array(
    z.object({ ticker: z.string(), shares: z.number(), price: z.number(), amount: z.number(), weight: z.number() }),
  ),
  cash: z.number(),
  value: z.number(),
  stored: z.boolean(),
});
export type PositionsPreview = z.infer<typeof PositionsPreview>;

export const BookWarning = z.object({
  code: z.enum(['concentration', 'turnover', 'verdict', 'stale-model', 'stale-data']),
  message: z.string(),
  /** stale model: the backtest request that retrains it on data up to the decision (runs.start) */
  retrain: z.record(z.string(), z.unknown()).optional(),
});
export type BookWarning = z.infer<typeof BookWarning>;

export const TradeLine = z.object({
  ticker: z.string(),
  side: z.enum(['BUY', 'SELL']),
  /** target minus current weight */
  weightChange: z.number(),
  shares: z.number(),
  /** estimated price: the close the decision saw */
  price: z.number(),
  amount: z.number(),
  /** this line's share of the estimated cost, in the book's currency */
  cost: z.number(),
});
export type TradeLine = z.infer<typeof TradeLine>;

export const OutcomeStatus = z.enum(['approved', 'adjusted', 'rejected']);
export type OutcomeStatus = z.infer<typeof OutcomeStatus>;

export const BookOutcome = z.object({
  status: OutcomeStatus,
  /** the targets approved (the proposal, or the edit); null when rejected */
  weights: z.array(z.number()).nullable(),
  cash: z.number().nullable(),
  note: z.string(),
  createdAt: z.string(),
});
export type BookOutcome = z.infer<typeof BookOutcome>;

export const BookDecision = z.object({
  book: BookName,
  /** the data date: the decision is taken at its close, for the next session */
  date: IsoDate,
  strategy: z.string(),
  modelKey: z.string().nullable(),
  tickers: z.array(z.string()),
  prices: z.array(z.number()),
  /** book value at the close of `date`, before trading */
  value: z.number(),
  current: z.object({ weights: z.array(z.number()), cash: z.number() }),
  target: z.object({ weights: z.array(z.number()), cash: z.number() }),
  /** the trades of the proposal (or, once adjusted, of the approved edit) */
  trades: z.array(TradeLine),
  /** ½ Σ|Δw| over the assets and cash */
  turnover: z.number(),
  /** estimated cost in the book's currency: cost × Σ|Δw| over the assets × value */
  cost: z.number(),
  detail: z.record(z.string(), z.unknown()).nullable(),
  warnings: z.array(BookWarning),
  outcome: BookOutcome.nullable(),
  /** false once later prices arrived: then it can no longer be answered */
  open: z.boolean(),
  createdAt: z.string(),
});
export type BookDecision = z.infer<typeof BookDecision>;

export const AnswerRequest = z
  .object({
    name: BookName,
    /** the decision's date (default: the latest decision) */
    date: IsoDate.optional(),
    action: z.enum(['approve', 'reject']),
    /** approve with these target weights instead of the proposal's (the tickers not named keep the proposal's) */
    edits: z
      .array(z.object({ ticker: Ticker, weight: z.number() }).strict())
      .max(5000)
      .optional(),
    note: LongText,
  })
  .strict();
export type AnswerRequest = z.infer<typeof AnswerRequest>;

const Series = z.object({ values: z.array(z.number()), returns: z.array(z.number()), drawdown: z.array(z.number()) });

export const TrackRecord = z.object({
  book: BookName,
  /** the first approval's date: the record starts at its close; null before any approval */
  from: IsoDate.nullable(),
  dates: z.array(IsoDate),
  /** values in the book's currency; the book as approved, the proposals unadjusted, equal weight */
  realised: Series,
  proposed: Series,
  equalWeight: Series,
  metrics: z.object({
    realised: z.record(z.string(), MetricValue),
    proposed: z.record(z.string(), MetricValue),
    equalWeight: z.record(z.string(), MetricValue),
  }),
  /** decisions answered: approved as proposed, adjusted, rejected */
  answers: z.object({ approved: z.number().int(), adjusted: z.number().int(), rejected: z.number().int() }),
});
export type TrackRecord = z.infer<typeof TrackRecord>;

export const OrderFormat = z.enum(['csv', 'xlsx']);
export type OrderFormat = z.infer<typeof OrderFormat>;

export const OrderList = z.object({
  book: BookName,
  date: IsoDate,
  currency: Currency,
  status: OutcomeStatus,
  lines: z.array(TradeLine),
});
export type OrderList = z.infer<typeof OrderList>;

const NameOnly = z.object({ name: BookName }).strict();

export const bookMethods = {
  'books.list': method('Every book', z.object({}).strict(), z.array(BookSummary)),
  'books.create': method(
    'Create a book: all cash at the latest data date until positions are set',
    z
      .object({
        name: BookName,
        universe: Id,
        currency: Currency.optional(),
        value: z.number().gt(0).max(1e15),
        strategy: BookStrategyRequest,
        settings: BookSettings.partial().optional(),
      })
      .strict(),
    BookSummary,
  ),
  'books.update': method(
    'Assign another strategy or model, or change the settings (decisions already taken keep what made them)',
    z
      .object({ name: BookName, strategy: BookStrategyRequest.optional(), settings: BookSettings.partial().optional() })
      .strict(),
    BookSummary,
  ),
  'books.get': method(
    'A book with its positions at the latest data date, which tickers are stale, and any pending approval',
    NameOnly,
    BookDetail,
  ),
  'books.delete': method(
    'Delete a book with its decisions and answers',
    NameOnly,
    z.object({ name: BookName, deleted: z.boolean() }),
  ),
  'books.setPositions': method(
    'Check (and unless dryRun, store) the opening positions, in shares or weights; refused once a decision was approved',
    SetPositionsRequest,
    PositionsPreview,
  ),
  'books.today': method(
    "The book's decision at the latest data date for the next session (computed and stored on the first call of the day)",
    z.object({ name: BookName, refresh: z.boolean().optional() }).strict(),
    BookDecision,
  ),
  'books.decision': method(
    'A stored decision of a book (default its latest) with its answer',
    z.object({ name: BookName, date: IsoDate.optional() }).strict(),
    BookDecision,
  ),
  'books.decisions': method(
    'The stored decisions of a book, newest first, with their answers',
    z.object({ name: BookName, limit: z.number().int().min(1).max(5000).optional() }).strict(),
    z.array(
      BookDecision.pick({
        date: true,
        strategy: true,
        turnover: true,
        cost: true,
        outcome: true,
        open: true,
        createdAt: true,
      }),
    ),
  ),
  'books.answer': method(
    'Approve (as proposed or edited) or reject the open decision, with a note',
    AnswerRequest,
    BookDecision,
  ),
  'books.trackRecord': method(
    'Realised daily performance from the first approval on, beside the unadjusted proposals and equal weight',
    NameOnly,
    TrackRecord,
  ),
  'books.orders': method(
    'The order list of an approved decision (default the latest answered one)',
    z.object({ name: BookName, date: IsoDate.optional() }).strict(),
    OrderList,
  ),
  'books.exportOrders': method(
    'The order list as a CSV or XLSX file (base64) to download',
    z.object({ name: BookName, date: IsoDate.optional(), format: OrderFormat }).strict(),
    z.object({ fileName: ShortText, base64: z.string(), bytes: z.number().int().min(0) }),
  ),
};
