// `node --require otelkit/register app.js`: starts telemetry before the application loads.
import { startFromPreload } from './start';

startFromPreload({ esmLoaderHook: false });
