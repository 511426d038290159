/**
 * `hdrl bench --only NAME` puts the measured bench's section in place of its old one in BENCHMARKS.md (cli/commands/
 * bench.ts spliceBenchSection): from the section's heading through its closing "(N s, `npm run bench -- --only
 * NAME`)" line, keeping what is written under it and every other section; a bench without a section is appended.
 */
import { describe, expect, it } from 'vitest';
import { spliceBenchSection } from '../../src-main/cli/commands/bench';

const DOC = [
  '# Benchmarks',
  '',
  'Written by `npm run bench` (2026-11-22).',
  '',
  '## samp',
  '',
  '| measure | value | unit | note |',
  '| a | 1 | ms | |',
  '',
  '(2.9 s, `npm run bench -- --only samp`)',
  '',
  '### A note written under the section',
  '',
  'kept',
  '',
  '## training (DDPG)',
  '',
  '| b | 2 | ms | |',
  '',
  '(9.0 s, `npm run bench -- --only training`)',
  '',
].join('\n');

describe('bench sections', () => {
  it('replaces a section through its closing line, keeping the notes under it and the other sections', () => {
    const next = '## samp\n\n| a | 0.5 | ms | |\n\n(1.2 s, `npm run bench -- --only samp`, run alone on 2026-11-27)';
    const out = spliceBenchSection(DOC, 'samp', 'samp', next);
    expect(out).toContain(next);
    expect(out).not.toContain('| a | 1 | ms | |');
    expect(out).toContain('### A note written under the section\n\nkept');
    expect(out).toContain('(9.0 s, `npm run bench -- --only training`)');
    expect(out.startsWith('# Benchmarks\n\nWritten by')).toBe(true);
    // the replaced section's own closing line can be replaced again
    expect(spliceBenchSection(out, 'samp', 'samp', '## samp\n\n(0.1 s, `npm run bench -- --only samp`)')).toContain(
      '## samp\n\n(0.1 s, `npm run bench -- --only samp`)\n\n### A note',
    );
  });

  it('appends a bench that has no section yet, and replaces the last one', () => {
    const added = spliceBenchSection(DOC, 'HADAPS', 'hadaps', '## HADAPS\n\n(3.0 s, `npm run bench -- --only hadaps`)');
    expect(added.startsWith(DOC.trimEnd())).toBe(true);
    expect(added.endsWith('\n\n## HADAPS\n\n(3.0 s, `npm run bench -- --only hadaps`)\n')).toBe(true);
    const last = spliceBenchSection(
      DOC,
      'training (DDPG)',
      'training',
      '## training (DDPG)\n\n(1.0 s, `npm run bench -- --only training`)',
    );
    expect(last).toContain('## training (DDPG)\n\n(1.0 s, `npm run bench -- --only training`)\n');
    expect(last).not.toContain('| b | 2 |');
  });
});
