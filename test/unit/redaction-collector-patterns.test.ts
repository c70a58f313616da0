// collector/config.yaml's blocked_key_patterns against otelkit's key rule: the patterns are the ones generated from
// the secret names, and they decide like isSensitiveKey on the shared table and on generated keys. (The built
// collector runs the same table in test/e2e/collector-redaction.test.ts.)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isSensitiveKey, keyWords, SECRET_NAMES } from '../../src/redaction/redact';
import { collectorKeyPatterns, configuredKeyPatterns, keyPatternsYaml } from '../harness/redaction-patterns';

const table = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'redaction-keys.json'), 'utf8')) as {
  sensitive: string[];
  notSensitive: string[];
};
// RE2 and JavaScript read these patterns alike: groups, classes, anchors and alternation only.
const patterns = configuredKeyPatterns().map((p) => new RegExp(p));
const collectorMasks = (key: string) => patterns.some((re) => re.test(key));

describe('collector/config.yaml blocked_key_patterns', () => {
  it('are the patterns generated from the secret names', () => {
    expect(configuredKeyPatterns(), `collector/config.yaml's blocked_key_patterns should read:\n${keyPatternsYaml()}\n`).toEqual(
      collectorKeyPatterns(),
    );
  });

  it.each([...table.sensitive.map((k) => [k, true] as const), ...table.notSensitive.map((k) => [k, false] as const)])(
    '%s → %s, as otelkit decides',
    (key, sensitive) => {
      expect(collectorMasks(key)).toBe(sensitive);
      expect(isSensitiveKey(key)).toBe(sensitive);
    },
  );

  it('decide like isSensitiveKey on generated keys: secret words in any case, position and separation', () => {
    const words = [...new Set([...SECRET_NAMES.flatMap((n) => keyWords(n)), 'count', 'id', 'tokens', 'ary', 'x', 'less'])];
    const spelled = fc
      .tuple(fc.constantFrom(...words), fc.constantFrom('lower', 'Capital', 'UPPER', 'mIxEd'))
      .map(([w, form]) =>
        form === 'lower'
          ? w
          : form === 'Capital'
            ? w[0]!.toUpperCase() + w.slice(1)
            : form === 'UPPER'
              ? w.toUpperCase()
              : [...w].map((c, i) => (i % 2 ? c.toUpperCase() : c)).join(''),
      );
    const piece = fc.oneof(spelled, fc.constantFrom('.', '_', '-', '__', '2', 'é', ':', ' '));
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 6 }), (pieces) => {
        const key = pieces.join('');
        expect(collectorMasks(key), key).toBe(isSensitiveKey(key));
      }),
      { numRuns: 20000 },
    );
  });
});
