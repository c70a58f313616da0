// The usual integration-test set-up: a fresh OTLP receiver per test, fixture apps launched against it with fast
// export settings, every app killed and the receiver stopped after the test.
import { afterEach, beforeEach } from 'vitest';
import { OtlpReceiver } from './otlp-receiver';
import { App, fastExportEnv, type AppOptions } from './app';

export interface TestBed {
  readonly receiver: OtlpReceiver;
  /** Starts a fixture app exporting to this test's receiver; `options.env` wins over the fast-export defaults. */
  launch(fixture: string, options?: AppOptions): App;
}

export function useTestBed(): TestBed {
  let receiver: OtlpReceiver | undefined;
  const apps: App[] = [];
  beforeEach(async () => {
    receiver = new OtlpReceiver();
    await receiver.start();
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.stop('SIGKILL')));
    await receiver?.stop();
  });
  return {
    get receiver() {
      return receiver!;
    },
    launch(fixture, options = {}) {
      const app = new App(fixture, { ...options, env: { ...fastExportEnv(receiver!.url), ...options.env } });
      apps.push(app);
      return app;
    },
  };
}

/** The JSON log lines an app printed (otelkit's schema starts every line with the timestamp). */
export function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('{"timestamp"'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** A JSON line otelkit's logger printed, with the fields the tests read. */
export interface PrintedLine {
  message: string;
  level: string;
  trace_id?: string;
  span_id?: string;
  request_id?: string;
  [key: string]: unknown;
}

/** The JSON log lines an app printed on stdout. */
export const printedLines = (stdout: string): PrintedLine[] => jsonLines(stdout) as PrintedLine[];
