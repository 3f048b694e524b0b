{{/* What differs between the apps, fixed by the code rather than by values. */}}
{{- define "fieldlink.facts" -}}
mqtt-gateway: { stateful: true, pki: false, coap: false, dds: false }
coap-gateway: { stateful: true, pki: false, coap: true, dds: false }
opcua-gateway: { stateful: true, pki: true, coap: false, dds: false }
dds-gateway: { stateful: true, pki: false, coap: false, dds: true }
stream-processor: { stateful: false, pki: false, coap: false, dds: false }
{{- end -}}

{{- define "fieldlink.fullname" -}}
{{- printf "%s-%s" .root.Release.Name .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "fieldlink.selectorLabels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{- define "fieldlink.labels" -}}
{{ include "fieldlink.selectorLabels" . }}
app.kubernetes.io/part-of: fieldlink
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end -}}

{{- define "fieldlink.image" -}}
{{- $img := .root.Values.image -}}
{{- printf "%s/%s%s:%s" $img.registry $img.repositoryPrefix .name (default .root.Chart.AppVersion $img.tag) -}}
{{- end -}}

{{/* The config file every service reads: Kafka and topics from the shared values, then the service's own config on top. */}}
{{- define "fieldlink.config" -}}
{{- $v := .root.Values -}}
{{- $kafka := dict "brokers" $v.kafka.brokers -}}
{{- if $v.kafka.tls.enabled }}{{ $_ := set $kafka "tls" (dict "caFile" "/etc/fieldlink/kafka-ca/ca.pem") }}{{ end -}}
{{- if $v.kafka.sasl.enabled }}{{ $_ := set $kafka "sasl" (dict "mechanism" $v.kafka.sasl.mechanism "username" $v.kafka.sasl.username) }}{{ end -}}
{{- $base := dict "kafka" $kafka "topics" (dict "prefix" (printf "%sfieldlink." $v.topicPrefix)) "http" (dict "port" 8080) "log" (dict "level" $v.defaults.logLevel) -}}
{{- if eq .name "mqtt-gateway" }}{{ $_ := set $base "mqtt" (dict "url" .svc.mqttUrl) }}{{ if eq (include "fieldlink.mqttReplicas" .) "shards" }}{{ $_ := set $base "sharding" (dict "count" (int .svc.replicas)) }}{{ end }}{{ end -}}
{{- /* Replicas share the delivery of commands (apps/mqtt-gateway/README.md, Scale-out); Sparkplug keeps its births per replica. */ -}}
{{- if and (eq .name "mqtt-gateway") (not (and .svc.config (hasKey .svc.config "sparkplug"))) }}{{ $_ := set $base "commands" (dict "deliveryGroup" (include "fieldlink.fullname" .)) }}{{ end -}}
{{- if eq .name "dds-gateway" }}{{ $_ := set $base "dds" (dict "qosFile" "/etc/fieldlink/dds/fieldlink.xml") }}{{ end -}}
{{- if hasKey .svc "spool" }}{{ $_ := set $base "spool" (dict "maxBytes" (include "fieldlink.spoolMaxBytes" . | int64)) }}{{ end -}}
{{- toYaml (mustMergeOverwrite $base (deepCopy .svc.config)) -}}
{{- end -}}

{{/*
The spool limit a gateway applies (its config's spool.maxBytes, else spool.maxBytes), refusing a
volume that cannot hold it with room to spare: the spool also keeps the segment being read, and
the filesystem its own reserve. On a volume that fills first, acknowledgements stop before the
limit and its overflow policy apply.
*/}}
{{- define "fieldlink.spoolMaxBytes" -}}
{{- $limit := include "fieldlink.bytes" .svc.spool.maxBytes | int64 -}}
{{- with .svc.config.spool }}{{ if hasKey . "maxBytes" }}{{ if not (or (kindIs "float64" .maxBytes) (kindIs "int64" .maxBytes)) }}{{ fail (printf "services.%s.config.spool.maxBytes must be a number of bytes (or set services.%s.spool.maxBytes, which takes 1Gi-style quantities)" $.name $.name) }}{{ end }}{{ $limit = int64 .maxBytes }}{{ end }}{{ end -}}
{{- $volume := include "fieldlink.bytes" .svc.spool.size | int64 -}}
{{- if lt (mulf $volume 1.0) (mulf $limit 1.5) -}}
{{- fail (printf "services.%s.spool.size (%s) must be at least 1.5 times the spool limit (%d bytes, spool.maxBytes): the spool also keeps the segment being read and the filesystem a reserve; raise the size or lower spool.maxBytes" .name .svc.spool.size $limit) -}}
{{- end -}}
{{- $limit -}}
{{- end -}}

{{/* Bytes in a Kubernetes quantity such as 2Gi, 1.5G or 1048576. */}}
{{- define "fieldlink.bytes" -}}
{{- $q := toString . -}}
{{- $number := regexFind "^[0-9]+(\\.[0-9]+)?" $q -}}
{{- $units := dict "" 1 "Ki" 1024 "Mi" 1048576 "Gi" 1073741824 "Ti" 1099511627776 "k" 1000 "M" 1000000 "G" 1000000000 "T" 1000000000000 -}}
{{- mulf (float64 $number) (get $units (trimPrefix $number $q)) | int64 -}}
{{- end -}}

{{/* The restricted Pod Security Standard, for every pod and container. */}}
{{- define "fieldlink.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 1000
runAsGroup: 1000
fsGroup: 1000
seccompProfile: { type: RuntimeDefault }
{{- end -}}

{{- define "fieldlink.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities: { drop: [ALL] }
seccompProfile: { type: RuntimeDefault }
{{- end -}}

{{/*
More than one MQTT gateway replica: either every mapping has a shareGroup (the broker hands each
message to one replica), or none has and the replicas divide the devices into static shards (each
sees every message and forwards its own devices'; apps/mqtt-gateway/README.md, Scale-out). Some
mappings shared and others not would have every replica forward the unshared ones. A Sparkplug
host needs every message of an edge node, in order: one replica. Prints "shards" or "shared".
*/}}
{{- define "fieldlink.mqttReplicas" -}}
{{- if gt (int .svc.replicas) 1 -}}
{{- if and .svc.config (hasKey .svc.config "sparkplug") }}{{ fail (printf "services.mqtt-gateway.replicas is %d, but config.sparkplug is set: Sparkplug's seq is checked per edge node, so all of a node's messages must reach one gateway. Run one replica per set of config.sparkplug.groups (a release each)" (int .svc.replicas)) }}{{ end -}}
{{- with .svc.config.mqtt }}{{ if .clientId }}{{ fail (printf "services.mqtt-gateway.replicas is %d, but config.mqtt.clientId names one MQTT session for all of them: they would take it from each other. Leave it unset (each replica's is fieldlink-<pod name>)" (int $.svc.replicas)) }}{{ end }}{{ end -}}
{{- with .svc.config.sharding }}{{ fail "services.mqtt-gateway.config.sharding is set by the chart from replicas: leave it out" }}{{ end -}}
{{- $mappings := default (list (dict "name" "telemetry") (dict "name" "status")) (.svc.config.mappings) -}}
{{- $shared := list -}}{{- $unshared := list -}}
{{- range $mappings }}{{ if .shareGroup }}{{ $shared = append $shared (.name | toString) }}{{ else }}{{ $unshared = append $unshared (.name | toString) }}{{ end }}{{ end -}}
{{- if and $shared $unshared -}}
{{- fail (printf "services.mqtt-gateway.replicas is %d, but mapping %q has a shareGroup and mapping %q has none: every replica would forward the second's messages. Give every mapping a shareGroup, or none (the replicas then divide the devices into shards, which keeps each device's order; apps/mqtt-gateway/README.md, Scale-out)" (int .svc.replicas) (first $shared) (first $unshared)) -}}
{{- end -}}
{{- if $shared }}shared{{ else }}shards{{ end -}}
{{- end -}}
{{- end -}}
