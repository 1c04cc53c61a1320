# syntax=docker/dockerfile:1
# kube-injector container image: build with the Swift toolchain, run on slim Debian as a non-root user.
#
#   docker build -t kube-injector:dev .
#
# The binary links the Swift standard library and FoundationEssentials statically; it needs only the system
# OpenSSL 3, libcurl and libyaml (the C shims use them), the C++ runtime and glibc 2.36+ (its relocations are
# packed, DT_RELR) at run time.
# Both stages are Debian bookworm, so the libraries it was linked against are the ones it finds.

ARG SWIFT_VERSION=6.3
ARG DEBIAN_RELEASE=bookworm

FROM swift:${SWIFT_VERSION}-${DEBIAN_RELEASE} AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libssl-dev libcurl4-openssl-dev libyaml-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies first, so editing our sources does not refetch them.
COPY Package.swift Package.resolved* ./
RUN swift package resolve
COPY Sources ./Sources
COPY Tests ./Tests
COPY Benchmarks ./Benchmarks
# The release link lays start-up code out in this order (Package.swift, docs/benchmarks.md#memory).
COPY scripts/link-order.txt scripts/build-release.sh ./scripts/
RUN scripts/build-release.sh \
 && install -D -m 0755 "$(scripts/build-release.sh --show-bin-path)/kube-injector" /out/kube-injector

FROM debian:${DEBIAN_RELEASE}-slim AS runtime
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates libssl3 libcurl4 libyaml-0-2 libstdc++6 libgcc-s1 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 65532 kube-injector \
 && useradd --system --uid 65532 --gid 65532 --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin kube-injector
COPY --from=build /out/kube-injector /usr/local/bin/kube-injector
# Nothing is written to the image at run time: the chart mounts the root filesystem read-only, with the
# configuration, the TLS Secret and an emptyDir /tmp as volumes.
USER 65532:65532
EXPOSE 8443 9090
ENTRYPOINT ["/usr/local/bin/kube-injector"]
# The chart passes `serve` and its flags; run alone, the image says which version it is.
CMD ["version"]
