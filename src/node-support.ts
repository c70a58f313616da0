// The Node versions this otelkit line supports: OpenTelemetry JS 3.x requires Node 22.15 or later.
export const MIN_NODE = { major: 22, minor: 15 } as const;

/** The warning for a Node below MIN_NODE (otelkit still starts: the app must run either way); undefined when fine. */
export function unsupportedNodeWarning(version: string): string | undefined {
  const [major, minor] = version.split('.').map(Number);
  if (!(major < MIN_NODE.major || (major === MIN_NODE.major && minor < MIN_NODE.minor))) return undefined;
  return (
    `Node ${version} is below ${MIN_NODE.major}.${MIN_NODE.minor}, which this otelkit (OpenTelemetry JS 3.x) requires; ` +
    'telemetry may fail in ways not tested here. On Node 18 or 20 use otelkit 0.1.x'
  );
}
