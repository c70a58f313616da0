// Process lifecycle: flush on SIGTERM/SIGINT and beforeExit, then let the process end as it would have.
import type { RunningSdk } from './sdk/compose';
import { diagnostics } from './diagnostics';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

export function installLifecycle(sdk: RunningSdk): void {
  const timeout = sdk.config.shutdownTimeoutMillis;
  let stopping = false;

  const onSignal = (signal: NodeJS.Signals): void => {
    // Listeners other than ours mean the application owns the exit; otherwise we re-raise the signal after
    // flushing so the outcome (killed by SIGTERM, exit status 143 in a shell) is the one Node gives alone.
    const appHandles = process.listenerCount(signal) > 1;
    const reraise = (): void => {
      for (const s of SIGNALS) process.removeListener(s, handlers[s]);
      if (!appHandles) process.kill(process.pid, signal);
    };
    if (stopping) {
      // A second signal while flushing: stop waiting.
      reraise();
      return;
    }
    stopping = true;
    diagnostics.debug(`${signal} received: flushing telemetry (at most ${timeout} ms)`);
    void sdk.shutdown(timeout).then(reraise);
  };

  const handlers = Object.fromEntries(SIGNALS.map((s) => [s, () => onSignal(s)])) as Record<(typeof SIGNALS)[number], () => void>;
  for (const s of SIGNALS) process.on(s, handlers[s]);
  // Natural end of the program: the event loop is empty, so export what is buffered before Node exits. If the
  // bound runs out (collector down), the exporters' own retry timers would keep the process alive for their full
  // retry schedule: exit now, with the code the program set, as it was about to.
  process.once('beforeExit', () => {
    void sdk.shutdown(timeout).then((done) => {
      if (!done) {
        diagnostics.warn(`telemetry not fully exported within ${timeout} ms at exit (OTELKIT_SHUTDOWN_TIMEOUT)`);
        process.exit();
      }
    });
  });
}
