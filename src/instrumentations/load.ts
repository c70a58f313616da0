// Creates the enabled instrumentations; a package is required only when its instrumentation is enabled, and, for
// CommonJS apps, only when the app first requires one of its target packages.
import Module from 'node:module';
import type { Instrumentation, InstrumentationConfig } from '@opentelemetry/instrumentation';
import type { Config } from '../config/resolve';
import { diagnostics } from '../diagnostics';
import { requireBundled } from '../bundled';
import { INSTRUMENTATIONS, type InstrumentationEntry, type InstrumentationName } from './table';
import { createInstalledCheck, resolutionRoots } from './installed';
import { createHttpHooks } from '../request/http-hooks';
import { HttpServerInstrumentation } from './http-server';
import { noteRouterErrors, ownExpressCaptureFits } from './express-errors';
import { ExpressRouteInstrumentation } from './express-route';
import { FastifyRouteInstrumentation } from './fastify-route';
import { UndiciClientInstrumentation } from './undici-client';
import { OwnHttpInstrumentation } from './http-common';
import { serverOptions, undiciOptions, upstreamHttpConfig } from './http-options';
import type { Redactor } from '../redaction/redact';
import { getRequestId } from '../request/request-context';
import { RequireRouter } from './require-router';

type InstrumentationClass = new (config?: InstrumentationConfig) => Instrumentation;

/** otelkit's settings for an instrumentation, over the config the app passed to start() (./http-options for http). */
function configFor(name: InstrumentationName, config: Config, redactor: Redactor): InstrumentationConfig {
  const given = (config.instrumentationOptions[name] ?? {}) as Record<string, unknown>;
  switch (name) {
    // Incoming requests are otelkit's own (./http-server) unless OTELKIT_HTTP_SERVER_INSTRUMENTATION=upstream.
    case 'http':
      return upstreamHttpConfig(
        config,
        createHttpHooks(config),
        redactor,
        config.httpServerInstrumentation === 'otelkit',
      ) as InstrumentationConfig;
    // Upstream's, when layer spans are asked for or express 5 runs on a `router` before 2.3 (see expressRouteOnly).
    // http.route still reaches the server span and its metrics: the instrumentation sets it before this check.
    case 'express':
      return {
        ignoreLayersType: config.expressMiddlewareSpans ? [] : ['middleware', 'router'],
        ...given,
      } as InstrumentationConfig;
    // Other loggers get the request id next to the trace ids they already inject. With no logs exporter, their
    // records are not turned into OpenTelemetry log records that nothing would send.
    case 'pino':
    case 'bunyan':
    case 'winston': {
      const logHook = given.logHook;
      return {
        disableLogSending: config.logs.exporters.length === 0,
        ...given,
        logHook:
          typeof logHook === 'function'
            ? (span: unknown, record: Record<string, unknown>) => {
                addRequestId(span, record);
                logHook(span, record);
              }
            : addRequestId,
      } as InstrumentationConfig;
    }
    default:
      return given as InstrumentationConfig;
  }
}

/**
 * No span per express layer by default. On express 4, and on express 5 with `router` 2.3 or later, otelkit's own
 * route capture (./express-route) stands in for upstream's instrumentation; on express 5 a layer's exception comes
 * from the router's error channel (./express-errors). Elsewhere (an older `router`, or express not resolvable from
 * the app) upstream's instrumentation keeps the route handler's span, because it is the one place a handler's
 * exception is kept.
 */
function expressRouteOnly(config: Config): boolean {
  // Options for upstream's express instrumentation: only upstream's honours them.
  if (config.instrumentationOptions.express !== undefined) return false;
  if (config.expressMiddlewareSpans || !ownExpressCaptureFits(resolutionRoots())) return false;
  if (config.traces.exporters.length > 0) noteRouterErrors();
  return true;
}

function addRequestId(_span: unknown, record: Record<string, unknown>): void {
  const requestId = getRequestId();
  if (requestId !== undefined && record.request_id === undefined) record.request_id = requestId;
}

/** The configured instrumentations, minus (for the defaults) those whose packages the app does not have. */
export function selectInstrumentations(
  config: Config,
  isInstalled = createInstalledCheck(resolutionRoots()),
): InstrumentationName[] {
  // `enabled: false` in the options passed to start(), as upstream's getNodeAutoInstrumentations takes it.
  const wanted = config.instrumentations.filter((name) => config.instrumentationOptions[name]?.enabled !== false);
  if (config.instrumentationSelection === 'explicit') return wanted;
  const present = wanted.filter((name) => {
    const targets = (INSTRUMENTATIONS[name] as InstrumentationEntry).targets;
    return targets === undefined || targets.some(isInstalled);
  });
  return present.filter((name) => {
    const supersededBy = (INSTRUMENTATIONS[name] as InstrumentationEntry).supersededBy ?? [];
    return !supersededBy.some((other) => (present as string[]).includes(other));
  });
}

export interface LoadedInstrumentations {
  /** Created now: Node built-ins, and (when not deferred) every selected one. */
  readonly instances: Instrumentation[];
  /** Every selected instrumentation, created now or armed to be created on first require of a target. */
  readonly loaded: InstrumentationName[];
}

function create(name: InstrumentationName, config: Config, redactor: Redactor): Instrumentation[] {
  const { pkg, exportName } = INSTRUMENTATIONS[name] as InstrumentationEntry;
  try {
    if (name === 'express' && expressRouteOnly(config)) return [new ExpressRouteInstrumentation()];
    if (name === 'fastify') return [new FastifyRouteInstrumentation()];
    if (name === 'undici' && config.undiciInstrumentation === 'otelkit') {
      return [new UndiciClientInstrumentation(undiciOptions(config, redactor))];
    }
    const Class = requireBundled<Record<string, InstrumentationClass>>(pkg!)[exportName!];
    const instance = new Class(configFor(name, config, redactor));
    if (name !== 'http' || config.httpServerInstrumentation !== 'otelkit') return [instance];
    if (config.instrumentationOptions.http?.disableIncomingRequestInstrumentation === true) return [instance];
    return [instance, new HttpServerInstrumentation(createHttpHooks(config), serverOptions(config, redactor))];
  } catch (err) {
    diagnostics.warn(`instrumentation "${name}" could not be loaded (${(err as Error).message}); continuing without it`);
    return [];
  }
}

/**
 * `deferred`: an instrumentation with target packages is created when the app first requires one of them (through
 * `require`, which is how CommonJS apps and their dependencies load packages), and handed to `onCreated` before
 * that package loads, so its hooks see the load. An app that never touches `pg` never loads the pg instrumentation.
 * ES-module imports do not pass through `require`: the ESM entry asks for everything up front.
 */
export function loadInstrumentations(
  config: Config,
  { deferred, onCreated, redactor }: { deferred: boolean; onCreated: (instance: Instrumentation) => void; redactor: Redactor },
): LoadedInstrumentations {
  const instances: Instrumentation[] = [];
  const loaded: InstrumentationName[] = [];
  const armed = new Map<string, InstrumentationName[]>();
  // Before the first instrumentation installs its require hook.
  const router = new RequireRouter(Module.prototype.require);
  for (const name of selectInstrumentations(config)) {
    const { targets, atStart } = INSTRUMENTATIONS[name] as InstrumentationEntry;
    if (deferred && !atStart && targets !== undefined && targets.length > 0) {
      for (const target of targets) armed.set(target, [...(armed.get(target) ?? []), name]);
      loaded.push(name);
      continue;
    }
    const created = create(name, config, redactor);
    if (created.length > 0) {
      instances.push(...created);
      loaded.push(name);
    }
  }
  // otelkit's own HTTP instrumentations hook no `require` (express-route does, through upstream's base).
  const upstream = (list: Instrumentation[]) => list.filter((instance) => !(instance instanceof OwnHttpInstrumentation));
  router.note(upstream(instances));
  router.install(armed, (name, pkg) => {
    diagnostics.debug(`instrumentation "${name}" created: the app required ${pkg}`);
    const created = create(name as InstrumentationName, config, redactor);
    created.forEach(onCreated);
    return upstream(created);
  });
  return { instances, loaded };
}
