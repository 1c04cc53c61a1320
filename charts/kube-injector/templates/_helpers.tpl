{{/* Names and labels shared by every object of the release. */}}

{{- define "kube-injector.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "kube-injector.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "kube-injector.selectorLabels" -}}
app.kubernetes.io/name: {{ include "kube-injector.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "kube-injector.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "kube-injector.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: kube-injector
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* A map without its null entries: a value set to null removes the chart's default (runAsUser on OpenShift). */}}
{{- define "kube-injector.withoutNulls" -}}
{{- $result := dict }}
{{- range $key, $value := . }}
{{- if not (kindIs "invalid" $value) }}
{{- $_ := set $result $key $value }}
{{- end }}
{{- end }}
{{- if $result }}
{{- toYaml $result }}
{{- else -}}
{}
{{- end }}
{{- end }}

{{/* The ports the containers listen on: the node's with hostNetwork, the pod's otherwise. */}}
{{- define "kube-injector.serverPort" -}}
{{- if .Values.hostNetwork }}{{ int .Values.server.hostNetworkPort }}{{ else }}{{ int .Values.server.port }}{{ end }}
{{- end }}

{{- define "kube-injector.metricsPort" -}}
{{- if .Values.hostNetwork }}{{ int .Values.metrics.hostNetworkPort }}{{ else }}{{ int .Values.metrics.port }}{{ end }}
{{- end }}

{{/* The Secret the pods mount: tls.crt and tls.key, whichever mode made it. */}}
{{- define "kube-injector.tlsSecretName" -}}
{{- if eq .Values.certificates.mode "secret" }}
{{- .Values.certificates.secret.name }}
{{- else }}
{{- printf "%s-tls" (include "kube-injector.fullname" .) }}
{{- end }}
{{- end }}

{{- define "kube-injector.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/*
Namespaces the webhook never sees: the control plane's own and the release's, so the webhook can never
block itself or the cluster. Users add to the list; they cannot remove these.
*/}}
{{- define "kube-injector.excludedNamespaces" -}}
{{- $always := list "kube-system" "kube-node-lease" "kube-public" .Release.Namespace }}
{{- concat $always .Values.webhook.excludeNamespaces | uniq | toJson }}
{{- end }}

{{/* Where the server listens, as the serve command's HOST:PORT flags expect. */}}
{{- define "kube-injector.listen" -}}
{{- printf "0.0.0.0:%s" (include "kube-injector.serverPort" .) }}
{{- end }}
