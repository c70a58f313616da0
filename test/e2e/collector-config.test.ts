// The collector configs in collector/ against the built binaries: `validate` passes on each (with the variables
// they need set to dummy values), and each binary (the collector, and the scale-out agent) holds exactly the
// components its configs use.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../harness/app';
import {
  AGENT_BINARY,
  COLLECTOR_BINARY,
  COLLECTOR_CONFIG,
  FILELOG_OVERLAY,
  missingPrerequisites,
  requirePrerequisites,
  SCALE_OUT_DIR,
} from './collector-harness';

const run = promisify(execFile);
const COLLECTOR_DIR = join(REPO_ROOT, 'collector');

const GATEWAY_OVERLAY = join(SCALE_OUT_DIR, 'gateway.yaml');
const PSEUDONYMISE_OVERLAY = join(REPO_ROOT, 'collector', 'config.pseudonymise.yaml');
const GATEWAY_AUTH_OVERLAY = join(SCALE_OUT_DIR, 'gateway-auth.yaml');
const AGENT_CONFIG = join(SCALE_OUT_DIR, 'agent.yaml');
const AGENT_STATIC = join(SCALE_OUT_DIR, 'agent.static.yaml');
const AGENT_DNS = join(SCALE_OUT_DIR, 'agent.dns.yaml');
const AGENT_DATABASES = join(SCALE_OUT_DIR, 'agent.databases.yaml');

/** Every config the project ships, as the collector is meant to be started with it. */
const CONFIG_SETS: string[][] = [
  [COLLECTOR_CONFIG],
  [COLLECTOR_CONFIG, FILELOG_OVERLAY],
  [COLLECTOR_CONFIG, join(COLLECTOR_DIR, 'config.dated-index.yaml')],
  [COLLECTOR_CONFIG, PSEUDONYMISE_OVERLAY],
  [COLLECTOR_CONFIG, GATEWAY_OVERLAY],
  [COLLECTOR_CONFIG, GATEWAY_OVERLAY, GATEWAY_AUTH_OVERLAY],
];
/** The agent's: its config always with one resolver overlay. */
const AGENT_CONFIG_SETS: string[][] = [
  [AGENT_CONFIG, AGENT_STATIC],
  [AGENT_CONFIG, AGENT_DNS],
  [AGENT_CONFIG, AGENT_STATIC, AGENT_DATABASES],
];

/** Dummy values for every variable the configs read without a default. */
const REQUIRED_ENV = {
  SENTRY_OTLP_ENDPOINT: 'https://o1.ingest.example.invalid/api/2/integration/otlp',
  SENTRY_PUBLIC_KEY: 'dummy-public-key',
  OTELCOL_GATEWAY_TOKEN: 'dummy-token',
  OTELCOL_TLS_CERT_FILE: '/dummy/cert.pem',
  OTELCOL_TLS_KEY_FILE: '/dummy/key.pem',
  OTELKIT_PSEUDONYMISATION_KEY: 'dummy-pseudonymisation-key-of-32-bytes',
};
const AGENT_REQUIRED_ENV = {
  OTELCOL_GATEWAY_ENDPOINTS: '[gateway-1.example.invalid:4317, gateway-2.example.invalid:4317]',
  OTELCOL_GATEWAY_HOSTNAME: 'gateway-headless.example.invalid',
};

async function validate(
  configs: string[],
  env: Record<string, string>,
  binary = COLLECTOR_BINARY,
): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await run(binary, ['validate', ...configs.map((c) => `--config=${c}`)], {
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    return { ok: true, output: stdout + stderr };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** Component ids under receivers/processors/exporters/extensions of one config file (our files: 2-space YAML). */
function componentTypesIn(file: string): Map<string, Set<string>> {
  const kinds = new Map<string, Set<string>>();
  let section: string | undefined;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const top = /^([a-z_]+):/.exec(line);
    if (top) section = ['receivers', 'processors', 'exporters', 'extensions'].includes(top[1]!) ? top[1] : undefined;
    const child = /^ {2}([a-z_]+)(\/[^:]*)?:/.exec(line);
    if (section && child) {
      if (!kinds.has(section)) kinds.set(section, new Set());
      kinds.get(section)!.add(child[1]!);
    }
  }
  return kinds;
}

/** `otelkit-collector components` prints YAML: per kind, a list of `- name: <type>` entries. */
function componentTypesBuilt(output: string): Map<string, Set<string>> {
  const kinds = new Map<string, Set<string>>();
  let section: string | undefined;
  for (const line of output.split('\n')) {
    const top = /^([a-z_]+):/.exec(line);
    if (top) section = top[1];
    const name = /^\s*- name: (\S+)/.exec(line);
    if (section && name && ['receivers', 'processors', 'exporters', 'extensions'].includes(section)) {
      if (!kinds.has(section)) kinds.set(section, new Set());
      kinds.get(section)!.add(name[1]!);
    }
  }
  return kinds;
}

/** Union of the component types the given config files use, per kind. */
function componentTypesUsed(files: string[]): Map<string, Set<string>> {
  const used = new Map<string, Set<string>>();
  for (const file of files) {
    for (const [kind, types] of componentTypesIn(file)) used.set(kind, new Set([...(used.get(kind) ?? []), ...types]));
  }
  return used;
}

const missing = missingPrerequisites(false, true);

describe.runIf(missing.length === 0)('collector configs', () => {
  it('every collector config file in collector/ and collector/scale-out/ is validated below', () => {
    const yamlIn = (dir: string, exclude: string[]) =>
      readdirSync(dir)
        .filter((f) => /\.ya?ml$/.test(f) && !exclude.includes(f))
        .map((f) => join(dir, f));
    // compose.yaml is the stack's compose file (test/e2e/compose-stack.test.ts), not a collector config.
    const shipped = [
      ...yamlIn(COLLECTOR_DIR, ['builder-config.yaml', 'compose.yaml']),
      ...yamlIn(SCALE_OUT_DIR, ['agent-builder-config.yaml', 'kustomization.yaml']),
    ].sort();
    expect(shipped).toEqual([...new Set([...CONFIG_SETS.flat(), ...AGENT_CONFIG_SETS.flat()])].sort());
  });

  for (const configs of AGENT_CONFIG_SETS) {
    const label = configs.map((c) => c.slice(REPO_ROOT.length + 1)).join(' + ');
    it(`agent validate passes: ${label}`, async () => {
      const result = await validate(configs, AGENT_REQUIRED_ENV, AGENT_BINARY);
      expect(result.output).not.toMatch(/error/i);
      expect(result.ok).toBe(true);
    });
  }

  it('agent validate fails without a resolver overlay, and with both (exactly one names the gateways)', async () => {
    expect((await validate([AGENT_CONFIG], AGENT_REQUIRED_ENV, AGENT_BINARY)).output).toMatch(/no resolvers specified/);
    const both = await validate([AGENT_CONFIG, AGENT_STATIC, AGENT_DNS], AGENT_REQUIRED_ENV, AGENT_BINARY);
    expect(both.output).toMatch(/only one resolver/);
  });

  it('the agent binary holds exactly the components the agent configs use', async () => {
    const { stdout } = await run(AGENT_BINARY, ['components']);
    const built = componentTypesBuilt(stdout);
    const used = componentTypesUsed(AGENT_CONFIG_SETS.flat());
    for (const kind of ['receivers', 'processors', 'exporters', 'extensions']) {
      expect([...(built.get(kind) ?? [])].sort(), kind).toEqual([...(used.get(kind) ?? [])].sort());
    }
  });

  for (const configs of CONFIG_SETS) {
    const label = configs.map((c) => c.slice(REPO_ROOT.length + 1)).join(' + ');
    it(`validate passes: ${label}`, async () => {
      const result = await validate(configs, REQUIRED_ENV);
      expect(result.output).not.toMatch(/error/i);
      expect(result.ok).toBe(true);
    });
  }

  it('validate fails when the Sentry endpoint is not set (it is required, not defaulted)', async () => {
    const result = await validate([COLLECTOR_CONFIG], { SENTRY_PUBLIC_KEY: 'dummy-public-key' });
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/otlp_http\/sentry/);
  });

  it('the binary holds exactly the components the configs use', async () => {
    const { stdout } = await run(COLLECTOR_BINARY, ['components']);
    const built = componentTypesBuilt(stdout);
    const used = componentTypesUsed(CONFIG_SETS.flat());
    for (const kind of ['receivers', 'processors', 'exporters', 'extensions']) {
      expect([...(built.get(kind) ?? [])].sort(), kind).toEqual([...(used.get(kind) ?? [])].sort());
    }
  });
});

requirePrerequisites('collector configs', missing);
