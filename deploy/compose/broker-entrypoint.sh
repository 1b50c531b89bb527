#!/bin/bash
# The RabbitMQ image's entrypoint, after writing the definitions the node imports at boot (load_definitions): the
# template definitions.json with each ${LGSP_BROKER_<USER>_PASSWORD} replaced by that variable's value. No password
# sits in a file of the repository; compose and Kubernetes pass them from the operator's secrets.
set -euo pipefail

template="${LGSP_DEFINITIONS_TEMPLATE:-/etc/lgsp/definitions.json}"
target="${LGSP_DEFINITIONS:-/tmp/lgsp/definitions.json}"

definitions="$(<"$template")"
for placeholder in $(grep -o '\${LGSP_BROKER_[A-Z_]*_PASSWORD}' "$template" | sort -u); do
  variable="${placeholder:2:-1}"
  value="${!variable:-}"
  [[ -n "$value" ]] || { echo "broker: $variable is not set (deploy/README.md)" >&2; exit 1; }
  # Passwords go into amqp:// and http:// URLs as they are, and into JSON: unreserved characters only.
  [[ "$value" =~ ^[A-Za-z0-9._~-]{16,}$ ]] || { echo "broker: $variable must be 16 or more of A-Z a-z 0-9 . _ ~ -" >&2; exit 1; }
  definitions="${definitions//"$placeholder"/$value}"
done

mkdir -p "$(dirname "$target")"
( umask 077; printf '%s\n' "$definitions" >"$target" )
[[ "${1:-}" == --render-only ]] && exit 0
exec docker-entrypoint.sh "$@"
