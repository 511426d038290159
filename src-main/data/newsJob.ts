/**
 * The 'news-import' and 'news-score' job kinds (docs/news.md): a news import committed, or a universe's news scored,
 * in a job process with progress and cancellation. A rejected import fails the job with its first problems.
 */
import { NewsImportRequest, NewsScoreRequest } from '../../src-shared/contract/news';
import { parseJobParams, type JobContext } from '../jobs/context';
import { runNewsImport } from './news';
import { scoreNews } from './newsScore';
import { formatProblem } from './problems';

/** Job kind 'news-import'. Takes a NewsImportRequest and the job context; gives the NewsImportResult. */
export async function newsImportJob(params: unknown, ctx: JobContext): Promise<unknown> {
  const req = parseJobParams('news-import', NewsImportRequest, params);
  const { preview, result } = await runNewsImport(ctx.db, req.path, req.universe, {
    signal: ctx.signal,
    onProgress: (f, m) => ctx.progress(f, m),
  });
  if (!result) {
    const first = preview.problems
      .filter((p) => p.severity === 'error')
      .slice(0, 5)
      .map(formatProblem);
    throw new Error(
      `news import rejected (${preview.errors} error${preview.errors === 1 ? '' : 's'}, nothing written):\n${first.join('\n')}`,
    );
  }
  return result;
}

/** Job kind 'news-score'. Takes a NewsScoreRequest and the job context; gives the NewsScoreResult. */
export async function newsScoreJob(params: unknown, ctx: JobContext): Promise<unknown> {
  const req = parseJobParams('news-score', NewsScoreRequest, params);
  return scoreNews(ctx.db, req.universe, req.modelDir, {
    batchSize: req.batchSize,
    maxLength: req.maxLength,
    signal: ctx.signal,
    onProgress: (f, m, figures) => ctx.progress(f, m, figures),
  });
}
