/**
 * A view asks the engine again each time the PM changes what it shows (universe, run, date, book). Answers come
 * back in any order, and a slow answer to an earlier question must not replace the answer to the newer one: the
 * desk would show the weights of a run no longer selected under the one that is. Each loader takes a ticket when
 * it starts and writes its answers only while the ticket is current, that is, while no later load of the same
 * loader has started.
 *
 *   const ticket = latestOnly();
 *   async function load() {
 *     const current = ticket();
 *     const answer = await api.call(...);
 *     if (!current()) return; // a later load is under way: its answer is the one to show
 *     shown.value = answer;
 *   }
 */
export function latestOnly(): () => () => boolean {
  let last = 0;
  return () => {
    const mine = ++last;
    return () => mine === last;
  };
}
