# The otelkit collector image, built from the same builder manifest as scripts/build-collector.sh.
# Build context: collector/ (compose.yaml does this). Not built in the project's tests (no Docker there).
FROM golang:1.25-bookworm AS build
ARG OCB_VERSION=v0.156.0
RUN go install go.opentelemetry.io/collector/cmd/builder@${OCB_VERSION}
WORKDIR /src
COPY builder-config.yaml .
# The checksum database has no entry for this module (see collector/README.md): download it without the lookup.
ENV GONOSUMDB=go.opentelemetry.io/ebpf-profiler GOFLAGS=-buildvcs=false CGO_ENABLED=0
RUN builder --config=builder-config.yaml --skip-strict-versioning=false

FROM alpine:3.22
RUN adduser -D -u 10001 otelcol && mkdir -p /var/lib/otelcol/otelkit && chown otelcol /var/lib/otelcol/otelkit
COPY --from=build /src/_build/otelkit-collector /usr/local/bin/otelkit-collector
COPY config.yaml config.filelog.yaml /etc/otelkit/
COPY scale-out/gateway.yaml /etc/otelkit/scale-out/gateway.yaml
USER otelcol
EXPOSE 4317 4318 8888 8889 13133
# busybox wget serves the compose health check.
ENTRYPOINT ["/usr/local/bin/otelkit-collector"]
CMD ["--config=/etc/otelkit/config.yaml"]
