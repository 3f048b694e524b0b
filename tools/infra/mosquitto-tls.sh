#!/usr/bin/env bash
# Runs Mosquitto in the foreground with one TLS-only listener on 127.0.0.1 that requires a
# client certificate (mTLS). The certificate's CN becomes the MQTT username
# (use_identity_as_username), and the ACL lets each device publish only to its own topics.
#   mosquitto-tls.sh <state-dir> <port> <ca-file> <server-cert> <server-key> [gateway-identity]
# gateway-identity (default fieldlink-gateway) is the CN of the gateway's client certificate.
set -euo pipefail
source "$(dirname "$0")/env.sh"
dir="$1"; port="$2"; gateway="${6:-fieldlink-gateway}"
mkdir -p "$dir/data" "$dir/tls"
cp "$3" "$dir/tls/ca.pem"; cp "$4" "$dir/tls/server.pem"; cp "$5" "$dir/tls/server.key"
ca="$dir/tls/ca.pem"; cert="$dir/tls/server.pem"; key="$dir/tls/server.key"
cat > "$dir/acl" <<ACL
# The gateway reads what devices send and writes their commands.
user $gateway
topic read sensors/+/data
topic read devices/+/status
topic write commands/#

# Every other identity is a device: its own topics only (%u is its certificate CN).
pattern write sensors/%u/data
pattern write devices/%u/status
pattern read commands/%u
ACL
cat > "$dir/mosquitto.conf" <<CONF
per_listener_settings false
allow_anonymous false
acl_file $dir/acl
persistence true
persistence_location $dir/data/
max_queued_messages 0
max_inflight_messages 1000

listener $port 127.0.0.1
cafile $ca
certfile $cert
keyfile $key
require_certificate true
use_identity_as_username true
tls_version tlsv1.2

log_dest stdout
log_type error
log_type warning
log_type notice
CONF
mosquitto_owns "$dir"
exec mosquitto -c "$dir/mosquitto.conf"
