# truce in a container, for clusters (deploy/k8s/). Build from the repository's top folder:
#   docker build -t truce:0.1.0 .
FROM rust:1.89-bookworm AS build
WORKDIR /build
COPY . .
RUN cargo build --release --locked && strip target/release/truce

FROM debian:bookworm-slim
COPY --from=build /build/target/release/truce /usr/local/bin/truce
# The shipped scenarios and data, so that a job can run them by their usual paths.
COPY scenarios /truce/scenarios
COPY data /truce/data
COPY examples /truce/examples
WORKDIR /truce
ENTRYPOINT ["truce"]
