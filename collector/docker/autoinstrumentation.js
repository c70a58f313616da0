// The entry point of the otelkit auto-instrumentation image for the OpenTelemetry Operator, which copies the
// image's /autoinstrumentation folder into the pod and sets NODE_OPTIONS to
// `--require /otel-auto-instrumentation-nodejs/autoinstrumentation.js`: starts otelkit from the node_modules
// folder beside this file, as `node --require otelkit/register` would from the app's own.
require('otelkit/register');
