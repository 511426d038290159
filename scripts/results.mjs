#!/usr/bin/env node
// `npm run results [-- --only NAME[,NAME] --db PATH --workers N]`: the evaluations behind the results documents,
// each one `hdrl backtest` command that writes its own document (the command is printed at the document's top):
//
//   headline  docs/results.md           samp protocol (test 1998, 1999, 2000), 10 seeds: SAMP-HDRL, the flat
//                                        DDPG agent and every classic baseline
//   rolling   docs/results-rolling.md   rolling protocol (test 1994..2000, seven windows), 5 seeds: SAMP-HDRL and
//                                        every classic baseline
//   variants  docs/results-variants.md  samp protocol, 5 seeds: SAMP-HDRL beside each change of issue 15 switched
//                                        off alone (split rule, rebound gate, holdings, band, penalty, scaling)
//
// Trained models are stored next to the database and reused, so the evaluations can be run one at a time, and an
// interrupted one resumes where its training stopped. Run from the project root.
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const LEARNED = 'samp-hdrl,ddpg-flat';
const VARIANTS = [
  'samp-hdrl',
  'samp-hdrl/fixed-temperature',
  'samp-hdrl/rebound-gate',
  'samp-hdrl/no-holdings',
  'samp-hdrl/no-band',
  'samp-hdrl/no-turnover-penalty',
  'samp-hdrl/rebased-features',
  'crp',
  'ubah',
].join(',');

export const EVALUATIONS = {
  headline: [
    '--protocol',
    'samp',
    '--strategy',
    `${LEARNED},classic`,
    '--seeds',
    '10',
    '--markdown',
    'docs/results.md',
  ],
  rolling: [
    '--protocol',
    'rolling',
    '--strategy',
    'samp-hdrl,classic',
    '--seeds',
    '5',
    '--markdown',
    'docs/results-rolling.md',
  ],
  variants: ['--protocol', 'samp', '--strategy', VARIANTS, '--seeds', '5', '--markdown', 'docs/results-variants.md'],
};

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    db: { type: 'string' },
    workers: { type: 'string', default: '2' },
  },
});
const names = values.only ? values.only.split(',').map((s) => s.trim()) : Object.keys(EVALUATIONS);
for (const n of names) {
  if (!(n in EVALUATIONS)) {
    console.error(`results: unknown evaluation "${n}" (use ${Object.keys(EVALUATIONS).join(', ')})`);
    process.exit(2);
  }
}
for (const n of names) {
  const args = [
    'bin/hdrl.mjs',
    ...(values.db ? ['--db', values.db] : []),
    'backtest',
    '--universe',
    'djia30',
    '--preset',
    'standard',
    '--workers',
    values.workers,
    ...EVALUATIONS[n],
  ];
  console.error(`results: ${n}: hdrl ${args.slice(1).join(' ')}`);
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) {
    console.error(`results: ${n} failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
}
