// Creates the enabled instrumentations; a package is required only when its instrumentation is enabled.
import type { IncomingMessage } from 'node:http';
import type { Instrumentation, InstrumentationConfig } from '@opentelemetry/instrumentation';
import type { Config } from '../config/resolve';
import { diagnostics } from '../diagnostics';
import { requireBundled } from '../bundled';
import { INSTRUMENTATIONS, type InstrumentationName } from './table';

type InstrumentationClass = new (config?: InstrumentationConfig) => Instrumentation;

function configFor(name: InstrumentationName, config: Config): InstrumentationConfig {
  if (name === 'http' && config.metrics.exporters.includes('prometheus')) {
    // Scrapes of otelkit's own /metrics endpoint are not the application's traffic.
    const { port } = config.metrics.prometheus;
    return { ignoreIncomingRequestHook: (req: IncomingMessage) => req.socket?.localPort === port } as InstrumentationConfig;
  }
  return {};
}

export interface LoadedInstrumentations {
  readonly instances: Instrumentation[];
  readonly loaded: InstrumentationName[];
}

export function loadInstrumentations(config: Config): LoadedInstrumentations {
  const instances: Instrumentation[] = [];
  const loaded: InstrumentationName[] = [];
  for (const name of config.instrumentations) {
    const { pkg, exportName } = INSTRUMENTATIONS[name];
    try {
      const Class = requireBundled<Record<string, InstrumentationClass>>(pkg)[exportName];
      instances.push(new Class(configFor(name, config)));
      loaded.push(name);
    } catch (err) {
      diagnostics.warn(`instrumentation "${name}" could not be loaded (${(err as Error).message}); continuing without it`);
    }
  }
  return { instances, loaded };
}
