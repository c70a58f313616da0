// start(): the guarded entry that composes the SDK once per process and never throws into the application.
import { isMainThread } from 'node:worker_threads';
import type { StartOptions } from './config/resolve';
import { diagnostics } from './diagnostics';
import { installLifecycle } from './lifecycle';
import { installUncaughtHandlers } from './uncaught';
import { describeStart } from './summary';
import { loadConfig, processState } from './state';
import { registerEsmLoaderHook } from './esm-hook';
import { unsupportedNodeWarning } from './node-support';

export function start(options: StartOptions = {}): void {
  startWith(options, { deferInstrumentations: true });
}

function startWith(options: StartOptions, { deferInstrumentations }: { deferInstrumentations: boolean }): void {
  const state = processState();
  if (state.started) {
    // Options the app passes after the register started otelkit would otherwise vanish without a word.
    if (Object.keys(options).length > 0) {
      diagnostics.warn(
        `start() options (${Object.keys(options).join(', ')}) are ignored: otelkit was already started in this process ` +
          '(by otelkit/register, or an earlier start())',
      );
    } else diagnostics.debug('start() called again: otelkit is already running in this process');
    return;
  }
  state.started = true;
  // Workers share the process (and its exporters) with the main thread's SDK.
  if (!isMainThread) return;
  try {
    const nodeWarning = unsupportedNodeWarning(process.versions.node);
    if (nodeWarning !== undefined) diagnostics.warn(nodeWarning);
    const config = loadConfig(options);
    if (config.disabled) {
      diagnostics.info('OTEL_SDK_DISABLED=true: telemetry is off, the application runs uninstrumented');
      return;
    }
    // The SDK loads only when telemetry is on: in the bundle it is dist/compose.js, which a disabled process never reads.
    const { composeSdk } = require('./sdk/compose') as typeof import('./sdk/compose');
    const sdk = composeSdk(config, { deferInstrumentations });
    state.sdk = sdk;
    installLifecycle(sdk);
    installUncaughtHandlers(sdk);
    diagnostics.info(describeStart(config, sdk.instrumentations));
  } catch (err) {
    diagnostics.error(`could not start (${(err as Error)?.message ?? String(err)}); the application runs uninstrumented`);
  }
}

/** Entry of the `otelkit/register` preload; the ESM entry also asks for the loader hook. */
export function startFromPreload({ esmLoaderHook }: { esmLoaderHook: boolean }): void {
  // ES-module imports bypass `require`, where deferred instrumentations wait: the ESM entry creates them all now.
  startWith({}, { deferInstrumentations: !esmLoaderHook });
  const state = processState();
  if (esmLoaderHook && state.sdk) {
    try {
      registerEsmLoaderHook();
    } catch (err) {
      diagnostics.warn(
        `ES-module loader hook not registered (${(err as Error).message}); ES-module imports are not instrumented`,
      );
    }
  }
}

/** Exports everything buffered now (for jobs and serverless handlers); resolves within the shutdown timeout. */
export async function flush(): Promise<void> {
  const { sdk } = processState();
  if (sdk) await sdk.flush(sdk.config.shutdownTimeoutMillis);
}

/** Flushes and stops telemetry; resolves within the configured shutdown timeout. */
export async function shutdown(): Promise<void> {
  const { sdk } = processState();
  if (sdk) await sdk.shutdown(sdk.config.shutdownTimeoutMillis);
}
