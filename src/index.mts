// ES-module face of the programmatic API: the same single instance as the CommonJS entry.
export {
  start,
  flush,
  shutdown,
  getLogger,
  getAuditLogger,
  logger,
  getRequestId,
  currentRequestContext,
  runWithRequestContext,
  setUser,
  setOrganization,
  setSession,
  businessCounter,
  businessHistogram,
  businessUpDownCounter,
} from './index.js';
export type { StartOptions, HttpInstrumentationOptions, UndiciInstrumentationOptions, InstrumentationOptions } from './index.js';
