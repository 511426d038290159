/**
 * src-renderer/src/components/attributionBars.ts, the "what moved this output" chart of HADAPS's layers and MPLS's
 * agents in the Agents view: the ten largest attributions by size with the largest on top, gains green and losses
 * red, the caller's labels and look, and no chart for an output the explanation does not have.
 */
import { describe, expect, it } from 'vitest';
import { attributionBars } from '../../src-renderer/src/components/attributionBars';
import { pp } from '../../src-renderer/src/format';

const outputs = [
  {
    output: 'Tech',
    fx: 0.3,
    values: Array.from({ length: 12 }, (_, i) => ({ player: `p${i}`, value: (i % 2 ? -1 : 1) * (i + 1) * 1e-3 })),
  },
  { output: 'Energy', fx: 0.1, values: [{ player: 'held', value: 0.02 }] },
];

describe('attributionBars', () => {
  it('keeps the ten largest by size, smallest first so the largest is drawn on top', () => {
    const b = attributionBars(outputs, 'Tech', (p) => `${p} path`, { left: 170, digits: 2 })!;
    expect(b.o).toBe(outputs[0]);
    expect(b.bars).toBe(10);
    const opt = b.option;
    expect(opt.yAxis.data).toEqual([
      'p2 path',
      'p3 path',
      'p4 path',
      'p5 path',
      'p6 path',
      'p7 path',
      'p8 path',
      'p9 path',
      'p10 path',
      'p11 path',
    ]);
    expect(opt.series[0]!.data.map((d) => d.value)).toEqual(
      [3, -4, 5, -6, 7, -8, 9, -10, 11, -12].map((x) => x * 1e-3),
    );
    expect(opt.series[0]!.data.map((d) => d.itemStyle.color)).toEqual(
      [3, -4, 5, -6, 7, -8, 9, -10, 11, -12].map((x) => (x >= 0 ? '#0f9d76' : '#c62828')),
    );
    expect(opt.grid.left).toBe(170);
    expect(opt.series[0]!.label.formatter({ value: 0.01234 })).toBe(pp(0.01234, 2));
  });

  it('labels the bars with the decimals asked for and names the output in the tooltip', () => {
    const two = attributionBars(outputs, 'Energy', (p) => p, { left: 150, digits: 2 })!.option;
    const one = attributionBars(outputs, 'Energy', (p) => p, { left: 150, digits: 1 })!.option;
    expect(two.series[0]!.label.formatter({ value: 0.01234 })).toBe(pp(0.01234, 2));
    expect(one.series[0]!.label.formatter({ value: 0.01234 })).toBe(pp(0.01234, 1));
    expect(pp(0.01234, 1)).not.toBe(pp(0.01234, 2));
    expect(one.tooltip.formatter({ name: 'held', value: 0.02 })).toMatch(/^held: .* on Energy$/);
    expect(one.grid.left).toBe(150);
  });

  it('gives no chart for an output that is not there, or no outputs at all', () => {
    expect(attributionBars(outputs, 'Health', (p) => p, { left: 150, digits: 1 })).toBeNull();
    expect(attributionBars(undefined, 'Tech', (p) => p, { left: 150, digits: 1 })).toBeNull();
  });
});
