// Process-wide otelkit state, shared by every copy of the package loaded in the process.
import { snapshotEnv } from './config/env';
import { resolveConfig, type Config, type StartOptions } from './config/resolve';
import { configureDiagnostics, diagnostics } from './diagnostics';
import { describeWarning } from './summary';
import type { RunningSdk } from './sdk/compose';

export interface ProcessState {
  started: boolean;
  config?: Config;
  sdk?: RunningSdk;
}

// On globalThis, not in module scope: two copies of otelkit (the register path and the app's own dependency,
// or the CJS and ESM entries) must still start one SDK.
const STATE_KEY = Symbol.for('otelkit.state');

export function processState(): ProcessState {
  const holder = globalThis as { [STATE_KEY]?: ProcessState };
  return (holder[STATE_KEY] ??= { started: false });
}

/** Resolves the configuration once per process, printing its warnings once. */
export function loadConfig(options: StartOptions = {}): Config {
  const state = processState();
  const hasOptions = Object.keys(options).length > 0;
  if (state.config && !hasOptions) return state.config;
  const { config, warnings } = resolveConfig(snapshotEnv(options.env ?? process.env), options);
  // Resolved before (a logger created ahead of start(options)): the options now apply, the variables' warnings were
  // said; those about the options are new.
  if (!state.config) configureDiagnostics(config.logLevel);
  for (const warning of warnings) {
    if (!state.config || warning.variable.startsWith('instrumentations.')) diagnostics.warn(describeWarning(warning));
  }
  state.config = config;
  return config;
}

/** The configuration in force: the running SDK's, or resolved now for apps that log without the register. */
export function currentConfig(): Config {
  return processState().config ?? loadConfig();
}
