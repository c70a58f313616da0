// A preload that makes a bare app slow and does nothing else: each request first spins for SLOW_US microseconds
// (default 45) and, with SLOW_KB set, writes one byte in every 4 KB of a buffer that size meanwhile, pushing the
// app's other data out of the CPU's caches. Profiled beside otelkit (bench/profile.mjs), it tells apart what being
// slower costs (e.g. the load generator waiting more) from what a larger working set costs:
//   node bench/profile.mjs 'bare: --' 'slow: -- -r ./bench/slow-bare.cjs' 'slow-4mb: SLOW_KB=4096 -- -r ./bench/slow-bare.cjs' 'otelkit: -- -r ./dist/register.js'
const http = require('node:http');

const micros = BigInt(Math.round(Number(process.env.SLOW_US ?? 45) * 1000));
const buffer = new Uint8Array(Number(process.env.SLOW_KB ?? 0) * 1024);
let at = 0;
const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function (event) {
  if (event === 'request') {
    const until = process.hrtime.bigint() + micros;
    while (process.hrtime.bigint() < until) {
      for (let i = 0; i < 256 && buffer.length > 0; i++) {
        buffer[at] ^= 1;
        at = (at + 4160) % buffer.length;
      }
    }
  }
  return Reflect.apply(emit, this, arguments);
};
