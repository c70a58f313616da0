// Where the OTLP protocol's own .proto files are: the opentelemetry-proto module at one pinned version, fetched once
// through the Go module proxy into Go's module cache. The tests' receiver and the benchmark's sink decode with them,
// since the 3.x otlp-transformer only encodes.
'use strict';
const { execFileSync } = require('node:child_process');
const { tmpdir, userInfo } = require('node:os');

const OTLP_PROTO_MODULE = 'github.com/open-telemetry/opentelemetry-proto@v1.11.0';
let dir;

/** The module's directory, the root its .proto files import each other from ("opentelemetry/proto/..."). */
function otlpProtoDir() {
  if (dir !== undefined) return dir;
  let out;
  try {
    // Outside any Go module (the temporary directory), so no go.mod is read or changed; a cached module answers at once.
    out = execFileSync('go', ['mod', 'download', '-json', OTLP_PROTO_MODULE], {
      cwd: tmpdir(),
      // The benchmark starts its sink with almost no environment; Go finds its module cache and settings from HOME.
      env: { ...process.env, HOME: process.env.HOME ?? userInfo().homedir },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    throw new Error(
      `the OTLP .proto files (${OTLP_PROTO_MODULE}) come from the Go module proxy and need Go on PATH: ${error.stderr || error.message}`,
    );
  }
  dir = JSON.parse(out).Dir;
  return dir;
}

exports.OTLP_PROTO_MODULE = OTLP_PROTO_MODULE;
exports.otlpProtoDir = otlpProtoDir;
