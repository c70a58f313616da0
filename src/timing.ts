// Bounded waiting: otelkit never lets a slow exporter hold the host process.

/** Resolves when every promise has settled or the time is up, whichever comes first; never rejects. */
export function settleWithin(timeoutMillis: number, work: ReadonlyArray<Promise<unknown> | undefined>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMillis);
  });
  const settled = Promise.allSettled(work).then(() => undefined);
  return Promise.race([settled, deadline]).finally(() => clearTimeout(timer));
}
