// The programmatic API of otelkit.
export { start, flush, shutdown } from './start';
export type { StartOptions, Config } from './config/resolve';
export { getLogger } from './logging/logger';
