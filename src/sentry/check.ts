// `otelkit sentry-test`: sends one event to the DSN's project and says plainly whether Sentry accepted it, and why not.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { SentrySettings } from '../config/sentry';
import { maskSecrets, maskUrlCredentials } from '../mask';
import { postEnvelope } from './post';

export interface CheckOutcome {
  readonly accepted: boolean;
  /** One or two sentences for the user. */
  readonly summary: string;
  readonly eventId: string;
}

export async function sendTestEvent(settings: SentrySettings, clientName: string, timeoutMillis: number): Promise<CheckOutcome> {
  const eventId = randomUUID().replace(/-/g, '');
  const where = maskSecrets('SENTRY_DSN', settings.dsn);
  const event = {
    event_id: eventId,
    timestamp: Date.now() / 1000,
    platform: 'node',
    level: 'info',
    logger: 'otelkit',
    message: { formatted: `otelkit sentry-test from ${hostname()}: Sentry error reporting is set up` },
    release: settings.release,
    environment: settings.environment,
    tags: { otelkit_check: 'sentry-test' },
  };
  const envelope = [
    JSON.stringify({ event_id: eventId, dsn: settings.dsn, sent_at: new Date().toISOString() }),
    JSON.stringify({ type: 'event' }),
    JSON.stringify(event),
  ].join('\n');
  const url = `${settings.base}/api/${settings.projectId}/envelope/`;
  const auth = `Sentry sentry_version=7, sentry_key=${settings.publicKey}, sentry_client=${clientName}`;
  try {
    const res = await postEnvelope(url, envelope, { 'x-sentry-auth': auth }, timeoutMillis);
    const status = res.statusCode ?? 0;
    if (status >= 200 && status < 300) {
      return { accepted: true, eventId, summary: `Sentry accepted the test event ${eventId} (HTTP ${status}) for ${where}.` };
    }
    return {
      accepted: false,
      eventId,
      summary: `Sentry refused the test event for ${where}: HTTP ${status}${masked(reason(res.body), settings)}. ${advice(status, res.headers['retry-after'])}`,
    };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return {
      accepted: false,
      eventId,
      summary: `Sentry could not be reached at ${new URL(url).origin} (${e.code ?? e.message}). Check the DSN's host, this machine's network, proxy and firewall.`,
    };
  }
}

/** Servers may quote the DSN back: its key is not printed. */
function masked(text: string, settings: SentrySettings): string {
  return maskUrlCredentials(text).split(settings.publicKey).join('***');
}

/** Sentry explains a refusal in a JSON `detail` field; other servers in plain text. */
function reason(body: string): string {
  const text = body.trim();
  if (!text) return '';
  try {
    const detail = (JSON.parse(text) as { detail?: unknown }).detail;
    if (typeof detail === 'string' && detail) return `: ${detail}`;
  } catch {
    // not JSON
  }
  return `: ${text.replace(/\s+/g, ' ').slice(0, 300)}`;
}

function advice(status: number, retryAfter: string | null): string {
  if (status === 401 || status === 403)
    return "The DSN's key is not valid for this project (revoked, disabled or mistyped): copy the DSN again from the project's Client Keys.";
  if (status === 404) return "No such project at this host: copy the DSN again from the project's Client Keys.";
  if (status === 413) return 'The event was too large.';
  if (status === 429)
    return `Sentry is rate-limiting this project or its quota is used up${retryAfter ? ` (retry after ${retryAfter} s)` : ''}.`;
  if (status >= 500) return 'Sentry had a server error: try again later.';
  return 'Sentry did not store the event.';
}
