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
//   hadaps    docs/results-hadaps.md    samp protocol, 5 seeds: HADAPS, its net-log-return reward, the paper's three
//                                        ablations (SAC flat, SAC+Intra, SAC+Inter), equal weight (crp) and ubah
//   hadaps-volatile, hadaps-calm         the same on the paper's sector scenarios (--scenario volatile-sectors /
//             docs/results-hadaps-volatile.md, docs/results-hadaps-calm.md      calm-sectors)
//   hadaps-sweep  docs/results-hadaps-sweep.md  samp protocol, volatile-sectors scenario, 5 seeds: the action-scale
//                                        sweep hadaps-beta/1..10 beside equal weight
//   hadaps-sweep-calm  docs/results-hadaps-sweep-calm.md  the same sweep on the calm-sectors scenario
//   hadaps-sweep-djia  docs/results-hadaps-sweep-djia.md  samp protocol on all of DJIA 30 (the three regimes of the
//                                        hadaps document), 5 seeds: six points of the sweep (beta 1, 2, 3, 5, 7,
//                                        10) beside equal weight; all ten betas would take about 9 CPU-hours here
//   hadaps-monthly  docs/results-hadaps-monthly.md  the paper's protocol (2 years train, 1 month test, monthly) over
//                                        2000, volatile-sectors scenario, 3 seeds: cold against warm-started retraining
//   mpls      docs/results-mpls.md      mpls protocol (70/10/20: validation on the 10%, test on the last 20%), 5 seeds:
//                                        MPLS, its module ablations, single-agent PPO, mean-variance, equal weight, ubah
//   mpls-samp  docs/results-mpls-samp.md  samp protocol (test 1998, 1999, 2000), 5 seeds: MPLS beside single-agent
//                                        PPO and equal weight, for comparison with the other strategies' documents
//   baselines  docs/results-baselines.md  samp protocol, 5 seeds: the learned baselines of issue 21 (EIIE with its CNN,
//                                        RNN and LSTM evaluators and the CNN learning online in the test window,
//                                        PPN, the flat DDPG, TD3, SAC, PPO and A2C agents, the
//                                        MLP and CNN Long/Hold/Short classifiers, MAPS) beside SAMP-HDRL and the
//                                        classic baselines (equal weight and ubah among them)
//   three-level  docs/results-three-level.md  samp protocol, 5 seeds: the three-level hierarchy, its learned-strategic
//                                        and jointly trained (three-level/joint) variants and every ablation
//                                        (three-level/*, the flat agent included) beside equal weight and ubah
//   three-level-impact  docs/results-three-level-impact.md  the same with the half-spread and square-root impact
//                                        model charged to every strategy (--impact, its default settings)
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

const HADAPS = 'hadaps,hadaps/log-reward,hadaps/flat,hadaps/intra,hadaps/inter,crp,ubah';

/**
 * MPLS beside its paper's baselines (single-agent PPO, mean-variance, equal weight). On the bundled data, which has no
 * news, the sentiment module is off in every id, so mpls/no-sentiment is mpls and the pair ablations are the single
 * ones (volatility-only = no-graph, graph-only = no-volatility): only the distinct ones are trained.
 */
const MPLS = 'mpls,mpls/no-volatility,mpls/no-graph,ppo-flat,meanvar,crp,ubah';
/**
 * The learned baselines a reviewer expects (docs/drl-baselines.md) beside SAMP-HDRL and the classic baselines, with
 * equal weight and buy and hold (crp and ubah are among the classic ones).
 */
const BASELINES = [
  'samp-hdrl',
  'eiie',
  'eiie/rnn',
  'eiie/lstm',
  'eiie/online',
  'ppn',
  'ddpg-flat',
  'td3-flat',
  'sac-flat',
  'ppo-flat',
  'a2c-flat',
  'mlp-lhs',
  'cnn-lhs',
  'maps',
  'classic',
].join(',');

/**
 * The three-level hierarchy, its learned Level 1 (trained bottom up, and with all three levels trained jointly) and its
 * ablations (docs/three-level.md), with equal weight and ubah; three-level/* holds them all (in the registry's order),
 * and three-level/joint is named as well so the list says it is there (the backtest drops the repeat).
 */
const THREE_LEVEL = 'three-level,three-level/*,three-level/joint,crp,ubah';

const hadapsOn = (scenario, file) => [
  '--protocol',
  'samp',
  '--scenario',
  scenario,
  '--strategy',
  HADAPS,
  '--seeds',
  '5',
  '--markdown',
  file,
];
/** the action-scale sweep (hadaps-beta/1..10) beside equal weight on a sector scenario, 5 seeds */
const hadapsSweepOn = (scenario, file) => [
  '--protocol',
  'samp',
  '--scenario',
  scenario,
  '--strategy',
  'hadaps-beta/*,crp',
  '--seeds',
  '5',
  '--markdown',
  file,
];

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
  hadaps: ['--protocol', 'samp', '--strategy', HADAPS, '--seeds', '5', '--markdown', 'docs/results-hadaps.md'],
  'hadaps-volatile': hadapsOn('volatile-sectors', 'docs/results-hadaps-volatile.md'),
  'hadaps-calm': hadapsOn('calm-sectors', 'docs/results-hadaps-calm.md'),
  'hadaps-monthly': [
    '--protocol',
    'hadaps',
    '--from',
    '2000-01-01',
    '--to',
    '2000-12-31',
    '--scenario',
    'volatile-sectors',
    '--strategy',
    'hadaps,hadaps/warm-start,crp',
    '--seeds',
    '3',
    '--markdown',
    'docs/results-hadaps-monthly.md',
  ],
  mpls: ['--protocol', 'mpls', '--strategy', MPLS, '--seeds', '5', '--markdown', 'docs/results-mpls.md'],
  'mpls-samp': [
    '--protocol',
    'samp',
    '--strategy',
    'mpls,ppo-flat,crp,ubah',
    '--seeds',
    '5',
    '--markdown',
    'docs/results-mpls-samp.md',
  ],
  baselines: ['--protocol', 'samp', '--strategy', BASELINES, '--seeds', '5', '--markdown', 'docs/results-baselines.md'],
  'three-level': [
    '--protocol',
    'samp',
    '--strategy',
    THREE_LEVEL,
    '--seeds',
    '5',
    '--markdown',
    'docs/results-three-level.md',
  ],
  'three-level-impact': [
    '--protocol',
    'samp',
    '--impact',
    '--strategy',
    THREE_LEVEL,
    '--seeds',
    '5',
    '--markdown',
    'docs/results-three-level-impact.md',
  ],
  'hadaps-sweep': hadapsSweepOn('volatile-sectors', 'docs/results-hadaps-sweep.md'),
  'hadaps-sweep-calm': hadapsSweepOn('calm-sectors', 'docs/results-hadaps-sweep-calm.md'),
  'hadaps-sweep-djia': [
    '--protocol',
    'samp',
    '--strategy',
    'hadaps-beta/1,hadaps-beta/2,hadaps-beta/3,hadaps-beta/5,hadaps-beta/7,hadaps-beta/10,crp',
    '--seeds',
    '5',
    '--markdown',
    'docs/results-hadaps-sweep-djia.md',
  ],
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
  // node's own flags reach the backtest (`node --single-threaded-gc scripts/results.mjs`: README "Results" says why)
  const r = spawnSync(process.execPath, [...process.execArgv, ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) {
    console.error(`results: ${n} failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
}
