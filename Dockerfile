# The veriff emulator (go run ./cmd/veriff emulator) as a container image:
# a local Veriff for docker-compose setups, listening on 8700 with its dev
# credentials (or $VERIFF_API_KEY and $VERIFF_SHARED_SECRET). See
# docs/docker-compose.md. Base images are named in full (registry/name:tag).
#
#   docker build -t veriff-emulator .
#   docker run --rm -p 127.0.0.1:8700:8700 veriff-emulator

FROM docker.io/library/golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/veriff ./cmd/veriff \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/veriff /veriff
# For -data-dir=/data: a named volume there takes this owner (nonroot).
COPY --from=build --chown=65532:65532 /out/data /data
USER nonroot:nonroot
EXPOSE 8700
ENTRYPOINT ["/veriff"]
CMD ["emulator", "-addr", "0.0.0.0:8700"]
