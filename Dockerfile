# syntax=docker/dockerfile:1

# Build a static binary (pure Go SQLite: no cgo).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/topicfeed ./cmd/topicfeed \
 && mkdir -p /out/data

# Minimal runtime: CA certificates and time zone data, no shell, non-root.
FROM gcr.io/distroless/static-debian12:nonroot
WORKDIR /
COPY --from=build /out/topicfeed /usr/local/bin/topicfeed
COPY --from=build /src/config.yaml /config.yaml
# The shipped config's database path "data/topicfeed.db" resolves to /data.
COPY --from=build --chown=nonroot:nonroot /out/data /data
VOLUME /data
EXPOSE 8080
USER nonroot:nonroot
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s CMD ["/usr/local/bin/topicfeed", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/topicfeed"]
CMD ["serve"]
