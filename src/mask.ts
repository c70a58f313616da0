// Masking of secrets in configuration values and diagnostic text before anything is printed.

const MASK = '***';

/** Header variables carry credentials in their values: keep the names, mask every value. */
function maskHeaderValues(raw: string): string {
  return raw
    .split(',')
    .map((entry) => {
      const eq = entry.indexOf('=');
      return eq < 0 ? MASK : `${entry.slice(0, eq)}=${MASK}`;
    })
    .join(',');
}

/** `scheme://user:pass@host` → `scheme://***@host`, wherever it appears in the text. */
export function maskUrlCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, `$1${MASK}@`);
}

/** Masks query strings too: tokens are often passed as `?api_key=…`. */
export function redactUrl(url: URL): string {
  const copy = new URL(url.href);
  if (copy.username || copy.password) {
    copy.username = MASK;
    copy.password = '';
  }
  for (const key of [...copy.searchParams.keys()]) copy.searchParams.set(key, MASK);
  return decodeURI(copy.href);
}

/** A Sentry DSN's key sits before the `@`, with or without a scheme; with no `@` the whole value may be a key. */
function maskDsn(raw: string): string {
  if (raw.includes('@'))
    return raw.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^@]*@/i, (_, scheme: string | undefined) => `${scheme ?? ''}${MASK}@`);
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : MASK;
}

/** A configuration variable's value as it may be printed. */
export function maskSecrets(variable: string, raw: string): string {
  if (variable.endsWith('_HEADERS')) return maskHeaderValues(raw);
  if (variable === 'SENTRY_DSN') return maskDsn(raw);
  return maskUrlCredentials(raw);
}
