#!/usr/bin/env node
// `npx otelkit dev`: a local OTLP/HTTP receiver for laptops. Prints spans and logs grouped by trace as they
// arrive; `--json FILE` also appends every span and log record to FILE as NDJSON. `npx otelkit sentry-test`:
// sends one event to SENTRY_DSN's project and says whether Sentry accepted it. `npx otelkit sentry-collector-env`:
// prints the collector's Sentry variables derived from SENTRY_DSN.
import { appendFileSync } from 'node:fs';
import { OtlpHttpReceiver } from './dev/receiver';
import { renderTraces } from './dev/render';
import type { ReceivedLog, ReceivedSpan } from './dev/otlp-records';
import { resolveConfig } from './config/resolve';
import { snapshotEnv } from './config/env';
import { describeWarning } from './summary';
import { sendTestEvent } from './sentry/check';
import { OTELKIT_VERSION } from './version';

const USAGE = `usage: otelkit dev [--port 4318] [--host 127.0.0.1] [--json FILE]
       otelkit sentry-test
       otelkit sentry-collector-env

dev: receives OTLP/HTTP JSON. Point an app at it with:
  OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 OTEL_EXPORTER_OTLP_PROTOCOL=http/json node --require otelkit/register app.js
sentry-test: sends one test event to the project of SENTRY_DSN (with SENTRY_RELEASE, SENTRY_ENVIRONMENT as the
  app would send them) and says whether Sentry accepted it; exit status 0 only if it did.
sentry-collector-env: prints SENTRY_OTLP_ENDPOINT and SENTRY_PUBLIC_KEY for the collector (collector/config.yaml),
  derived from SENTRY_DSN, as lines for an env file or \`export $(...)\`.
`;

const SENTRY_TEST_TIMEOUT_MILLIS = 10_000;

// A trace is printed once no span or log of it has arrived for this long.
const QUIET_MILLIS = 500;

interface Options {
  port: number;
  host: string;
  json?: string;
}

function parseArgs(args: string[]): Options | string {
  const options: Options = { port: 4318, host: '127.0.0.1' };
  for (let i = 0; i < args.length; i++) {
    const [flag, value] = [args[i], args[i + 1]];
    if (flag === '--port' && value !== undefined && /^\d+$/.test(value) && Number(value) < 65536) options.port = Number(value);
    else if (flag === '--host' && value) options.host = value;
    else if (flag === '--json' && value) options.json = value;
    else return `unknown or incomplete option: ${flag ?? ''}`;
    i++;
  }
  return options;
}

async function dev(options: Options): Promise<void> {
  const receiver = new OtlpHttpReceiver();
  const url = await receiver.start(options.port, options.host);
  process.stdout.write(`otelkit dev: receiving OTLP/HTTP JSON at ${url} (Ctrl-C to stop)\n`);
  const color = process.stdout.isTTY === true;
  let printedSpans = 0;
  let printedLogs = 0;
  let timer: NodeJS.Timeout | undefined;

  const flush = (): void => {
    const spans = receiver.spans.slice(printedSpans);
    const logs = receiver.logs.slice(printedLogs);
    printedSpans = receiver.spans.length;
    printedLogs = receiver.logs.length;
    if (options.json) appendNdjson(options.json, spans, logs);
    const traced = new Set(spans.map((s) => s.traceId));
    const text = renderTraces({ spans, logs: logs.filter((l) => traced.has(l.traceId)) }, { color });
    if (text.trim()) process.stdout.write(`${text}\n`);
    for (const log of logs.filter((l) => !traced.has(l.traceId))) {
      process.stdout.write(`log ${String(log.severityText ?? '').toUpperCase()} ${String(log.body)}\n`);
    }
  };
  receiver.onExport(() => {
    clearTimeout(timer);
    timer = setTimeout(flush, QUIET_MILLIS);
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      clearTimeout(timer);
      flush();
      void receiver.stop().then(() => process.exit(0));
    });
  }
}

function appendNdjson(file: string, spans: ReceivedSpan[], logs: ReceivedLog[]): void {
  const lines = [
    ...spans.map((s) => JSON.stringify({ type: 'span', ...s, startTimeUnixNano: String(s.startTimeUnixNano) })),
    ...logs.map((l) => JSON.stringify({ type: 'log', ...l })),
  ];
  if (lines.length > 0) appendFileSync(file, `${lines.join('\n')}\n`);
}

async function sentryTest(): Promise<number> {
  const { config, warnings } = resolveConfig(snapshotEnv(process.env));
  for (const w of warnings.filter((w) => w.variable.startsWith('SENTRY_')))
    process.stderr.write(`otelkit sentry-test: ${describeWarning(w)}\n`);
  if (!config.sentry) {
    const why = process.env.SENTRY_DSN?.trim() ? 'SENTRY_DSN is not a valid DSN (see above)' : 'SENTRY_DSN is not set';
    process.stderr.write(`otelkit sentry-test: ${why}. Copy the DSN from the Sentry project's Client Keys.\n`);
    return 2;
  }
  const outcome = await sendTestEvent(config.sentry, `otelkit/${OTELKIT_VERSION}`, SENTRY_TEST_TIMEOUT_MILLIS);
  (outcome.accepted ? process.stdout : process.stderr).write(`otelkit sentry-test: ${outcome.summary}\n`);
  return outcome.accepted ? 0 : 1;
}

/** The collector reads Sentry's OTLP endpoint and the key separately; both are in the DSN. */
function sentryCollectorEnv(): number {
  const { config } = resolveConfig(snapshotEnv(process.env));
  if (!config.sentry) {
    process.stderr.write("otelkit sentry-collector-env: set SENTRY_DSN to the DSN from the Sentry project's Client Keys.\n");
    return 2;
  }
  const { base, projectId, publicKey } = config.sentry;
  process.stdout.write(`SENTRY_OTLP_ENDPOINT=${base}/api/${projectId}/integration/otlp\nSENTRY_PUBLIC_KEY=${publicKey}\n`);
  return 0;
}

function main(argv: string[]): void {
  const [command, ...rest] = argv;
  if (command === 'sentry-collector-env') {
    process.exitCode = sentryCollectorEnv();
    return;
  }
  if (command === 'sentry-test') {
    void sentryTest().then((code) => (process.exitCode = code));
    return;
  }
  if (command !== 'dev') {
    process.stderr.write(USAGE);
    process.exitCode = command === undefined || command === '--help' ? 0 : 2;
    return;
  }
  const options = parseArgs(rest);
  if (typeof options === 'string') {
    process.stderr.write(`otelkit dev: ${options}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  dev(options).catch((err: NodeJS.ErrnoException) => {
    process.stderr.write(`otelkit dev: cannot listen on ${options.host}:${options.port} (${err.code ?? err.message})\n`);
    process.exitCode = 1;
  });
}

main(process.argv.slice(2));
