#!/usr/bin/env bash
# Renders Dockerfile-*.template into each version directory (docker-library style).
set -Eeuo pipefail
