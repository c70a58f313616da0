# The otelkit agent image (scale-out/agent-builder-config.yaml), as scripts/build-collector-agent.sh builds it.
# Build context: collector/. Not built in the project's tests (no Docker there).
FROM golang:1.25-bookworm AS build
ARG OCB_VERSION=v0.157.0
RUN go install go.opentelemetry.io/collector/cmd/builder@${OCB_VERSION}
WORKDIR /src
COPY scale-out/agent-builder-config.yaml .
# The module proxy lacks the .info of this module at v0.157.0 (see scripts/build-collector-agent.sh): a local
# file proxy after the real one supplies it; the module itself is still downloaded and verified as usual.
RUN mkdir -p /info-proxy/github.com/open-telemetry/opentelemetry-collector-contrib/pkg/winperfcounters/@v \
 && echo '{"Version":"v0.157.0"}' >/info-proxy/github.com/open-telemetry/opentelemetry-collector-contrib/pkg/winperfcounters/@v/v0.157.0.info
ENV GOFLAGS=-buildvcs=false CGO_ENABLED=0
RUN GOPROXY="$(go env GOPROXY | sed 's/,direct$//'),file:///info-proxy,direct" \
    builder --config=agent-builder-config.yaml --skip-strict-versioning=false \
 && mv _build/agent/otelkit-agent /otelkit-agent

FROM alpine:3.22
COPY --from=build /otelkit-agent /usr/local/bin/otelkit-agent
COPY scale-out/agent.yaml scale-out/agent.static.yaml scale-out/agent.dns.yaml scale-out/agent.databases.yaml /etc/otelkit/
# Root: hostmetrics reads the host's /proc and mounted file systems under OTELCOL_HOSTMETRICS_ROOT_PATH.
EXPOSE 4317 4318 8888 13133
ENTRYPOINT ["/usr/local/bin/otelkit-agent"]
CMD ["--config=/etc/otelkit/agent.yaml", "--config=/etc/otelkit/agent.static.yaml"]
