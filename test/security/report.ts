/**
 * `npm run security`: runs the security suite (harness.ts, the same cases and judgement as security.test.ts) and
 * writes docs/security.md — per surface how many cases were tried, rejected cleanly, crashed or lost data, then
 * every case with its outcome. Exit status 1 when any case is not rejected cleanly or a harness control fails.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SURFACES } from './cases';
import { ROOT, runSecuritySuite, type Outcome, type SuiteResult } from './harness';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function verdict(o: Outcome): string {
  if (o.clean) return 'rejected cleanly';
  return [
    o.crashed ? 'CRASHED' : '',
    o.dataLost ? 'DATA LOST' : '',
    !o.crashed && !o.dataLost ? 'NOT REJECTED CLEANLY' : '',
  ]
    .filter(Boolean)
    .join(', ');
}

/** The document: a summary table, then one table of cases per surface. */
export function markdown(r: SuiteResult): string {
  const lines = [
    '# Security suite',
    '',
    'Written by `npm run security` (test/security/report.ts); `npm test` runs the same cases (test/security/security.test.ts)',
    'and fails on any case below that is not rejected cleanly. The cases live in test/security/cases.ts and',
    'test/security/files.ts; the harness (test/security/harness.ts) sends them from the outside, on copies of a',
    'database holding the bundled DJIA universe:',
    '',
    '- **host**: hostile requests written as raw bytes to a socket of the headless host, which runs in its own process;',
    "- **dispatch**: hostile calls of the service dispatcher with the browser's caller (what the host passes on), in",
    '  its own process — path cases and every malformed file uploaded as the browser uploads it;',
    '- **cli**: hostile `hdrl` command lines (`node bin/hdrl.mjs --db COPY ...`), two imports writing to one database',
    '  at once, and the malformed files marked `cli` in files.ts (those the issue names and those that reach the write',
    '  path) given to `hdrl import`, which tries to commit them (a CLI process costs seconds, so not all of them).',
    '',
    'A case is **rejected cleanly** when the answer is the one it expects: a 4xx with a readable message that leaks',
    'neither the token nor a file (host); an error other than INTERNAL with a message, or an import preview with an',
    'error problem carrying a code and, where the case says so, its line (dispatch); a non-zero exit status with a',
    'message that says why, and for files a `file:line:col: error:` problem (cli). It **crashed** when the host or',
    'dispatcher process stopped answering or printed a stack trace, a handler failed with INTERNAL, or the CLI was',
    'killed by a signal, hung, or printed a stack trace. It **lost data** when a content hash of the stored bars,',
    'assets, universes, memberships, import batches and universe ranges differs from the hash before the case.',
    '',
    '| surface | tried | rejected cleanly | crashed | data lost |',
    '|---|---:|---:|---:|---:|',
  ];
  for (const s of SURFACES) {
    const os = r.outcomes.filter((o) => o.surface === s.id);
    lines.push(
      `| ${s.title} | ${os.length} | ${os.filter((o) => o.clean).length} | ${os.filter((o) => o.crashed).length} | ${os.filter((o) => o.dataLost).length} |`,
    );
  }
  const all = r.outcomes;
  lines.push(
    `| **all** | ${all.length} | ${all.filter((o) => o.clean).length} | ${all.filter((o) => o.crashed).length} | ${all.filter((o) => o.dataLost).length} |`,
  );
  const failed = r.controls.filter((c) => !c.ok);
  lines.push(
    '',
    `Harness controls (valid requests that must succeed, so that the refusals above are not a broken setup): ${failed.length ? `**${failed.length} failed**: ${failed.map((c) => c.what).join('; ')}` : `all ${r.controls.length} passed`}.`,
  );
  for (const s of SURFACES) {
    lines.push(
      '',
      `## ${s.title}`,
      '',
      '| case | what is sent | rejected cleanly means | outcome |',
      '|---|---|---|---|',
    );
    for (const o of r.outcomes.filter((x) => x.surface === s.id))
      lines.push(
        `| \`${o.id}\` | ${cell(o.title)} | ${cell(o.expect)} | ${cell(verdict(o) + (o.detail ? `: ${o.detail}` : ''))} |`,
      );
  }
  return lines.join('\n') + '\n';
}

export async function main(): Promise<number> {
  const r = await runSecuritySuite();
  const file = path.join(ROOT, 'docs', 'security.md');
  fs.writeFileSync(file, markdown(r));
  const bad = r.outcomes.filter((o) => !o.clean);
  for (const o of bad) process.stdout.write(`${o.surface} ${o.id}: ${verdict(o)}: ${o.detail}\n`);
  for (const c of r.controls.filter((x) => !x.ok)) process.stdout.write(`control failed: ${c.what}: ${c.detail}\n`);
  process.stdout.write(
    `${r.outcomes.length} cases, ${r.outcomes.length - bad.length} rejected cleanly, ${r.outcomes.filter((o) => o.crashed).length} crashed, ${r.outcomes.filter((o) => o.dataLost).length} lost data; wrote ${path.relative(ROOT, file)}\n`,
  );
  return bad.length || r.controls.some((c) => !c.ok) ? 1 : 0;
}
