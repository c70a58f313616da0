// Registers the ES-module loader hook (import-in-the-middle) so `import` of instrumented packages is patched.
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';
import { diagnostics } from './diagnostics';

let registered = false;

export function registerEsmLoaderHook(): void {
  if (registered) return;
  registered = true;
  if (typeof register !== 'function') {
    diagnostics.warn('this Node.js has no module.register (needs ^18.19 or >=20.6): ES-module imports are not instrumented');
    return;
  }
  // Resolve the hook beside @opentelemetry/instrumentation so the loader and the instrumentations share one
  // import-in-the-middle.
  const fromInstrumentation = createRequire(require.resolve('@opentelemetry/instrumentation'));
  register(pathToFileURL(fromInstrumentation.resolve('import-in-the-middle/hook.mjs')).href);
}
