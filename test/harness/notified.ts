// Waiting on a test server's own notifications: the server calls its listeners for each request it stores, and a
// waiter re-checks its condition then, instead of polling.

/** Resolves once `predicate` holds, re-checked whenever a listener is called; rejects with `failure()` after the timeout. */
export function waitUntilNotified(
  listeners: Set<() => void>,
  predicate: () => boolean,
  timeoutMillis: number,
  failure: () => string,
): Promise<void> {
  if (predicate()) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const check = () => {
      if (!predicate()) return;
      clearTimeout(timer);
      listeners.delete(check);
      resolve();
    };
    const timer = setTimeout(() => {
      listeners.delete(check);
      reject(new Error(failure()));
    }, timeoutMillis);
    listeners.add(check);
  });
}
