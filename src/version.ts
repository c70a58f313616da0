// otelkit's own version, read once from its package.json.
export const OTELKIT_VERSION: string = (require('../package.json') as { version: string }).version;
