/**
 * The steps the Data view's imports (prices, news) share: choose a file — upload it, or in the desktop app pick files
 * on this machine — preview it (nothing written), follow the commit job the view starts, and undo the last import.
 * In a browser the engine reads only files uploaded here; the desktop app may also name the files its dialog
 * returned, so there is no free-text path field. What is previewed and committed, and with which options, stays
 * with each view.
 */
import { computed, ref, watch, type Ref } from 'vue';
import type { JobInfo } from '@shared/contract';
import { api } from '../api/client';
import { useJobsStore } from '../stores/jobs';

/** whether this window can pick files on this machine (the desktop app) */
export const desktop = api.openFiles !== null;

export interface ImportSteps<P> {
  /** preview an uploaded file's text; the engine keeps the file and says where */
  previewText(name: string, text: string): Promise<P & { uploadedPath: string }>;
  /** preview files the engine may read (an earlier upload, or the desktop dialog's picks) */
  previewPaths(paths: string[]): Promise<P>;
  /** the error when Preview is pressed with no file chosen */
  noFile: string;
  /** forget the view's choices about the last preview (a new file was chosen, or the import went in) */
  resetChoices?(): void;
  /** the message once the commit job (or another job the view follows) succeeded */
  succeeded(job: JobInfo): string;
  /** the message's start when that job failed; the job's error follows */
  failed: string;
  /** read again what an import or undo changed */
  reload(): Promise<void>;
  /** the undo button's confirmation question and call */
  undo: { question: string; run(): Promise<{ message: string }> };
}

export function useFileImport<P>(steps: ImportSteps<P>) {
  const jobs = useJobsStore();
  const file = ref<File | null>(null);
  /** files the desktop dialog returned */
  const pickedPaths = ref<string[]>([]);
  /** where the engine stored the chosen upload (set by the first preview; later previews and the commit name it) */
  const uploaded = ref<string | null>(null);
  const preview = ref(null) as Ref<P | null>;
  const previewError = ref<string | null>(null);
  const busy = ref(false);
  const message = ref<string | null>(null);
  /** the job the view follows (its commit) */
  const job = ref<JobInfo | null>(null);

  function chose() {
    uploaded.value = null;
    preview.value = null;
    steps.resetChoices?.();
  }

  function onFile(e: Event) {
    file.value = (e.target as HTMLInputElement).files?.[0] ?? null;
    pickedPaths.value = [];
    chose();
  }

  async function browse() {
    if (!api.openFiles) return;
    const paths = await api.openFiles();
    if (!paths.length) return;
    pickedPaths.value = paths;
    file.value = null;
    chose();
  }

  /** the files a preview or commit names: the upload, else the desktop picks */
  const chosenPaths = (): string[] => (uploaded.value ? [uploaded.value] : pickedPaths.value);

  async function runPreview() {
    busy.value = true;
    previewError.value = null;
    message.value = null;
    try {
      if (file.value && !uploaded.value) {
        const p = await steps.previewText(file.value.name, await file.value.text());
        uploaded.value = p.uploadedPath;
        preview.value = p;
      } else {
        const paths = chosenPaths();
        if (!paths.length) throw new Error(steps.noFile);
        preview.value = await steps.previewPaths(paths);
      }
    } catch (e) {
      preview.value = null;
      previewError.value = (e as Error).message;
    } finally {
      busy.value = false;
    }
  }

  /** the followed job as the jobs store keeps it current */
  const jobState = computed(() => (job.value ? (jobs.jobs.find((j) => j.id === job.value!.id) ?? job.value) : null));
  watch(
    () => jobState.value?.status,
    async (s) => {
      if (s === 'succeeded') {
        message.value = steps.succeeded(jobState.value!);
        preview.value = null;
        steps.resetChoices?.();
        await steps.reload();
      } else if (s === 'failed') message.value = `${steps.failed}${jobState.value?.error}`;
    },
  );

  async function undo() {
    if (!confirm(steps.undo.question)) return;
    message.value = (await steps.undo.run()).message;
    await steps.reload();
  }

  return {
    pickedPaths,
    preview,
    previewError,
    busy,
    message,
    job,
    jobState,
    chosenPaths,
    onFile,
    browse,
    runPreview,
    undo,
  };
}
