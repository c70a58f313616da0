// Bounded waiting: otelkit never lets a slow exporter hold the host process.

/**
 * Resolves when every promise has settled (true) or the time is up (false), whichever comes first; never
 * rejects.
 */
export function settleWithin(timeoutMillis: number, work: ReadonlyArray<Promise<unknown> | undefined>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMillis);
  });
  const settled = Promise.allSettled(work).then(() => true);
  return Promise.race([settled, deadline]).finally(() => clearTimeout(timer));
}
