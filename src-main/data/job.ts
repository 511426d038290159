/**
 * The 'import' job kind: runs a committed import in a job process (off the main thread), with progress events
 * and cancellation; the job's result is the ImportResult. A rejected import (errors in the preview) fails the
 * job with the first problems in its error message.
 */
import { ImportRequest } from '../../src-shared/contract/data';
import { parseJobParams, type JobContext } from '../jobs/context';
import { importOptions, runImport } from './importer';
import { formatProblem } from './problems';

/**
 * Job kind 'import'. Takes an ImportRequest (parsed again here: parseJobParams) and the job context; gives the
 * ImportResult.
 */
export async function importJob(params: unknown, ctx: JobContext): Promise<unknown> {
  const req = parseJobParams('import', ImportRequest, params);
  const { preview, result } = await runImport(ctx.db, req.paths, importOptions(req), {
    signal: ctx.signal,
    onProgress: (f, m, figures) => ctx.progress(f, m, figures),
  });
  if (!result) {
    const first = preview.problems
      .filter((p) => p.severity === 'error')
      .slice(0, 5)
      .map(formatProblem);
    throw new Error(
      `import rejected (${preview.errors} error${preview.errors === 1 ? '' : 's'}, nothing written):\n${first.join('\n')}`,
    );
  }
  return result;
}
