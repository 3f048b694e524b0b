#!/usr/bin/env bash
# Makes, once, what the local Kafka's SASL_SSL listener needs, under $FIELDLINK_STATE/kafka-credentials
# (git-ignored, never shipped): a CA, a server certificate for 127.0.0.1/localhost signed by it,
# the PEM keystore Kafka reads, and a random SCRAM-SHA-512 password (mode 600).
#   kafka-credentials.sh   prints the directory
set -euo pipefail
source "$(dirname "$0")/env.sh"
dir="$FIELDLINK_STATE/kafka-credentials"
if [ ! -f "$dir/keystore.pem" ] || [ ! -f "$dir/password" ]; then
  mkdir -p "$dir"
  chmod 700 "$dir"
  ( cd "$dir"
    umask 077
    key=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
    openssl req -x509 "${key[@]}" -keyout ca.key -out ca.pem -days 3650 -subj /CN=fieldlink-local-ca 2>/dev/null
    openssl req "${key[@]}" -keyout server.key -out server.csr -subj /CN=localhost 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' > server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 3650 -extfile server.ext -out server.pem 2>/dev/null
    cat server.key server.pem > keystore.pem
    openssl rand -hex 24 > password
  )
  log "made the local Kafka's CA, server certificate and SCRAM password in $dir"
fi
echo "$dir"
