/**
 * Where a backtest's learned strategies keep their trained models: the files next to the database
 * (store/models.ts, `hdrl-data/models/`), installed as each learned family's model store before the first run, so a
 * model trained once for a config, data and seed is reused by every later run and process. One place lists every
 * family's store; a new learned family adds its line here.
 */
import type { DB } from '../store/db';
import { modelsDir } from '../store/models';

/** Install every learned family's file store in the database's models folder (nothing for an in-memory database). */
export async function installModelStores(db: DB): Promise<void> {
  const dir = modelsDir(db);
  if (!dir) return;
  const [samp, eiie, ppn, lhs, maps, hadaps, threeLevel, files] = await Promise.all([
    import('../strategies/samp'),
    import('../strategies/eiie'),
    import('../strategies/ppn'),
    import('../strategies/lhs'),
    import('../strategies/maps'),
    import('../strategies/hadaps'),
    import('../strategies/threelevel'),
    import('../store/models'),
  ]);
  samp.setSampModelStore(files.fileModelStore(dir));
  eiie.setEiieModelStore(files.fileEiieModelStore(dir));
  ppn.setPpnModelStore(files.filePpnModelStore(dir));
  lhs.setLhsModelStore(files.fileLhsModelStore(dir));
  maps.setMapsModelStore(files.fileMapsModelStore(dir));
  hadaps.setHadapsModelStore(files.fileHadapsModelStore(dir));
  threeLevel.setThreeLevelModelStore(files.fileThreeLevelModelStore(dir));
}
