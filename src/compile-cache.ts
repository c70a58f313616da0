// Node's on-disk compile cache (Node >= 22.1): the SDK's modules, and the app's, compile once per machine instead
// of at every start. Node itself honours NODE_DISABLE_COMPILE_CACHE=1 and NODE_COMPILE_CACHE=<dir>.
import * as nodeModule from 'node:module';

export function enableCompileCache(): void {
  const enable = (nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache;
  try {
    // Older Node has no such function; a read-only temp dir makes it report failure, never throw.
    enable?.();
  } catch {
    // The cache is an optimisation only.
  }
}
