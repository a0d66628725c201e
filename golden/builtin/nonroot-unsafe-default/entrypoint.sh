#!/bin/sh
set -e
python -m src.migrate
exec "$@"
