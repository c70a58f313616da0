// The programmatic API of otelkit.
import { getLogger } from './logging/logger';

export { start, flush, shutdown } from './start';
export type { StartOptions, Config } from './config/resolve';
export type {
  HttpInstrumentationOptions,
  UndiciInstrumentationOptions,
  InstrumentationOptions,
} from './config/instrumentation-options';
export { getLogger, getAuditLogger, type OtelkitLogger } from './logging/logger';
export {
  getRequestId,
  currentRequestContext,
  runWithRequestContext,
  setUser,
  setOrganization,
  setSession,
  type RequestContext,
  type UserContext,
} from './request/request-context';
export {
  businessCounter,
  businessHistogram,
  businessUpDownCounter,
  type BusinessAttributes,
  type BusinessCounter,
  type BusinessHistogram,
  type BusinessHistogramOptions,
  type BusinessMetricOptions,
  type BusinessUpDownCounter,
} from './metrics/business';

/** A ready logger named "app", for services that want one logger. */
export const logger = getLogger('app');
