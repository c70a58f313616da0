// Registers the ES-module loader hook (import-in-the-middle) so `import` of instrumented packages is patched.
import { register } from 'node:module';
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
  // Resolved from here, as the bundled @opentelemetry/instrumentation resolves import-in-the-middle (a dependency of
  // otelkit's own, left outside the bundle): the loader and the instrumentations share one copy.
  register(pathToFileURL(require.resolve('import-in-the-middle/hook.mjs')).href);
}
