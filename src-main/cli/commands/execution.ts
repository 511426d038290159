/**
 * `hdrl execution`: what Level 3 of the three-level hierarchy buys (agents/threelevel/evaluate.ts). Trade-at-once,
 * the linear schedule and the learned execution agent (one model per seed) execute the same momentum-tilt targets
 * over the last three full years of a universe with the execution-cost model on; prints the table and, with
 * --markdown FILE, writes it into FILE between the markers `<!-- execution-level:begin -->` and
 * `<!-- execution-level:end -->` (docs/three-level.md "Execution level"), leaving the rest of the file as it was.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  EXECUTION_PRESET_NAMES,
  resolveExecutionConfig,
  type ExecutionPresetName,
} from '../../agents/threelevel/config';
import { evaluateExecution, executionMarkdown } from '../../agents/threelevel/evaluate';
import { loadPriceMatrix, UnknownUniverseError } from '../../store/prices';
import { UsageError, type CliCommand } from '../types';

const BEGIN = '<!-- execution-level:begin -->';
const END = '<!-- execution-level:end -->';

/** `text` with what lies between the markers replaced by `block`; throws when the markers are not there once each. */
export function replaceExecutionSection(text: string, block: string, file: string): string {
  const a = text.indexOf(BEGIN);
  const b = text.indexOf(END);
  if (a < 0 || b < a || text.indexOf(BEGIN, a + 1) >= 0 || text.indexOf(END, b + 1) >= 0)
    throw new UsageError(`${file} must hold the markers ${BEGIN} and ${END} once each, in that order`);
  return `${text.slice(0, a + BEGIN.length)}\n${block}\n${text.slice(b)}`;
}

function positiveNumber(v: unknown, what: string): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (!(Number.isFinite(x) && x > 0)) throw new UsageError(`${what} must be a number > 0, got ${String(v)}`);
  return x;
}

export const executionCommand: CliCommand = {
  name: 'execution',
  summary: 'evaluate execution (three-level Level 3): trade-at-once, linear and the learned agent on the same targets',
  usage:
    '[--universe djia30] [--seeds 5] [--preset quick|standard] [--cost 0.001] [--book-value V] [--markdown FILE] [--quiet]',
  options: {
    universe: { type: 'string' },
    seeds: { type: 'string' },
    preset: { type: 'string' },
    cost: { type: 'string' },
    'book-value': { type: 'string' },
    markdown: { type: 'string' },
    quiet: { type: 'boolean' },
  },
  async run({ args, engine, io }) {
    const universe = (args.universe as string | undefined) ?? 'djia30';
    const seeds = args.seeds === undefined ? 5 : Number(args.seeds);
    if (!(Number.isInteger(seeds) && seeds >= 1 && seeds <= 100))
      throw new UsageError(`--seeds must be a whole number in [1, 100], got ${String(args.seeds)}`);
    const preset = ((args.preset as string | undefined) ?? 'quick') as ExecutionPresetName;
    if (!EXECUTION_PRESET_NAMES.includes(preset))
      throw new UsageError(`--preset must be one of ${EXECUTION_PRESET_NAMES.join(', ')}, got ${preset}`);
    const cost = args.cost === undefined ? 0.001 : Number(args.cost);
    if (!(Number.isFinite(cost) && cost >= 0 && cost < 1))
      throw new UsageError(`--cost must be a number in [0, 1), got ${String(args.cost)}`);
    const bookValue = positiveNumber(args['book-value'], '--book-value');
    const file = args.markdown ? path.resolve(String(args.markdown)) : null;
    // refuse a document without its markers before spending minutes on training
    if (file) replaceExecutionSection(fs.readFileSync(file, 'utf8'), '', file);
    let m;
    try {
      m = loadPriceMatrix(engine!.db, universe);
    } catch (e) {
      if (e instanceof UnknownUniverseError) throw new UsageError(e.message);
      throw e;
    }
    const evaluation = await evaluateExecution({
      m,
      commission: cost,
      impact: bookValue === undefined ? {} : { bookValue },
      cfg: resolveExecutionConfig(preset),
      seeds: Array.from({ length: seeds }, (_, i) => i + 1),
      ...(args.quiet ? {} : { onLine: (l: string) => io.err(l) }),
    });
    const command = [
      'npm run hdrl -- execution',
      `--universe ${universe}`,
      `--seeds ${seeds}`,
      `--preset ${preset}`,
      ...(args.cost !== undefined ? [`--cost ${cost}`] : []),
      ...(bookValue !== undefined ? [`--book-value ${bookValue}`] : []),
      ...(file ? [`--markdown ${path.relative(process.cwd(), file)}`] : []),
    ].join(' ');
    const md = executionMarkdown(evaluation, command);
    io.out(md);
    if (file) fs.writeFileSync(file, replaceExecutionSection(fs.readFileSync(file, 'utf8'), md, file));
    return 0;
  },
};
