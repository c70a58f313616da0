# The otelkit agent image for Docker with internet access, built from the same builder manifest as
# scripts/build-collector-agent.sh. Build context: collector/ (compose.yaml does this). Its last stage is
# agent.Containerfile (what `scripts/build-collector-image.sh agent` builds offline with buildah, and the tests
# run) with the files taken from the stages before it; test/e2e/collector-image.test.ts checks that they stay equal.
FROM golang:1.25-bookworm AS build
ARG OCB_VERSION=v0.157.0
RUN go install go.opentelemetry.io/collector/cmd/builder@${OCB_VERSION}
WORKDIR /src
COPY scale-out/agent-builder-config.yaml scale-out/
# The module proxy lacks the .info of this module at v0.157.0 (see scripts/build-collector-agent.sh): a local
# file proxy after the real one supplies it; the module itself is still downloaded and verified as usual.
RUN mkdir -p /info-proxy/github.com/open-telemetry/opentelemetry-collector-contrib/pkg/winperfcounters/@v \
 && echo '{"Version":"v0.157.0"}' >/info-proxy/github.com/open-telemetry/opentelemetry-collector-contrib/pkg/winperfcounters/@v/v0.157.0.info
ENV GOFLAGS=-buildvcs=false CGO_ENABLED=0
# The manifest's output_path (./_build/agent) is relative to collector/, here /src.
RUN GOPROXY="$(go env GOPROXY | sed 's/,direct$//'),file:///info-proxy,direct" \
    builder --config=scale-out/agent-builder-config.yaml --skip-strict-versioning=false

# Debian's busybox-static and CA bundle, the same packages the offline build copies from the build machine.
FROM debian:bookworm-slim AS files
RUN apt-get update && apt-get install -y --no-install-recommends busybox-static ca-certificates \
 && mkdir -p /src/_build/image && cp /bin/busybox /etc/ssl/certs/ca-certificates.crt /src/_build/image/

FROM scratch
ARG VERSION=0.1.0
ARG REVISION=unknown
# busybox: a shell, `wget` for the health check, `cp`/`ls` to look inside a running container.
COPY --from=files /src/_build/image/busybox /bin/busybox
# The agent verifies the TLS certificates of gateways reached over TLS (scale-out/gateway-auth.yaml) against these.
COPY --from=files /src/_build/image/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /src/_build/agent/otelkit-agent /usr/local/bin/otelkit-agent
COPY scale-out/agent.databases.yaml scale-out/agent.dns.yaml scale-out/agent.static.yaml scale-out/agent.yaml /etc/otelkit/
RUN ["/bin/busybox", "sh", "-c", "/bin/busybox --install -s /bin && mkdir -p /tmp && chmod 1777 /tmp"]
# Root: host metrics read the host's /proc and mounted file systems under OTELCOL_HOSTMETRICS_ROOT_PATH. The
# agent keeps no queue on disk, so it has no volume.
USER 0:0
# OTLP gRPC, OTLP HTTP, own metrics, health.
EXPOSE 4317 4318 8888 13133
# The health_check extension answers 200 once every pipeline runs. The port follows OTELCOL_HEALTH_ENDPOINT.
# No `wget -T`: Debian bookworm's busybox-static 1.35 segfaults with it; the health check has its own timeout.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD h="${OTELCOL_HEALTH_ENDPOINT:-0.0.0.0:13133}"; wget -q -O /dev/null "http://127.0.0.1:${h##*:}/" || exit 1
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/otelkit-agent"]
CMD ["--config=/etc/otelkit/agent.yaml", "--config=/etc/otelkit/agent.static.yaml"]
LABEL org.opencontainers.image.title="otelkit-agent" \
      org.opencontainers.image.description="otelkit agent: OTLP and host metrics in; trace-id-aware load balancing to the gateways out" \
      org.opencontainers.image.source="https://github.com/otelkit/otelkit" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="Apache-2.0 AND GPL-2.0-only" \
      org.opencontainers.image.base.name="scratch"
