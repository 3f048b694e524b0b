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
{{- $base := dict "kafka" $kafka "topics" (dict "prefix" $v.topicPrefix) "http" (dict "port" 8080) "log" (dict "level" $v.defaults.logLevel) -}}
{{- if eq .name "mqtt-gateway" }}{{ $_ := set $base "mqtt" (dict "url" .svc.mqttUrl) }}{{ end -}}
{{- if eq .name "dds-gateway" }}{{ $_ := set $base "dds" (dict "qosFile" "/etc/fieldlink/dds/fieldlink.xml") }}{{ end -}}
{{- toYaml (mustMergeOverwrite $base (deepCopy .svc.config)) -}}
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
