#!/bin/sh
set -e
envsubst < /app/app.conf.tmpl > /etc/app.conf
exec python -m app
