#!/usr/bin/env bash
# Thin wrapper: the certificate tooling lives in certs/ (see certs/gen-certs.sh for the options).
exec "$(dirname "$0")/../certs/gen-certs.sh" "$@"
