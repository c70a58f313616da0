// otelkit's lint rules: the few that catch real faults in a distro (a promise nobody awaits, a type import that loads
// a module, console output outside the diagnostics module, an import cycle), type-aware, over src/ and test/.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';

const root = dirname(fileURLToPath(import.meta.url));

export default tseslint.config(
  { ignores: ['**/node_modules/**', 'dist/**', 'dist-*/**', 'collector/_build/**'] },
  {
    files: ['src/**/*.ts', 'src/**/*.mts', 'test/**/*.ts'],
    extends: [tseslint.configs.base],
    plugins: { 'import-x': importX },
    languageOptions: {
      parserOptions: { project: ['./tsconfig.json', './test/tsconfig.json'], tsconfigRootDir: root },
    },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.mts', '.js', '.mjs', '.cjs'] })],
      // Without these, the cycle rule cannot read the TypeScript files an import leads to, and finds no cycle.
      'import-x/extensions': ['.ts', '.mts', '.js', '.mjs', '.cjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.mts'] },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // `require('./x') as typeof import('./x')` types a require that is lazy on purpose: allowed.
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      'import-x/no-cycle': 'error',
      'no-console': 'error',
      'prefer-rest-params': 'error',
      'no-restricted-syntax': ['error', { selector: 'ExportAllDeclaration', message: 'Export names, not `*`.' }],
    },
  },
  {
    // The modules whose job is to print: otelkit's own diagnostics, the command line, the dev receiver's renderer.
    files: ['src/diagnostics.ts', 'src/cli.ts', 'src/dev/**/*.ts', 'test/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    // src/ requires packages lazily on purpose (each loads only when the config uses it); tests import.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'error' },
  },
);
