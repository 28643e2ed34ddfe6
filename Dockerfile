# syntax=docker/dockerfile:1

# Build: a static binary (no cgo), so it runs on distroless/static.
FROM golang:1.26-bookworm AS build
WORKDIR /src
# Modules first, as their own layer: it is rebuilt only when go.mod or
# go.sum change, not on every source edit.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/layanan ./cmd/layanan
# The image has no shell to create /data later; make it here, so that a
# new named volume mounted there starts owned by the nonroot user.
RUN mkdir -p /out/data

# Run: no shell, no package manager, user nonroot (65532).
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/layanan /layanan
# The content is embedded in the binary; this copy is for FAQ_DIR=/faq,
# with a folder of your own mounted over it.
COPY --from=build /src/faq /faq
COPY --from=build --chown=65532:65532 /out/data /data
ENV DATA_DIR=/data HTTP_ADDR=:8080
VOLUME /data
# 8080: ops (/healthz, /readyz, /metrics); 8443: webhook (LISTEN_ADDR).
EXPOSE 8080 8443
USER nonroot:nonroot
# No curl in the image: the binary probes its own /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["/layanan", "health"]
ENTRYPOINT ["/layanan"]
CMD ["serve"]
