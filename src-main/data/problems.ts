/** Problems found while reading and checking an import, with file, line and column, capped for display. */
import type { ImportProblem } from '../../src-shared/contract/data';
import { PROBLEM_LIST_LIMIT, PROBLEMS_PER_TICKER_AND_CODE } from './settings';

export type Problem = ImportProblem;

/**
 * Collects problems. Every problem is counted; at most PROBLEMS_PER_TICKER_AND_CODE are kept per `group` (a
 * ticker or a file, with the problem code), the rest summed up in one line per group, and the final list holds
 * errors first, at most PROBLEM_LIST_LIMIT entries.
 */
export class ProblemSink {
  errors = 0;
  warnings = 0;
  private readonly kept: Problem[] = [];
  private readonly perGroup = new Map<string, { n: number; sample: Problem }>();

  add(p: Problem, group?: string): void {
    if (p.severity === 'error') this.errors++;
    else this.warnings++;
    const key = `${p.code}|${group ?? p.file}`;
    const g = this.perGroup.get(key);
    if (!g) this.perGroup.set(key, { n: 1, sample: p });
    else g.n++;
    if ((g?.n ?? 1) <= PROBLEMS_PER_TICKER_AND_CODE) this.kept.push(p);
  }

  error(code: string, file: string, line: number | null, col: number | null, message: string, group?: string): void {
    this.add({ severity: 'error', code, file, line, col, message }, group);
  }

  warning(code: string, file: string, line: number | null, col: number | null, message: string, group?: string): void {
    this.add({ severity: 'warning', code, file, line, col, message }, group);
  }

  get hasErrors(): boolean {
    return this.errors > 0;
  }

  /** The problems to show: errors first (in the order found), summary lines for capped groups, at most PROBLEM_LIST_LIMIT. */
  list(): { problems: Problem[]; omitted: number } {
    const represents = new Map<Problem, number>();
    for (const p of this.kept) represents.set(p, 1);
    for (const [key, g] of this.perGroup) {
      if (g.n <= PROBLEMS_PER_TICKER_AND_CODE) continue;
      const group = key.slice(key.indexOf('|') + 1);
      const more = g.n - PROBLEMS_PER_TICKER_AND_CODE;
      const summary: Problem = {
        ...g.sample,
        line: null,
        col: null,
        message: `${group}: ${more} more "${g.sample.code}" ${g.sample.severity}${more === 1 ? '' : 's'} like the ones above`,
      };
      represents.set(summary, more);
    }
    const all = [...represents.keys()];
    const ordered = [...all.filter((p) => p.severity === 'error'), ...all.filter((p) => p.severity === 'warning')];
    const problems = ordered.slice(0, PROBLEM_LIST_LIMIT);
    const shown = problems.reduce((s, p) => s + represents.get(p)!, 0);
    return { problems, omitted: this.errors + this.warnings - shown };
  }
}

/** `file:line:col: severity: message` (line and col left out when unknown), the form editors and CI understand. */
export function formatProblem(p: Problem): string {
  const where = p.line === null ? p.file : p.col === null ? `${p.file}:${p.line}` : `${p.file}:${p.line}:${p.col}`;
  return `${where}: ${p.severity}: ${p.message}`;
}
