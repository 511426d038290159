/**
 * What a backtest's learned strategies read from its database besides prices:
 * - their trained models: the files next to the database (store/models.ts, `hdrl-data/models/`), installed as each
 *   learned family's model store before the first run, so a model trained once for a config, data and seed is reused
 *   by every later run and process. One place lists every family's store; a new learned family adds its line here.
 * - the universe's stored news, which MPLS's sentiment module reads: handed to each run through its context
 *   (StrategyContext.news, {@link runNews}), never installed globally, so two engines in one process each read
 *   their own database.
 * - other universes' stored closes, which the learned three-level Level 1 reads as macro series: handed over the
 *   same way (StrategyContext.series, {@link runSeries}).
 */
import type { SentimentInput } from '../agents/mpls/sentiment';
import type { DB } from '../store/db';
import { modelsDir } from '../store/models';
import { sentimentInput } from '../store/news';
import type { PriceMatrix } from '../market/prices';
import { listUniverses, loadPriceMatrix, UnknownUniverseError } from '../store/prices';
import type { SeriesReader } from '../strategies/types';

/** Install every learned family's file store in the database's models folder (nothing for an in-memory database). */
export async function installModelStores(db: DB): Promise<void> {
  const dir = modelsDir(db);
  if (!dir) return;
  const [samp, eiie, ppn, lhs, maps, hadaps, threeLevel, mpls, files] = await Promise.all([
    import('../strategies/samp'),
    import('../strategies/eiie'),
    import('../strategies/ppn'),
    import('../strategies/lhs'),
    import('../strategies/maps'),
    import('../strategies/hadaps'),
    import('../strategies/threelevel'),
    import('../strategies/mpls'),
    import('../store/models'),
  ]);
  samp.setSampModelStore(files.fileModelStore(dir));
  eiie.setEiieModelStore(files.fileEiieModelStore(dir));
  ppn.setPpnModelStore(files.filePpnModelStore(dir));
  lhs.setLhsModelStore(files.fileLhsModelStore(dir));
  maps.setMapsModelStore(files.fileMapsModelStore(dir));
  hadaps.setHadapsModelStore(files.fileHadapsModelStore(dir));
  threeLevel.setThreeLevelModelStore(files.fileThreeLevelModelStore(dir));
  mpls.setMplsModelStore(files.fileMplsModelStore(dir));
}

/**
 * A run's news reader (StrategyContext.news) over a universe of `db`: read on the first call and kept, so every run
 * of one backtest reads the same news. A universe the database does not hold (a backtest over prices given
 * directly) has no stored news: it reads as none imported, which turns the sentiment module off and says why.
 */
export function runNews(db: DB, universe: string): () => SentimentInput {
  let read: SentimentInput | undefined;
  return () => {
    if (!read) {
      try {
        read = sentimentInput(db, universe);
      } catch (e) {
        if (!(e instanceof UnknownUniverseError)) throw e;
        read = { universe, total: 0, unscored: 0, items: [] };
      }
    }
    return read;
  };
}

/**
 * A run's reader of other universes (StrategyContext.series) over `db`: each universe's closes read on its first
 * call and kept, so every run of one backtest reads the same series; a universe the database does not hold reads as
 * undefined.
 */
export function runSeries(db: DB): SeriesReader {
  const kept = new Map<string, PriceMatrix | undefined>();
  return {
    read(universe) {
      if (!kept.has(universe)) {
        try {
          kept.set(universe, loadPriceMatrix(db, universe));
        } catch (e) {
          if (!(e instanceof UnknownUniverseError)) throw e;
          kept.set(universe, undefined);
        }
      }
      return kept.get(universe);
    },
    universes: () => listUniverses(db).map((u) => u.id),
  };
}
