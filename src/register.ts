// `node --require otelkit/register app.js`: starts telemetry before the application loads.
import { enableCompileCache } from './compile-cache';

// Before the SDK's modules load, so that they come from the cache.
enableCompileCache();
const { startFromPreload } = require('./start') as typeof import('./start');

startFromPreload({ esmLoaderHook: false });
