// otelkit warns, once and without refusing to start, on a Node below the one OpenTelemetry JS 3.x requires.
import { describe, expect, it } from 'vitest';
import { unsupportedNodeWarning } from '../../src/node-support';

describe('unsupportedNodeWarning', () => {
  it('names the version, the minimum and the otelkit line for older Node', () => {
    for (const version of ['18.19.0', '20.20.2', '22.14.9', '21.7.3']) {
      const warning = unsupportedNodeWarning(version);
      expect(warning, version).toContain(`Node ${version} is below 22.15`);
      expect(warning, version).toContain('otelkit 0.1.x');
    }
  });

  it('says nothing from 22.15 on', () => {
    for (const version of ['22.15.0', '22.23.3', '23.0.0', '24.21.0', '26.10.0', process.versions.node]) {
      expect(unsupportedNodeWarning(version), version).toBeUndefined();
    }
  });
});
