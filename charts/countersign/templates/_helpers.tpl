{{/* Names and labels shared by every template. */}}

{{- define "countersign.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "countersign.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 50 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "countersign.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Recommended labels; call with (dict "root" $ "component" "gate"). */}}
{{- define "countersign.labels" -}}
helm.sh/chart: {{ include "countersign.chart" .root }}
{{ include "countersign.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: countersign
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
{{- with .root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "countersign.selectorLabels" -}}
app.kubernetes.io/name: {{ include "countersign.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- if .component }}
app.kubernetes.io/component: {{ .component }}
{{- end }}
{{- end }}

{{- define "countersign.image" -}}
{{- $image := .Values.image }}
{{- if $image.digest }}
{{- printf "%s@%s" $image.repository $image.digest }}
{{- else }}
{{- printf "%s:%s" $image.repository (default .Chart.AppVersion $image.tag) }}
{{- end }}
{{- end }}

{{- define "countersign.gate.serviceAccountName" -}}
{{- if .Values.gate.serviceAccount.create }}
{{- default (printf "%s-gate" (include "countersign.fullname" .)) .Values.gate.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.gate.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "countersign.reconciler.serviceAccountName" -}}
{{- if .Values.reconciler.serviceAccount.create }}
{{- default (printf "%s-reconciler" (include "countersign.fullname" .)) .Values.reconciler.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.reconciler.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Restricted Pod Security: the pod level. */}}
{{- define "countersign.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Restricted Pod Security: the container level (read-only root filesystem on top). */}}
{{- define "countersign.containerSecurityContext" -}}
allowPrivilegeEscalation: false
privileged: false
readOnlyRootFilesystem: true
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Prometheus scrape annotations; call with (dict "root" $ "port" 3000). */}}
{{- define "countersign.scrapeAnnotations" -}}
{{- if .root.Values.metrics.podAnnotations }}
prometheus.io/scrape: "true"
prometheus.io/port: {{ .port | quote }}
prometheus.io/path: /metrics
{{- end }}
{{- end }}

{{/* The policy pack: the shipped defaults, then the operator's files (same name replaces). */}}
{{- define "countersign.policyFiles" -}}
{{- $files := dict }}
{{- if .Values.policy.defaults }}
{{- range $path, $_ := .Files.Glob "policies/*.yaml" }}
{{- $_ := set $files (base $path) ($.Files.Get $path) }}
{{- end }}
{{- end }}
{{- range $name, $content := .Values.policy.files }}
{{- $_ := set $files $name $content }}
{{- end }}
{{- if not $files }}
{{- fail "policy: no policy files (policy.defaults is false and policy.files is empty)" }}
{{- end }}
{{- toYaml $files }}
{{- end }}

{{/* The GitHub API URL the reconciler calls. */}}
{{- define "countersign.githubApiUrl" -}}
{{- if .Values.github.enterpriseHost }}
{{- printf "https://%s/api/v3" .Values.github.enterpriseHost }}
{{- else }}
{{- print "https://api.github.com" }}
{{- end }}
{{- end }}

{{/* Volumes of the App's Secret: the private key (and the fingerprint key for the reconciler) as files, owner-readable. */}}
{{- define "countersign.secretVolume" -}}
- name: github-app
  secret:
    secretName: {{ .root.Values.github.existingSecret }}
    defaultMode: 288 # 0440 (decimal: YAML 1.1 and 1.2 read a leading 0 differently)
    items:
      - key: {{ .root.Values.github.secretKeys.privateKey }}
        path: private-key.pem
      {{- if .fingerprintKey }}
      - key: {{ .root.Values.github.secretKeys.fingerprintKey }}
        path: fingerprint-key
      {{- end }}
{{- end }}

{{/* Egress to DNS, wherever the cluster's resolver runs. */}}
{{- define "countersign.dnsEgress" -}}
- ports:
    - port: 53
      protocol: UDP
    - port: 53
      protocol: TCP
{{- end }}

{{/* Who the reconciler's roles are bound to: its service account (in-cluster mode) and the groups EKS access entries map its IAM role to. */}}
{{- define "countersign.reconciler.subjects" -}}
{{- if eq .Values.reconciler.kubernetes.mode "in-cluster" }}
- kind: ServiceAccount
  name: {{ include "countersign.reconciler.serviceAccountName" . }}
  namespace: {{ .Release.Namespace }}
{{- end }}
{{- range .Values.reconciler.rbac.groups }}
- kind: Group
  apiGroup: rbac.authorization.k8s.io
  name: {{ . }}
{{- end }}
{{- end }}
