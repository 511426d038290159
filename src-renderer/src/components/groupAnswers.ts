/**
 * The Backtests view's per-family panels (MPLS, three-level) show one selected learned group at a time, and only
 * some groups belong to the family: which ones is the data's word. This asks the engine once per group's first run
 * (an answer, or null for a run of another family), keeps the groups that answered, and says which one is shown:
 * the one the PM picked, else the preferred one, else the first.
 */
import { computed, ref, watch, type Ref } from 'vue';

/** A selected group of seeds as the panels get it: its key, display name and runs (the first stands for it). */
export interface RunGroup {
  key: string;
  name: string;
  runs: { id: string }[];
}

export function useGroupAnswers<T, G extends RunGroup>(
  props: Readonly<{ groups: G[]; preferred?: string }>,
  ask: (runId: string) => Promise<T | null>,
) {
  const first = (g: G) => g.runs[0]!.id;
  /** answers by run id (null: the run is not of the family) */
  const answers = ref({}) as Ref<Record<string, T | null>>;
  const error = ref<string | null>(null);

  watch(
    () => props.groups.map(first).join(','),
    async () => {
      const missing = props.groups.map(first).filter((id) => !(id in answers.value));
      if (!missing.length) return;
      try {
        const got = await Promise.all(missing.map(ask));
        answers.value = { ...answers.value, ...Object.fromEntries(missing.map((id, i) => [id, got[i]!])) };
        error.value = null;
      } catch (e) {
        error.value = (e as Error).message;
      }
    },
    { immediate: true },
  );

  /** the groups whose first run answered */
  const answered = computed(() => props.groups.filter((g) => answers.value[first(g)]));
  /** the key of the group the PM picked ('' until then) */
  const picked = ref('');
  const pick = (key: string) => {
    picked.value = key;
  };
  const shown = computed(
    () =>
      answered.value.find((g) => g.key === picked.value) ??
      answered.value.find((g) => g.key === props.preferred) ??
      answered.value[0],
  );
  /** the shown group's answer */
  const answer = computed(() => (shown.value ? answers.value[first(shown.value)]! : null));
  return { error, answered, pick, shown, answer };
}
