// The one start-up line that states the effective configuration, with credentials redacted.
import type { Config, OtlpTarget } from './config/resolve';
import type { InstrumentationName } from './instrumentations/table';
import type { ConfigWarning } from './config/reader';
import { maskSecrets, redactUrl } from './mask';

function otlp(target: OtlpTarget): string {
  const headerNames = Object.keys(target.headers);
  const headers = headerNames.length > 0 ? ` headers=${headerNames.map((h) => `${h}=***`).join(',')}` : '';
  return `otlp(${target.protocol} ${redactUrl(target.url)}${headers})`;
}

function exporters(
  names: readonly string[],
  target: OtlpTarget,
  extra: (name: string) => string | undefined = () => undefined,
): string {
  if (names.length === 0) return 'none';
  return names.map((name) => (name === 'otlp' ? otlp(target) : (extra(name) ?? name))).join('+');
}

export function describeStart(config: Config, instrumentations: readonly InstrumentationName[]): string {
  const { service, traces, metrics, logs } = config;
  const sampler = traces.sampler.endsWith('traceidratio') ? `${traces.sampler}(${traces.samplerRatio})` : traces.sampler;
  const prometheus = (name: string): string | undefined =>
    name === 'prometheus' ? `prometheus(${metrics.prometheus.host}:${metrics.prometheus.port}/metrics)` : undefined;
  return [
    `started for service ${JSON.stringify(service.name)}`,
    `version=${service.version ?? '-'}`,
    `environment=${service.environment ?? '-'}`,
    `traces=${exporters(traces.exporters, traces.otlp)}`,
    `metrics=${exporters(metrics.exporters, metrics.otlp, prometheus)}`,
    `logs=${exporters(logs.exporters, logs.otlp)}`,
    `sampler=${sampler}`,
    `propagators=${config.propagators.join(',') || 'none'}`,
    `instrumentations=${instrumentations.length}(${instrumentations.join(',')})`,
    ...(config.sentry ? [`sentry=${maskSecrets('SENTRY_DSN', config.sentry.dsn)}`] : []),
  ].join(' ');
}

export function describeWarning(warning: ConfigWarning): string {
  if (warning.variable.startsWith('instrumentations.'))
    return `start() option ${warning.variable} ${warning.problem}; ${warning.fallback}`;
  return `${warning.variable}=${warning.value} ${warning.problem}; using ${warning.fallback}`;
}
