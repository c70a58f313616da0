// The Sentry settings (SENTRY_DSN and friends): validated here, so a bad DSN costs one warning, never a Sentry load.
import type { EnvReader } from './reader';

export interface SentryDsn {
  /** As the user gave it (Sentry's SDK parses it again). */
  readonly dsn: string;
  readonly publicKey: string;
  readonly projectId: string;
  /** `{scheme}://{host}[:port]{path}`: the ingest base; the envelope endpoint is `{base}/api/{projectId}/envelope/`. */
  readonly base: string;
}

export interface SentrySettings extends SentryDsn {
  readonly release?: string;
  readonly environment?: string;
  /** Share of error events sent, 0 to 1. */
  readonly sampleRate: number;
}

/** `{scheme}://{publicKey}[:{secret}]@{host}[:{port}]/{path/}{projectId}`, the form Sentry shows under Client Keys. */
export function parseDsn(raw: string): SentryDsn | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !url.username || url.search || url.hash) return undefined;
  const segments = url.pathname.split('/');
  const projectId = segments.pop() ?? '';
  if (!/^\d+$/.test(projectId)) return undefined;
  const path = segments.join('/');
  return { dsn: raw, publicKey: decodeURIComponent(url.username), projectId, base: `${url.protocol}//${url.host}${path}` };
}

export function resolveSentry(
  read: EnvReader,
  service: { readonly version?: string; readonly environment?: string },
): SentrySettings | undefined {
  const raw = read.raw('SENTRY_DSN');
  if (raw === undefined) return undefined;
  const dsn = parseDsn(raw);
  if (!dsn) {
    read.warn('SENTRY_DSN', 'is not a Sentry DSN (https://<key>@<host>/<project id>)', 'none (errors are not sent to Sentry)');
    return undefined;
  }
  return {
    ...dsn,
    release: read.string('SENTRY_RELEASE') ?? service.version,
    environment: read.string('SENTRY_ENVIRONMENT') ?? service.environment,
    sampleRate: read.number('SENTRY_SAMPLE_RATE', 1, { min: 0, max: 1 }),
  };
}
