/**
 * `hdrl book`: create, list, show, change and delete books, set their opening positions (typed in or from a CSV of
 * ticker and shares or weights) and show their track record. Every request goes through the same contract and
 * dispatcher as the desk (services/books.ts); a refused request prints the engine's message and every issue, and
 * exits 2. The daily loop itself is `hdrl today`, `hdrl approve` and `hdrl orders`.
 */
import type { Channel, Request, Response } from '../../../src-shared/contract';
import type { BookDecision, BookSettings, BookStrategyRequest } from '../../../src-shared/contract/books';
import { dispatch } from '../../services';
import { readUserFile, UserFileError } from '../../data/files';
import type { Engine } from '../../engine';
import { UsageError, type CliCommand, type CliIO } from '../types';

/** A request the engine refused, with the exit status it gives (2: refused input, 1: failure). */
export class CliRefusal extends Error {
  constructor(
    message: string,
    readonly status: 1 | 2,
  ) {
    super(message);
  }
}

/** Call a channel through the dispatcher; a refusal becomes a CliRefusal carrying the message and its issues. */
export async function callBooks<C extends Channel>(engine: Engine, channel: C, req: Request<C>): Promise<Response<C>> {
  const r = await dispatch(engine, channel, req);
  if (r.ok) return r.value as Response<C>;
  const issues = (r.error.issues ?? []).map((i) => `  ${i.path}: ${i.message}`);
  throw new CliRefusal([r.error.message, ...issues].join('\n'), r.error.code === 'INTERNAL' ? 1 : 2);
}

/** Run a command body, printing a CliRefusal's message and returning its status. */
export async function refusals(io: CliIO, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof CliRefusal) {
      io.err(e.message);
      return e.status;
    }
    throw e;
  }
}

export const pct = (x: number, d = 2) => `${(x * 100).toFixed(d)}%`;
export const money = (x: number) => x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** Rows as aligned columns (first `left` columns left-aligned, the others right-aligned). */
export function table(header: string[], rows: string[][], left = 1): string[] {
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i < left ? c.padEnd(w[i]!) : c.padStart(w[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** A decision as the command line prints it: targets beside current weights, trades, cost, warnings, answer. */
export function printDecision(io: CliIO, d: BookDecision, currency: string): void {
  io.out(
    `book ${d.book}: decision at the close of ${d.date} for the next session (${d.strategy}${d.modelKey ? `, model ${d.modelKey.slice(0, 12)}` : ''})`,
  );
  io.out(
    `value ${money(d.value)} ${currency}; one-way turnover ${pct(d.turnover)}; estimated cost ${money(d.cost)} ${currency}`,
  );
  const approved = d.outcome?.weights ?? null;
  const trade = new Map(d.trades.map((t) => [t.ticker, t]));
  const rows = d.tickers.map((t, i) => {
    const tr = trade.get(t);
    return [
      t,
      pct(d.current.weights[i]!),
      pct(d.target.weights[i]!),
      ...(approved ? [pct(approved[i]!)] : []),
      tr ? tr.side : '',
      tr ? Math.abs(tr.shares).toFixed(4) : '',
      tr ? money(Math.abs(tr.amount)) : '',
    ];
  });
  rows.push([
    'CASH',
    pct(d.current.cash),
    pct(d.target.cash),
    ...(approved ? [pct(d.outcome!.cash ?? 0)] : []),
    '',
    '',
    '',
  ]);
  for (const l of table(
    ['ticker', 'current', 'target', ...(approved ? ['approved'] : []), 'side', 'shares', `amount ${currency}`],
    rows,
  ))
    io.out(l);
  for (const w of d.warnings) io.out(`warning (${w.code}): ${w.message}`);
  const retrain = d.warnings.find((w) => w.retrain)?.retrain as
    { universe: string; strategies: string[]; from: string; lookback: number; seedFirst: number } | undefined;
  if (retrain)
    io.out(
      `  to retrain: hdrl train --universe ${retrain.universe} --strategy ${retrain.strategies[0]} --from ${retrain.from} --to ${retrain.from} --lookback ${retrain.lookback} --seed ${retrain.seedFirst}; then hdrl book set ${d.book} --model RUN`,
    );
  if (d.outcome) io.out(`${d.outcome.status} ${d.outcome.createdAt.slice(0, 16).replace('T', ' ')}: ${d.outcome.note}`);
  else if (d.open) io.out(`open: hdrl approve --book ${d.book} --note TEXT [--edit TICKER=WEIGHT,...] [--reject]`);
  else io.out('not answered; later prices have arrived, so it can no longer be answered');
}

/** "A=1,B=2.5" or repeated flags -> [{key, value}], values as numbers (a trailing % divides by 100 when allowed). */
export function parsePairs(flags: readonly string[], what: string, percent: boolean): { key: string; value: number }[] {
  const out: { key: string; value: number }[] = [];
  for (const f of flags.flatMap((s) => s.split(','))) {
    if (!f.trim()) continue;
    const m = /^\s*([^=\s]+)\s*=\s*(\S+?)\s*$/.exec(f);
    if (!m) throw new UsageError(`bad ${what} "${f}" (use TICKER=NUMBER)`);
    const isPct = percent && m[2]!.endsWith('%');
    const v = Number(isPct ? m[2]!.slice(0, -1) : m[2]!);
    if (m[2]!.trim() === '' || !Number.isFinite(v)) throw new UsageError(`bad ${what} "${f}": ${m[2]} is not a number`);
    out.push({ key: m[1]!, value: isPct ? v / 100 : v });
  }
  return out;
}

function num(v: unknown, name: string): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(x))
    throw new UsageError(`--${name} must be a number`);
  return x;
}

function settingsOf(args: Record<string, unknown>): Partial<BookSettings> | undefined {
  const s: Partial<BookSettings> = {};
  const cost = num(args.cost, 'cost');
  const conc = num(args['concentration-limit'], 'concentration-limit');
  const budget = num(args['turnover-budget'], 'turnover-budget');
  const stale = num(args['stale-model-days'], 'stale-model-days');
  if (cost !== undefined) s.cost = cost;
  if (conc !== undefined) s.concentrationLimit = conc;
  if (budget !== undefined) s.turnoverBudget = budget;
  if (stale !== undefined) s.staleModelDays = stale;
  return Object.keys(s).length ? s : undefined;
}

function strategyOf(args: Record<string, unknown>): BookStrategyRequest | undefined {
  const id = args.strategy as string | undefined;
  const model = args.model as string | undefined;
  if (id !== undefined && model !== undefined)
    throw new UsageError(
      'give --strategy ID (classic) or --model RUN (a learning run whose trained model decides), not both',
    );
  const params = ((args.param as string[] | undefined) ?? []).map((p) => {
    const m = /^([A-Za-z0-9_]+)=(.*)$/.exec(p);
    if (!m) throw new UsageError(`bad --param "${p}" (use NAME=VALUE)`);
    const raw = m[2]!;
    return [
      m[1]!,
      raw === 'true'
        ? true
        : raw === 'false'
          ? false
          : raw.trim() !== '' && Number.isFinite(Number(raw))
            ? Number(raw)
            : raw,
    ] as const;
  });
  if (model !== undefined) {
    if (params.length) throw new UsageError('--param goes with --strategy');
    return { kind: 'model', runId: model };
  }
  if (id === undefined) return undefined;
  return { kind: 'classic', id, ...(params.length ? { params: Object.fromEntries(params) } : {}) };
}

const USAGE = [
  'create NAME --universe U --value AMOUNT [--currency USD] (--strategy ID [--param NAME=VALUE ...] | --model RUN)',
  '         [--cost 0.001] [--concentration-limit 0.2] [--turnover-budget 0.25] [--stale-model-days 92]',
  '       hdrl book list',
  '       hdrl book show NAME [--json]',
  '       hdrl book positions NAME (--file FILE | --set TICKER=AMOUNT,...) [--unit shares|weights] [--cash AMOUNT | --value AMOUNT] [--dry-run]',
  '       hdrl book set NAME [--strategy ID [--param ...] | --model RUN] [settings as for create]',
  '       hdrl book record NAME [--json]',
  '       hdrl book delete NAME',
].join('\n');

export const bookCommand: CliCommand = {
  name: 'book',
  summary:
    "a PM's books: create (strategy or trained model, value, currency), positions (typed or CSV), show, settings, track record",
  usage: USAGE,
  options: {
    universe: { type: 'string' },
    value: { type: 'string' },
    currency: { type: 'string' },
    strategy: { type: 'string' },
    model: { type: 'string' },
    param: { type: 'string', multiple: true },
    cost: { type: 'string' },
    'concentration-limit': { type: 'string' },
    'turnover-budget': { type: 'string' },
    'stale-model-days': { type: 'string' },
    file: { type: 'string' },
    set: { type: 'string', multiple: true },
    unit: { type: 'string' },
    cash: { type: 'string' },
    'dry-run': { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run({ args, positionals, engine, io }) {
    const [sub, name, ...extra] = positionals;
    if (!sub) throw new UsageError('say what to do: create, list, show, positions, set, record or delete');
    if (extra.length) throw new UsageError(`unexpected ${extra.join(' ')}`);
    const needName = () => {
      if (!name) throw new UsageError(`book ${sub} needs the book's name`);
      return name;
    };
    const e = engine!;
    return refusals(io, async () => {
      switch (sub) {
        case 'create': {
          const strategy = strategyOf(args);
          if (!strategy) throw new UsageError('give --strategy ID or --model RUN');
          if (typeof args.universe !== 'string') throw new UsageError('--universe is required');
          const value = num(args.value, 'value');
          if (value === undefined) throw new UsageError('--value is required (the book value in its currency)');
          const settings = settingsOf(args);
          const b = await callBooks(e, 'books.create', {
            name: needName(),
            universe: args.universe,
            value,
            strategy,
            ...(typeof args.currency === 'string' ? { currency: args.currency.toUpperCase() } : {}),
            ...(settings ? { settings } : {}),
          });
          io.out(
            `book ${b.name} created on ${b.universe}: ${money(b.openingValue)} ${b.currency} in cash at ${b.openingDate}, decided by ${b.strategy.label}`,
          );
          io.out(
            `next: hdrl book positions ${b.name} --file POSITIONS.csv (optional), then hdrl today --book ${b.name}`,
          );
          return 0;
        }
        case 'list': {
          const books = await callBooks(e, 'books.list', {});
          if (!books.length) io.out('no books yet: hdrl book create NAME --universe U --value AMOUNT --strategy ID');
          else
            for (const l of table(
              ['book', 'universe', 'strategy', 'currency', 'opened'],
              books.map((b) => [
                b.name,
                b.universe,
                b.strategy.kind === 'model' ? `${b.strategy.id} (run ${b.strategy.modelRunId})` : b.strategy.id,
                b.currency,
                b.openingDate,
              ]),
              5,
            ))
              io.out(l);
          return 0;
        }
        case 'show': {
          const b = await callBooks(e, 'books.get', { name: needName() });
          if (args.json) return (io.out(JSON.stringify(b, null, 1)), 0);
          io.out(
            `book ${b.name} on ${b.universe}, ${b.strategy.label}${b.strategy.kind === 'model' ? ` (run ${b.strategy.modelRunId}, trained ${b.strategy.trainedFrom} – ${b.strategy.trainedTo})` : ''}`,
          );
          io.out(
            `data date ${b.dataDate}${b.latestPriceDate && b.latestPriceDate !== b.dataDate ? ` (some tickers have prices up to ${b.latestPriceDate})` : ''}; value ${money(b.value)} ${b.currency}; cash ${money(b.cash)}`,
          );
          const rows = b.positions
            .filter((p) => p.shares > 0 || p.stale)
            .map((p) => [
              p.ticker,
              p.shares.toFixed(4),
              money(p.price),
              money(p.amount),
              pct(p.weight),
              p.stale ? `stale: last price ${p.lastDate ?? 'none'}` : '',
            ]);
          for (const l of table(['ticker', 'shares', 'price', `amount ${b.currency}`, 'weight', ''], rows)) io.out(l);
          if (b.pending)
            io.out(
              `pending: the decision of ${b.pending.date} was ${b.pending.status}; its trades show here once the next session's prices arrive`,
            );
          const s = b.settings;
          io.out(
            `settings: cost ${pct(s.cost, 3)}, concentration limit ${pct(s.concentrationLimit, 1)}, turnover budget ${pct(s.turnoverBudget, 1)}, stale model after ${s.staleModelDays} days`,
          );
          return 0;
        }
        case 'positions': {
          const file = args.file as string | undefined;
          const set = (args.set as string[] | undefined) ?? [];
          if ((file === undefined) === (set.length === 0))
            throw new UsageError('give --file FILE or --set TICKER=AMOUNT,...');
          const unit = args.unit as string | undefined;
          if (unit !== undefined && unit !== 'shares' && unit !== 'weights')
            throw new UsageError('--unit must be shares or weights');
          if (set.length && !unit) throw new UsageError('--set needs --unit shares or --unit weights');
          let csv: string | undefined;
          if (file !== undefined) {
            try {
              csv = readUserFile(file, 1_000_000, 'positions file').toString('utf8');
            } catch (err) {
              if (err instanceof UserFileError) throw new CliRefusal(err.message, 2);
              throw err;
            }
          }
          const cash = num(args.cash, 'cash');
          const value = num(args.value, 'value');
          const p = await callBooks(e, 'books.setPositions', {
            name: needName(),
            ...(unit ? { unit: unit as 'shares' | 'weights' } : {}),
            ...(csv !== undefined
              ? { csv }
              : {
                  entries: parsePairs(set, '--set', unit === 'weights').map((x) => ({
                    ticker: x.key,
                    amount: x.value,
                  })),
                }),
            ...(cash !== undefined ? { cash } : {}),
            ...(value !== undefined ? { value } : {}),
            ...(args['dry-run'] ? { dryRun: true } : {}),
          });
          for (const l of table(
            ['ticker', 'shares', 'price', 'amount', 'weight'],
            p.rows.map((r) => [r.ticker, r.shares.toFixed(4), money(r.price), money(r.amount), pct(r.weight)]),
          ))
            io.out(l);
          io.out(
            `cash ${money(p.cash)}; value ${money(p.value)} at the close of ${p.date}${p.stored ? '; stored' : ' (dry run: nothing stored)'}`,
          );
          return 0;
        }
        case 'set': {
          const strategy = strategyOf(args);
          const settings = settingsOf(args);
          if (!strategy && !settings) throw new UsageError('nothing to change: give --strategy, --model or a setting');
          const b = await callBooks(e, 'books.update', {
            name: needName(),
            ...(strategy ? { strategy } : {}),
            ...(settings ? { settings } : {}),
          });
          io.out(
            `book ${b.name}: ${b.strategy.label}${b.strategy.modelRunId ? ` (run ${b.strategy.modelRunId})` : ''}; settings ${JSON.stringify(b.settings)}`,
          );
          return 0;
        }
        case 'record': {
          const r = await callBooks(e, 'books.trackRecord', { name: needName() });
          if (args.json) return (io.out(JSON.stringify(r, null, 1)), 0);
          if (!r.from)
            return (
              io.out(`book ${r.book} has no approved decision yet: its track record starts with the first approval`),
              0
            );
          io.out(
            `book ${r.book}: track record from the close of ${r.from} (${r.dates.length} days; approved ${r.answers.approved}, adjusted ${r.answers.adjusted}, rejected ${r.answers.rejected})`,
          );
          const metric = (m: Record<string, number | string | null>, k: string, f: (x: number) => string) =>
            typeof m[k] === 'number' ? f(m[k] as number) : String(m[k] ?? 'n/a');
          const rows = (['realised', 'proposed', 'equalWeight'] as const).map((k) => {
            const m = r.metrics[k];
            return [
              k === 'equalWeight' ? 'equal weight' : k === 'proposed' ? 'proposed (unadjusted)' : 'realised',
              metric(m, 'cumulativeReturn', (x) => pct(x)),
              metric(m, 'sharpe', (x) => x.toFixed(2)),
              metric(m, 'maxDrawdown', (x) => pct(x)),
              metric(m, 'turnover', (x) => pct(x)),
            ];
          });
          for (const l of table(['', 'cum. return', 'sharpe', 'max drawdown', 'turnover/day'], rows)) io.out(l);
          return 0;
        }
        case 'delete': {
          await callBooks(e, 'books.delete', { name: needName() });
          io.out(`book ${name} deleted`);
          return 0;
        }
        default:
          throw new UsageError(`unknown book command "${sub}"`);
      }
    });
  },
};
