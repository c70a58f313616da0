// The OpenTelemetry Operator image (collector/docker/autoinstrumentation.Containerfile, built by
// scripts/build-autoinstrumentation-image.sh): its init container's copy step run with podman onto a host folder,
// then an app started with the NODE_OPTIONS the operator sets; traces, metrics and logs reach an OTLP receiver.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App, fastExportEnv, get, REPO_ROOT } from '../harness/app';
import { OtlpReceiver } from '../harness/otlp-receiver';
import { missingContainerTools, podman, run } from '../harness/podman';
import { requirePrerequisites } from './collector-harness';

// The operator's own paths and command (pkg/instrumentation/nodejs.go in opentelemetry-operator).
const MOUNT = '/otel-auto-instrumentation-nodejs';
const COPY_COMMAND = ['cp', '-r', '/autoinstrumentation/.', MOUNT];
const SERVICE = 'operator-injected';

const missing = [
  ...missingContainerTools(),
  ...(existsSync(join(REPO_ROOT, 'dist', 'register.js')) ? [] : ['no dist/register.js: run npm run build']),
];

describe.runIf(missing.length === 0)('the auto-instrumentation image for the OpenTelemetry Operator', () => {
  let image = '';
  let folder = '';
  const receiver = new OtlpReceiver();
  let app: App | undefined;

  beforeAll(async () => {
    const built = Date.now();
    const result = await run('bash', [join(REPO_ROOT, 'scripts', 'build-autoinstrumentation-image.sh')], 900_000);
    if (result.code !== 0) throw new Error(`build-autoinstrumentation-image.sh exited ${result.code}:\n${result.stderr}`);
    image = result.stdout.trim();
    const size = await podman(['image', 'inspect', '--format', '{{.Size}}', image]);
    process.stderr.write(`${image}: built or found in ${Date.now() - built} ms, ${(Number(size) / 1e6).toFixed(1)} MB\n`);
    // An emptyDir, as the operator mounts it: writable by whichever user the init container runs as.
    folder = mkdtempSync(join(tmpdir(), 'otelkit-operator-'));
    chmodSync(folder, 0o777);
    await receiver.start();
  }, 900_000);

  afterAll(async () => {
    await app?.stop('SIGKILL');
    await receiver.stop();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it('is the image the Kubernetes Instrumentation resource names', () => {
    const manifest = readFileSync(join(REPO_ROOT, 'collector', 'scale-out', 'k8s', 'instrumentation.yaml'), 'utf8');
    expect(manifest).toContain(`    image: ${image}\n`);
  });

  it('is labelled and runs as a non-root user', async () => {
    const config = JSON.parse(await podman(['image', 'inspect', '--format', '{{json .Config}}', image])) as {
      User: string;
      Labels: Record<string, string>;
      Cmd: string[];
    };
    expect(config.User).toBe('10001:10001');
    expect(config.Cmd).toEqual(COPY_COMMAND);
    expect(config.Labels['org.opencontainers.image.source']).toBe('https://github.com/otelkit/otelkit');
    expect(config.Labels['org.opencontainers.image.version']).toBe('0.2.0');
    expect(config.Labels['org.opencontainers.image.licenses']).toMatch(/^(\S+ AND )+\S+$/);
    expect(config.Labels['org.opencontainers.image.licenses']).toContain('Apache-2.0');
  });

  it("the init container's copy step, then NODE_OPTIONS=--require …/autoinstrumentation.js: traces, metrics and logs arrive", async () => {
    await podman(
      ['run', '--rm', '--runtime', 'runc', '--network', 'none', '--volume', `${folder}:${MOUNT}`, image, ...COPY_COMMAND],
      180_000,
    );
    for (const file of [
      'autoinstrumentation.js',
      'node_modules/otelkit/dist/register.js',
      'node_modules/@opentelemetry/api/package.json',
    ]) {
      expect(existsSync(join(folder, file)), file).toBe(true);
    }

    // The operator's exact value (it prepends a space, to append to a NODE_OPTIONS the pod may already set).
    app = new App('winston-app.cjs', {
      preload: 'none',
      env: {
        ...fastExportEnv(receiver.url),
        OTEL_SERVICE_NAME: SERVICE,
        NODE_OPTIONS: ` --require ${join(folder, 'autoinstrumentation.js')}`,
      },
    });
    expect((await get(await app.url('/hello'))).status).toBe(200);
    await receiver.waitFor(
      () =>
        receiver.spans.some((s) => s.resource['service.name'] === SERVICE && s.kind === 2) &&
        receiver.logs.some((l) => l.body === 'winston says hello') &&
        receiver.metrics.some((m) => m.name === 'http.server.request.duration'),
      30_000,
      'a server span, the log record and the request metric',
    );
    const span = receiver.spans.find((s) => s.resource['service.name'] === SERVICE && s.kind === 2)!;
    expect(span.resource['telemetry.distro.name']).toBe('otelkit');
    const log = receiver.logs.find((l) => l.body === 'winston says hello')!;
    expect(log.traceId).toBe(span.traceId);
    // The app's own lines carry the trace context otelkit adds.
    expect(app.stdout).toContain(`"trace_id":"${span.traceId}"`);
  }, 240_000);
});

requirePrerequisites('auto-instrumentation image', missing);
