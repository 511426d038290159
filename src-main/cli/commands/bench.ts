/**
 * `hdrl bench`: runs every bench/*.bench.ts (each exports `run(): Promise<BenchFigure[]>`) and writes the figures,
 * with the machine they were measured on and the command, to BENCHMARKS.md; `--only NAME` runs the benches whose
 * file name starts with NAME and puts their sections in place of the old ones (with the date, the code and the
 * machine of that run), leaving the rest of the file as it is. Benchmarks never run in the test suite.
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

/**
 * `doc` (a BENCHMARKS.md) with the section of bench `name` replaced by `section`: from its `## title` line through its
 * closing line "(N s, `npm run bench -- --only NAME`...)" — what follows that line (notes written under a section)
 * stays; a bench without a section yet is appended.
 */
export function spliceBenchSection(doc: string, title: string, name: string, section: string): string {
  const head = `## ${title}\n`;
  const at = doc.startsWith(head) ? 0 : doc.indexOf(`\n${head}`);
  const start = at <= 0 ? at : at + 1;
  const esc = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const footer = new RegExp(`\\(\\d+(?:\\.\\d+)? s, \`npm run bench -- --only ${esc}\`[^\\n]*\\)`);
  const m = start >= 0 ? footer.exec(doc.slice(start)) : null;
  if (!m) return `${doc.replace(/\n*$/, '')}\n\n${section}\n`;
  return doc.slice(0, start) + section + doc.slice(start + m.index + m[0].length);
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
    /** with --only: each measured bench's section, to be put in place of its old one */
    const alone: { name: string; title: string; text: string }[] = [];
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
        const name = f.replace('.bench.ts', '');
        const title = mod.title ?? name;
        const table = `## ${title}\n\n| measure | value | unit | note |\n|---|---:|---|---|\n${rows.join('\n')}\n\n`;
        const secs = ((Date.now() - t0) / 1000).toFixed(1);
        sections.push(`${table}(${secs} s, \`npm run bench -- --only ${name}\`)`);
        alone.push({
          name,
          title,
          text: `${table}(${secs} s, \`npm run bench -- --only ${name}\`, run alone on ${new Date().toISOString().slice(0, 10)}, code ${getCodeVersion()}, ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'unknown CPU'})`,
        });
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
    if (!args.only) {
      fs.writeFileSync(out, [header, ...sections].join('\n\n') + '\n');
      io.out(`wrote ${out}`);
    } else if (alone.length && fs.existsSync(out)) {
      // --only: the measured benches' sections are replaced in place, the rest of the file is left as it is
      let doc = fs.readFileSync(out, 'utf8');
      for (const a of alone) doc = spliceBenchSection(doc, a.title, a.name, a.text);
      fs.writeFileSync(out, doc);
      io.out(`updated ${alone.map((a) => a.name).join(', ')} in ${out}`);
    } else io.out(alone.length ? `(--only: no ${out} to update)` : 'done');
    return failed ? 1 : 0;
  },
};
