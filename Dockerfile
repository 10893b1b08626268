# The veriff emulator (go run ./cmd/veriff emulator) as a container image:
# a local Veriff for docker-compose setups, listening on 8700 with its dev
# credentials. See docs/docker-compose.md.
#
#   docker build -t veriff-emulator .
#   docker run --rm -p 8700:8700 veriff-emulator

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/veriff ./cmd/veriff

FROM gcr.io/distroless/static:nonroot
COPY --from=build /out/veriff /veriff
USER nonroot:nonroot
EXPOSE 8700
ENTRYPOINT ["/veriff"]
CMD ["emulator", "-addr", "0.0.0.0:8700"]
