// Loads packages that reach otelkit through @opentelemetry/auto-instrumentations-node (every instrumentation and
// cloud detector), resolved from that package's own location so the install layout does not matter.
import { createRequire } from 'node:module';

let fromAutoInstrumentations: NodeJS.Require | undefined;

export function requireBundled<T>(pkg: string): T {
  fromAutoInstrumentations ??= createRequire(require.resolve('@opentelemetry/auto-instrumentations-node'));
  return fromAutoInstrumentations(pkg) as T;
}
