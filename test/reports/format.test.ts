import { describe, expect, it } from 'vitest';
import {
  escapeHtml,
  fixed,
  flattenConfig,
  formatMetric,
  formatStat,
  heatColor,
  metricColumns,
  metricSpec,
  num,
  pct,
  pdfText,
  signedPct,
  valueText,
} from '../../src-main/reports/format';
import type { MetricsRow } from '../../src-main/reports/model';

describe('number formatting', () => {
  it('percentages, signs, no negative zero, non-finite words', () => {
    expect(pct(0.0345)).toBe('3.45%');
    expect(pct(-0.1, 1)).toBe('-10.0%');
    expect(pct(-0.00001)).toBe('0.00%');
    expect(pct(Number.NaN)).toBe('n/a');
    expect(pct(Infinity)).toBe('inf');
    expect(pct(-Infinity)).toBe('-inf');
    expect(signedPct(0.0035)).toBe('+0.35%');
    expect(signedPct(-0.012)).toBe('-1.20%');
    expect(signedPct(0.00001)).toBe('0.00%');
    expect(fixed(-0.004, 2)).toBe('0.00');
    expect(fixed(1.005, 0)).toBe('1');
  });
  it('metric units and spreads', () => {
    expect(formatMetric(1.23456, 'ratio')).toBe('1.23');
    expect(formatMetric(-0.2029, 'pct')).toBe('-20.29%');
    expect(formatMetric(110.4, 'days')).toBe('110');
    expect(formatMetric(17.25, 'count')).toBe('17.3');
    expect(formatStat({ mean: 1.5, std: 0.25 }, 'ratio')).toEqual({ mean: '1.50', std: '\u00b10.25' });
    expect(formatStat({ mean: 0.1, std: null }, 'pct')).toEqual({ mean: '10.00%', std: null });
    expect(formatStat(undefined, 'pct')).toEqual({ mean: '', std: null });
  });
  it('plain numbers with significant digits', () => {
    expect(num(0.042137, 3)).toBe('0.0421');
    expect(num(21.4, 3)).toBe('21.4');
    expect(num(-0.004, 3)).toBe('-0.00400');
    expect(num(0)).toBe('0');
    expect(num(1.5e-7, 3)).toBe('1.50e-7');
    expect(valueText(0.1 + 0.2)).toBe('0.3');
    expect(valueText(60)).toBe('60');
    expect(valueText([1, 2])).toBe('[1,2]');
    expect(valueText(null)).toBe('null');
  });
});

describe('metric columns and config', () => {
  it('orders known metrics as METRIC_NAMES, then unknown ones as first seen', () => {
    const rows: MetricsRow[] = [
      {
        strategy: 'a',
        hindsight: false,
        closeToEqualWeight: false,
        seeds: 1,
        metrics: { zeta: { mean: 1, std: null }, sharpe: { mean: 1, std: null } },
      },
      {
        strategy: 'b',
        hindsight: false,
        closeToEqualWeight: false,
        seeds: 1,
        metrics: { cumulativeReturn: { mean: 1, std: null }, alpha: { mean: 1, std: null } },
      },
    ];
    expect(metricColumns(rows)).toEqual(['cumulativeReturn', 'sharpe', 'zeta', 'alpha']);
    expect(metricSpec('informationRatio')).toMatchObject({ label: 'Information Ratio', unit: 'ratio' });
    expect(metricSpec('maxDrawdown')).toMatchObject({ label: 'Max DD', unit: 'pct' });
  });
  it('flattens nested config to dotted keys', () => {
    expect(flattenConfig({ a: 1, b: { c: 'x', d: { e: true } }, f: [1, 2], g: {} })).toEqual([
      ['a', '1'],
      ['b.c', 'x'],
      ['b.d.e', 'true'],
      ['f', '[1,2]'],
      ['g', '{}'],
    ]);
  });
});

describe('escaping and PDF text', () => {
  it('escapes the five HTML specials', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
  it('keeps WinAnsi, replaces control characters and the rest', () => {
    expect(pdfText('Caf\u00e9 \u2020\u2021 \u2026 \u00b1')).toBe('Caf\u00e9 \u2020\u2021 \u2026 \u00b1');
    expect(pdfText('a\nb\tc')).toBe('a b c');
    expect(pdfText('\u2212 \u2248 \u221e')).toBe('- ~ inf');
    expect(pdfText('\u65e5\ud83d\ude00')).toBe('??');
  });
  it('heat colours: white at zero, saturated green / red, grey for NaN', () => {
    expect(heatColor(0)).toBe('#ffffff');
    // t = 0.85 at saturation: 255 + (46 - 255) * 0.85 = 77.35 -> 77 = 0x4d; 255 + (139 - 255) * .85 = 156.4 -> 0x9c
    expect(heatColor(0.08)).toBe('#4d9c70');
    expect(heatColor(0.5)).toBe('#4d9c70');
    // towards (200, 50, 40): 255 - 55 * .85 = 208.25 -> 0xd0; 255 - 205 * .85 = 80.75 -> 0x51; 255 - 215 * .85 = 72.25 -> 0x48
    expect(heatColor(-0.08)).toBe('#d05148');
    expect(heatColor(Number.NaN)).toBe('#eeeeee');
  });
});
