// The Sentry variables: the DSN as Sentry shows it, release and environment fallbacks, the sample rate, and one
// masked warning for each bad value.
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve';
import { snapshotEnv } from '../../src/config/env';
import { parseDsn } from '../../src/config/sentry';

const resolve = (env: Record<string, string>) => resolveConfig(snapshotEnv(env), {}, { name: 'my-app', version: '1.2.3' });

describe('SENTRY_DSN', () => {
  it('unset: no Sentry settings, no warning', () => {
    const { config, warnings } = resolve({});
    expect(config.sentry).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it('takes the DSN exactly as Sentry shows it, with a path prefix or a legacy secret', () => {
    expect(parseDsn('https://abc123@o447951.ingest.us.sentry.io/4508')).toEqual({
      dsn: 'https://abc123@o447951.ingest.us.sentry.io/4508',
      publicKey: 'abc123',
      projectId: '4508',
      base: 'https://o447951.ingest.us.sentry.io',
    });
    expect(parseDsn('http://key:secret@127.0.0.1:9000/sentry/12')).toMatchObject({
      publicKey: 'key',
      projectId: '12',
      base: 'http://127.0.0.1:9000/sentry',
    });
  });

  it.each([
    ['no key', 'https://o1.ingest.sentry.io/1', '"https://o1.ingest.sentry.io/1"'],
    ['no project id', 'https://abc123@o1.ingest.sentry.io/', '"https://***@o1.ingest.sentry.io/"'],
    ['not a URL', 'abc123@o1.ingest.sentry.io/1', '"***@o1.ingest.sentry.io/1"'],
    ['a bare key', 'abc123def456', '"***"'],
    ['another scheme', 'ftp://abc123@o1.ingest.sentry.io/1', '"ftp://***@o1.ingest.sentry.io/1"'],
  ])('%s: one warning naming SENTRY_DSN, the key masked, no Sentry', (_, dsn, shown) => {
    const { config, warnings } = resolve({ SENTRY_DSN: dsn });
    expect(config.sentry).toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ variable: 'SENTRY_DSN', value: shown, fallback: 'none (errors are not sent to Sentry)' });
  });

  it('release and environment: the Sentry variables, else service.version and deployment.environment.name', () => {
    const dsn = 'https://k@o1.ingest.sentry.io/1';
    const fromResource = resolve({
      SENTRY_DSN: dsn,
      OTEL_RESOURCE_ATTRIBUTES: 'service.version=2.0.0,deployment.environment.name=prod',
    });
    expect(fromResource.config.sentry).toMatchObject({ release: '2.0.0', environment: 'prod', sampleRate: 1 });
    expect(resolve({ SENTRY_DSN: dsn, NODE_ENV: 'test' }).config.sentry).toMatchObject({ release: '1.2.3', environment: 'test' });
    const own = resolve({ SENTRY_DSN: dsn, SENTRY_RELEASE: 'api@7', SENTRY_ENVIRONMENT: 'eu-prod', NODE_ENV: 'test' });
    expect(own.config.sentry).toMatchObject({ release: 'api@7', environment: 'eu-prod' });
  });

  it('SENTRY_SAMPLE_RATE: a share from 0 to 1; anything else warns once and sends every error', () => {
    const dsn = 'https://k@o1.ingest.sentry.io/1';
    expect(resolve({ SENTRY_DSN: dsn, SENTRY_SAMPLE_RATE: '0.25' }).config.sentry?.sampleRate).toBe(0.25);
    for (const bad of ['2', '-1', 'half']) {
      const { config, warnings } = resolve({ SENTRY_DSN: dsn, SENTRY_SAMPLE_RATE: bad });
      expect(config.sentry?.sampleRate).toBe(1);
      expect(warnings).toEqual([expect.objectContaining({ variable: 'SENTRY_SAMPLE_RATE', fallback: '1' })]);
    }
  });
});
