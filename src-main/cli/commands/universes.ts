/** `hdrl universes`: every universe with its id, name, asset count and aligned date range. */
import { listUniverses } from '../../store/prices';
import type { CliCommand } from '../types';

export const universesCommand: CliCommand = {
  name: 'universes',
  summary: 'list universes: id, name, asset count, date range where every member has data',
  usage: '[--json]',
  options: { json: { type: 'boolean' } },
  async run({ args, engine, io }) {
    const us = listUniverses(engine!.db);
    if (args.json) {
      io.out(JSON.stringify(us, null, 2));
      return 0;
    }
    if (!us.length) {
      io.out('no universes (import one with `hdrl import FILE --universe NAME`)');
      return 0;
    }
    const w = Math.max(2, ...us.map((u) => u.id.length));
    const nw = Math.max(4, ...us.map((u) => u.name.length));
    io.out(`${'id'.padEnd(w)}  ${'name'.padEnd(nw)}  assets  from        to`);
    for (const u of us)
      io.out(
        `${u.id.padEnd(w)}  ${u.name.padEnd(nw)}  ${String(u.assetCount).padStart(6)}  ${(u.from ?? '-').padEnd(10)}  ${u.to ?? '-'}`,
      );
    return 0;
  },
};
