/**
 * The application's import graph has no cycle: a module and everything it imports can be read, tested and moved
 * without the modules that import it. A cycle fails with the path that closes it. The graph builder and the cycle
 * finder are tried on made-up sources first, so the test cannot pass by seeing no imports.
 */
import { describe, expect, it } from 'vitest';
import { buildImportGraph, findCycles, importsOf, type ImportGraph } from './importGraph';

const graphOf = (edges: Record<string, string[]>): ImportGraph => new Map(Object.entries(edges));

describe('import cycles', () => {
  it('reads every kind of import, type-only and dynamic ones included', () => {
    const source = [
      "import { openDatabase } from '../store/db';",
      "import type { PriceMatrix } from '../market/prices';",
      "export { sharpe } from '../metrics';",
      "export type { MarketView } from '../market/view';",
      "const samp = () => import('../strategies/samp');",
      "type R = import('../backtest/run').BacktestRequest;",
      "import fs from 'node:fs';",
      "// import { no } from '../jobs/kinds';",
    ].join('\n');
    expect(importsOf('src-main/data/x.ts', source).sort()).toEqual([
      'src-main/backtest/run.ts',
      'src-main/market/prices.ts',
      'src-main/market/view.ts',
      'src-main/metrics/index.ts',
      'src-main/store/db.ts',
      'src-main/strategies/samp/index.ts',
    ]);
    const vue = `<template><div/></template>\n<script setup lang="ts">\nimport { api } from '../api/client';\nimport type { RunSummary } from '@shared/contract/runs';\n</script>`;
    expect(importsOf('src-renderer/src/views/X.vue', vue).sort()).toEqual([
      'src-renderer/src/api/client.ts',
      'src-shared/contract/runs.ts',
    ]);
  });

  it('finds a cycle and names the path that closes it', () => {
    expect(findCycles(graphOf({ a: ['b'], b: ['c'], c: [] }))).toEqual([]);
    expect(findCycles(graphOf({ a: ['b'], b: ['c'], c: ['a'], d: ['a'] }))).toEqual([['a', 'b', 'c', 'a']]);
    expect(findCycles(graphOf({ a: ['a'] }))).toEqual([['a', 'a']]);
    expect(findCycles(graphOf({ a: ['b'], b: ['a'], c: ['d'], d: ['c'] }))).toEqual([
      ['a', 'b', 'a'],
      ['c', 'd', 'c'],
    ]);
  });

  it('the sources have no import cycle', () => {
    const graph = buildImportGraph();
    expect(graph.size).toBeGreaterThan(200);
    expect([...graph.values()].reduce((n, e) => n + e.length, 0)).toBeGreaterThan(500);
    const cycles = findCycles(graph).map((c) => c.join(' -> '));
    expect(cycles, `import cycles:\n${cycles.join('\n')}`).toEqual([]);
  });
});
