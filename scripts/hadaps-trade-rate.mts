/**
 * `node --import tsx/esm scripts/hadaps-trade-rate.mts --db PATH --from DATE --to DATE [--rates 1,0.5,0.25,0.1]`:
 * the HADAPS models stored next to a database, each decided over a test window with its policy's target traded at
 * several trade rates (the trade rule with the model's no-trade band, agents/samp/trading.ts bandedPartialTrade), at 0.1% costs: net
 * Sharpe, cumulative return and mean daily one-way turnover per rate. A decision-time measurement (the models were
 * trained with whatever rate their config says); docs/hadaps.md "Cost control" cites it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseHadapsArtifacts } from '../src-main/agents/hadaps/artifacts';
import { hadapsStates } from '../src-main/agents/hadaps/features';
import { HadapsPolicy } from '../src-main/agents/hadaps/policy';
import { simulate } from '../src-main/market/simulate';
import type { MarketView } from '../src-main/market/view';
import { openDatabase } from '../src-main/store/db';
import { modelsDir } from '../src-main/store/models';
import { loadPriceMatrix } from '../src-main/store/prices';
import { hadapsTrade, layoutOf } from '../src-main/strategies/hadaps';
import { HeldBook } from '../src-main/strategies/trained';

const { values } = parseArgs({
  options: {
    db: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    universe: { type: 'string', default: 'djia30' },
    rates: { type: 'string', default: '1,0.5,0.25,0.1' },
  },
});
if (!values.db || !values.from || !values.to) {
  console.error('usage: hadaps-trade-rate.mts --db PATH --from DATE --to DATE [--universe ID] [--rates 1,0.5,...]');
  process.exit(2);
}
const db = openDatabase(values.db);
const prices = loadPriceMatrix(db, values.universe!);
const dir = modelsDir(db);
if (!dir) throw new Error('the database has no models folder');
const t0 = prices.dates.findIndex((d) => d >= values.from!);
let t1 = -1;
prices.dates.forEach((d, i) => (d <= values.to! ? (t1 = i) : undefined));
const rates = values.rates!.split(',').map(Number);
const tickers = prices.tickers;
const n = tickers.length;
console.log(
  '| model | trained to | reward | trained trade rate | trade rate | net Sharpe | cumulative return | turnover a day |',
);
console.log('|---|---|---|---|---|---|---|---|');
for (const f of fs.readdirSync(dir).filter((x) => x.startsWith('hadaps-'))) {
  const m = parseHadapsArtifacts(fs.readFileSync(path.join(dir, f), 'utf8'));
  if (m.model.trainedTo >= values.from! || m.tickers.join() !== tickers.join()) continue;
  const sh = { n, layout: layoutOf(m, tickers), cfg: m.cfg };
  const policy = await HadapsPolicy.open(m.onnx, sh);
  for (const rate of rates) {
    const book = new HeldBook(n);
    const inst = {
      decide(view: MarketView) {
        const held = book.held(view);
        const st = hadapsStates((d) => view.closes(d), view.t, n, m.cfg.window, m.norm);
        const out = policy.run(st.p, st.v, Float32Array.from(held));
        const w = hadapsTrade(out.weights, held, { noTradeBand: m.cfg.noTradeBand, tradeRate: rate });
        book.record(w, view.t);
        return w;
      },
    };
    const sim = simulate(prices, inst, { strategyId: 'hadaps', testStart: t0, testEnd: t1 });
    const r = Array.from(sim.ret).slice(1);
    const mean = r.reduce((a, b) => a + b, 0) / r.length;
    const sd = Math.sqrt(r.reduce((a, b) => a + (b - mean) ** 2, 0) / (r.length - 1));
    const to = Array.from(sim.turnover).slice(1);
    const cum = sim.value[sim.value.length - 1]! - 1;
    console.log(
      `| ${m.model.key.slice(0, 12)} | ${m.model.trainedTo} | ${m.cfg.reward} | ${m.cfg.tradeRate} | ${rate} | ${((mean / sd) * Math.sqrt(252)).toFixed(2)} | ${(cum * 100).toFixed(1)}% | ${((to.reduce((a, b) => a + b, 0) / to.length) * 100).toFixed(1)}% |`,
    );
  }
  await policy.dispose();
}
