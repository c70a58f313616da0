# The otelkit collector image for Docker with internet access, built from the same builder manifest as
# scripts/build-collector.sh. Build context: collector/ (compose.yaml does this). Its last stage is
# collector.Containerfile (what scripts/build-collector-image.sh builds offline with buildah, and the tests run)
# with the files taken from the stages before it; test/e2e/collector-image.test.ts checks that they stay equal.
FROM golang:1.25-bookworm AS build
ARG OCB_VERSION=v0.156.0
RUN go install go.opentelemetry.io/collector/cmd/builder@${OCB_VERSION}
WORKDIR /src
COPY builder-config.yaml .
# The checksum database has no entry for this module (see collector/README.md): download it without the lookup.
ENV GONOSUMDB=go.opentelemetry.io/ebpf-profiler GOFLAGS=-buildvcs=false CGO_ENABLED=0
RUN builder --config=builder-config.yaml --skip-strict-versioning=false

# Debian's busybox-static and CA bundle, the same packages the offline build copies from the build machine.
FROM debian:bookworm-slim AS files
RUN apt-get update && apt-get install -y --no-install-recommends busybox-static ca-certificates \
 && mkdir -p /src/_build/image && cp /bin/busybox /etc/ssl/certs/ca-certificates.crt /src/_build/image/

FROM scratch
ARG VERSION=0.1.0
ARG REVISION=unknown
# busybox: a shell, `wget` for the health check, `cp`/`ls` to look inside a running container.
COPY --from=files /src/_build/image/busybox /bin/busybox
# The collector verifies the TLS certificates of Elasticsearch and Sentry against these.
COPY --from=files /src/_build/image/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /src/_build/otelkit-collector /usr/local/bin/otelkit-collector
COPY config.dated-index.yaml config.filelog.yaml config.pseudonymise.yaml config.yaml /etc/otelkit/
COPY scale-out/gateway-auth.yaml scale-out/gateway.yaml /etc/otelkit/scale-out/
# A user with a name (so that tools inside the container show one) and the queue directory it owns: a named
# volume mounted there starts as a copy of it, owned by that user.
RUN ["/bin/busybox", "sh", "-c", "/bin/busybox --install -s /bin \
 && echo 'root:x:0:0:root:/root:/bin/sh' >/etc/passwd \
 && echo 'otelcol:x:10001:10001:otelkit collector:/var/lib/otelcol:/sbin/nologin' >>/etc/passwd \
 && printf 'root:x:0:\\notelcol:x:10001:\\n' >/etc/group \
 && mkdir -p /tmp /var/lib/otelcol/otelkit && chmod 1777 /tmp \
 && chown -R 10001:10001 /var/lib/otelcol && chmod 0700 /var/lib/otelcol/otelkit"]
USER 10001:10001
# The persistent sending queues (OTELCOL_STORAGE_DIR): what the collector accepted survives a new container.
VOLUME /var/lib/otelcol/otelkit
# OTLP gRPC, OTLP HTTP, own metrics, application metrics (Prometheus), health.
EXPOSE 4317 4318 8888 8889 13133
# The health_check extension answers 200 once every pipeline runs. The port follows OTELCOL_HEALTH_ENDPOINT.
# No `wget -T`: Debian bookworm's busybox-static 1.35 segfaults with it; the health check has its own timeout.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD h="${OTELCOL_HEALTH_ENDPOINT:-0.0.0.0:13133}"; wget -q -O /dev/null "http://127.0.0.1:${h##*:}/" || exit 1
# SIGTERM drains the pipelines and closes the queue files; orchestrators send SIGKILL after their grace period.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/otelkit-collector"]
CMD ["--config=/etc/otelkit/config.yaml"]
LABEL org.opencontainers.image.title="otelkit-collector" \
      org.opencontainers.image.description="otelkit collector distribution: OTLP in; Elasticsearch, Sentry and Prometheus out" \
      org.opencontainers.image.source="https://github.com/otelkit/otelkit" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="Apache-2.0 AND GPL-2.0-only" \
      org.opencontainers.image.base.name="scratch"
