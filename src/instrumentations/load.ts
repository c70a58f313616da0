// Creates the enabled instrumentations; a package is required only when its instrumentation is enabled.
import type { Instrumentation, InstrumentationConfig } from '@opentelemetry/instrumentation';
import type { Config } from '../config/resolve';
import { diagnostics } from '../diagnostics';
import { requireBundled } from '../bundled';
import { INSTRUMENTATIONS, type InstrumentationEntry, type InstrumentationName } from './table';
import { createInstalledCheck, resolutionRoots } from './installed';
import { createHttpHooks } from '../context/http-hooks';
import { getRequestId } from '../context/request-context';

type InstrumentationClass = new (config?: InstrumentationConfig) => Instrumentation;

function configFor(name: InstrumentationName, config: Config): InstrumentationConfig {
  switch (name) {
    case 'http':
      return createHttpHooks(config) as InstrumentationConfig;
    // Other loggers get the request id next to the trace ids they already inject.
    case 'pino':
    case 'bunyan':
    case 'winston':
      return { logHook: addRequestId } as InstrumentationConfig;
    default:
      return {};
  }
}

function addRequestId(_span: unknown, record: Record<string, unknown>): void {
  const requestId = getRequestId();
  if (requestId !== undefined && record.request_id === undefined) record.request_id = requestId;
}

export interface LoadedInstrumentations {
  readonly instances: Instrumentation[];
  readonly loaded: InstrumentationName[];
}

/** The configured instrumentations, minus (for the defaults) those whose packages the app does not have. */
export function selectInstrumentations(
  config: Config,
  isInstalled = createInstalledCheck(resolutionRoots()),
): InstrumentationName[] {
  if (config.instrumentationSelection === 'explicit') return [...config.instrumentations];
  const present = config.instrumentations.filter((name) => {
    const targets = (INSTRUMENTATIONS[name] as InstrumentationEntry).targets;
    return targets === undefined || targets.some(isInstalled);
  });
  return present.filter((name) => {
    const supersededBy = (INSTRUMENTATIONS[name] as InstrumentationEntry).supersededBy ?? [];
    return !supersededBy.some((other) => (present as string[]).includes(other));
  });
}

export function loadInstrumentations(config: Config): LoadedInstrumentations {
  const instances: Instrumentation[] = [];
  const loaded: InstrumentationName[] = [];
  for (const name of selectInstrumentations(config)) {
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
