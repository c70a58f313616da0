// A preload that carries a context and does nothing else: every incoming request is handled inside
// AsyncLocalStorage.run, as a context manager's http instrumentation would. Side by side with the bare app it
// measures what propagating a context through an app's callbacks and promises costs by itself:
//   node bench/side-by-side.mjs --app realistic 'bare: --' 'context: -- -r ./bench/context-only.cjs' 'otelkit: -- -r ./dist/register.js'
const http = require('node:http');
const { AsyncLocalStorage } = require('node:async_hooks');

const storage = new AsyncLocalStorage();
const emit = http.Server.prototype.emit;
// No rest parameters: their array on every emit would be counted as the context's cost.
http.Server.prototype.emit = function (event, request) {
  if (event !== 'request') return Reflect.apply(emit, this, arguments);
  return storage.run({ request }, Reflect.apply, emit, this, arguments);
};
