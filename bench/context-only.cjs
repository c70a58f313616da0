// A preload that carries a context and does nothing else: every incoming request is handled inside
// AsyncLocalStorage.run, as a context manager's http instrumentation would. Side by side with the bare app it
// measures what propagating a context through an app's callbacks and promises costs by itself:
//   node bench/side-by-side.mjs --app realistic 'bare: --' 'context: -- -r ./bench/context-only.cjs' 'otelkit: -- -r ./dist/register.js'
const http = require('node:http');
const { AsyncLocalStorage } = require('node:async_hooks');

const storage = new AsyncLocalStorage();
const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function (event, ...args) {
  if (event !== 'request') return emit.call(this, event, ...args);
  return storage.run({ request: args[0] }, () => emit.call(this, event, ...args));
};
