/**
 * The bar chart the Agents view draws for what moved one output of an explained policy (HADAPS's layers, MPLS's
 * agents): the ten largest attributions by size, largest on top, gains green and losses red, in percentage points.
 */
import { pp } from '../format';

/** One explained output as explain.get stores it: its name and each player's attribution. */
export interface AttributedOutput {
  output: string;
  values: readonly { player: string; value: number }[];
}

/**
 * The chart of `output` among `outputs` (null when there is no such output) and how many bars it has. `name` turns
 * a player into its label, `left` is the room for those labels in pixels, `digits` the decimals on the bars.
 */
export function attributionBars<O extends AttributedOutput>(
  outputs: readonly O[] | undefined,
  output: string,
  name: (player: string) => string,
  look: { left: number; digits: number },
) {
  const o = outputs?.find((x) => x.output === output);
  if (!o) return null;
  const rows = [...o.values]
    .sort((a, b) => Math.abs(b.value) - Math.abs(a.value))
    .slice(0, 10)
    .reverse();
  return {
    o,
    bars: rows.length,
    option: {
      animation: false,
      grid: { left: look.left, right: 60, top: 6, bottom: 20 },
      tooltip: {
        trigger: 'item',
        formatter: (p: { name: string; value: number }) => `${p.name}: ${pp(p.value, 2)} on ${output}`,
      },
      xAxis: { type: 'value', splitNumber: 4, axisLabel: { hideOverlap: true, formatter: (v: number) => pp(v, 1) } },
      yAxis: { type: 'category', data: rows.map((r) => name(r.player)) },
      series: [
        {
          type: 'bar',
          data: rows.map((r) => ({ value: r.value, itemStyle: { color: r.value >= 0 ? '#0f9d76' : '#c62828' } })),
          label: { show: true, position: 'right', formatter: (p: { value: number }) => pp(p.value, look.digits) },
        },
      ],
    },
  };
}
