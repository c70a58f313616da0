// `node --import otelkit/register app.mjs`: the same start, plus the loader hook that patches ES-module imports.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
(require('./compile-cache.js') as typeof import('./compile-cache.js')).enableCompileCache();
const { startFromPreload } = require('./start.js') as typeof import('./start.js');

startFromPreload({ esmLoaderHook: true });
