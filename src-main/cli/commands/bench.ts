/**
 * `hdrl bench`: runs every bench/*.bench.ts (each exports `run(): Promise<BenchFigure[]>`) and writes the figures,
 * with the machine they were measured on and the command, to BENCHMARKS.md. Benchmarks never run in the test suite.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { APP_ROOT, getCodeVersion } from '../../version';
import type { CliCommand } from '../types';

export interface BenchFigure {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1000) return v.toLocaleString('en-US', { maximumFractionDigits: 0 });
  if (a >= 10) return v.toFixed(1);
  if (a >= 0.01) return v.toFixed(3);
  return v.toPrecision(3);
}

export const benchCommand: CliCommand = {
  name: 'bench',
  summary: 'run the benchmarks in bench/ and write BENCHMARKS.md',
  usage: '[--only NAME] [--out FILE] [--json FILE]',
  options: { only: { type: 'string' }, out: { type: 'string' }, json: { type: 'string' } },
  needsEngine: false,
  async run({ args, io }) {
    const dir = path.join(APP_ROOT, 'bench');
    const files = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.bench.ts') && (!args.only || f.startsWith(String(args.only))))
      .sort();
    const sections: string[] = [];
    const measured: { bench: string; figures: BenchFigure[] }[] = [];
    let failed = 0;
    for (const f of files) {
      io.out(`bench ${f} ...`);
      const mod = (await import(pathToFileURL(path.join(dir, f)).href)) as {
        run: () => Promise<BenchFigure[]>;
        title?: string;
      };
      const t0 = Date.now();
      try {
        const figures = await mod.run();
        measured.push({ bench: f.replace('.bench.ts', ''), figures });
        const rows = figures.map((x) => `| ${x.name} | ${fmt(x.value)} | ${x.unit} | ${x.note ?? ''} |`);
        sections.push(
          `## ${mod.title ?? f.replace('.bench.ts', '')}\n\n| measure | value | unit | note |\n|---|---:|---|---|\n${rows.join('\n')}\n\n(${((Date.now() - t0) / 1000).toFixed(1)} s, \`npm run bench -- --only ${f.replace('.bench.ts', '')}\`)`,
        );
        for (const x of figures) io.out(`  ${x.name}: ${fmt(x.value)} ${x.unit}${x.note ? ` (${x.note})` : ''}`);
      } catch (e) {
        failed++;
        io.err(`  failed: ${(e as Error).message}`);
        sections.push(`## ${f}\n\nfailed: ${(e as Error).message}`);
      }
    }
    const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
    const header = `# Benchmarks\n\nWritten by \`npm run bench\` (${new Date().toISOString().slice(0, 10)}, code ${getCodeVersion()}) on ${os.cpus().length} x ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}, ${os.platform()}/${os.arch()}. Figures are single measurements on that machine unless a note says otherwise.\n`;
    if (args.json) {
      // every figure of this run, machine-readable (NaN, e.g. a comparison that could not run, becomes null)
      const file = path.resolve(String(args.json));
      fs.writeFileSync(
        file,
        JSON.stringify(
          { date: new Date().toISOString(), code: getCodeVersion(), cpus: os.cpus().length, cpu, benches: measured },
          null,
          2,
        ) + '\n',
      );
      io.out(`wrote ${file}`);
    }
    const out = path.resolve(APP_ROOT, String(args.out ?? 'BENCHMARKS.md'));
    if (!args.only) fs.writeFileSync(out, [header, ...sections].join('\n\n') + '\n');
    else io.out('(--only: BENCHMARKS.md left unchanged)');
    io.out(args.only ? 'done' : `wrote ${out}`);
    return failed ? 1 : 0;
  },
};
