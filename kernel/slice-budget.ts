/**
 * The time an invocation has left for its next slice of work, to be asked before each slice: what
 * remains, less a margin of `marginShare` of what remained at the start or twice the longest slice
 * so far if that is more (a slow slice, e.g. on a loaded table, predicts the next one).
 *
 * Only slices are measured, not the setup before the first one (reading a job and its file): on a
 * starved machine that setup took a third of a short timeout, counted as a slice it left no time
 * for any, and every invocation ended without progress.
 */
export function sliceBudget(remainingMs: () => number, marginShare = 0.25, now: () => number = Date.now): () => number {
  const margin = remainingMs() * marginShare;
  let longestSlice = 0;
  let sliceStart: number | undefined;
  return () => {
    const at = now();
    if (sliceStart !== undefined) longestSlice = Math.max(longestSlice, at - sliceStart);
    sliceStart = at;
    return remainingMs() - Math.max(margin, 2 * longestSlice);
  };
}
