# syntax=docker/dockerfile:1
# dockmend in an image, for CI jobs, the GitHub Action (action.yml), the
# pre-commit hooks (language: docker_image) and batch changes. From the root of
# a dockmend checkout:
#   docker build -t dockmend:0.1.0 .
#   docker run --rm -u "$(id -u):$(id -g)" -v "$PWD:/src" dockmend:0.1.0 check
# .dockerignore lets in only the sources the build stage copies.

# Build stage: compile dockmend and make the Debian package (scripts/package's
# way), whose Depends dpkg-shlibdeps works out from the binary.
FROM debian:bookworm-slim AS build
# Debian bookworm's own versions, security updates included: not pinned.
# dockmend: ignore=apt-pin
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      binutils cmake dpkg-dev file g++ make \
      libboost-dev libboost-program-options-dev libdtl-dev libfmt-dev libmimalloc-dev libyaml-cpp-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY CMakeLists.txt README.md CHANGELOG.md ./
COPY cmake/ cmake/
COPY grammar/ grammar/
COPY src/ src/
COPY transforms/ transforms/
COPY docs/ docs/
# mimalloc is dockmend's allocator (docs/performance.md): fail here if it was not linked.
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=Release -DDOCKMEND_TESTS=OFF -DDOCKMEND_BENCH=OFF \
      -DCMAKE_INSTALL_PREFIX=/usr \
 && cmake --build /build -j "$(nproc)" \
 && objdump -p /build/dockmend > /tmp/needed && grep -q 'NEEDED.*libmimalloc' /tmp/needed \
 && cpack -G DEB --config /build/CPackConfig.cmake -B /build/package

# Runtime stage: the package, git (inside a work tree dockmend lists files with
# git ls-files, so .gitignore applies) and tini as PID 1.
FROM debian:bookworm-slim
COPY --from=build /build/package/dockmend_*.deb /tmp/dockmend/
# dockmend: ignore=apt-pin
RUN apt-get update \
 && apt-get install -y --no-install-recommends git tini /tmp/dockmend/dockmend_*.deb \
 && rm -rf /var/lib/apt/lists/* /tmp/dockmend \
 && groupadd --gid 10001 dockmend \
 && useradd --no-log-init --uid 10001 --gid 10001 --create-home dockmend \
 && git config --system --add safe.directory '*'
# The checkout is mounted at /src, usually owned by another user than the one
# the container runs as (docker run -u, pre-commit and the Action pass the
# caller's): safe.directory above lets git list its files all the same.
WORKDIR /src
USER 10001:10001
ENTRYPOINT ["/usr/bin/tini", "--", "dockmend"]
CMD ["--help"]
