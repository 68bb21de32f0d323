#!/usr/bin/env bash
# Prints the kubeconfig with which the other regions' geosteer read REGION's cluster: its API
# server (as your kubeconfig context CONTEXT reaches it, or GEOSTEER_API_SERVER), its CA, and
# the token of the geosteer ServiceAccount (Secret geosteer-reader-token, made by deploy/base;
# it grants list/watch on what the sources read, nothing else).
#   deploy/scripts/reader-kubeconfig.sh CONTEXT REGION > REGION.yaml
set -euo pipefail
context=${1:?usage: deploy/scripts/reader-kubeconfig.sh CONTEXT REGION > REGION.yaml}
region=${2:?usage: deploy/scripts/reader-kubeconfig.sh CONTEXT REGION > REGION.yaml}

server=${GEOSTEER_API_SERVER:-$(kubectl config view --raw --minify --context "$context" -o jsonpath='{.clusters[0].cluster.server}')}
case "$server" in
  "" ) echo "reader-kubeconfig: context $context has no cluster server" >&2; exit 1 ;;
  *://127.*|*://localhost*|*://\[::1\]*)
    echo "reader-kubeconfig: context $context points at $server, which the other regions cannot reach;" \
      "set GEOSTEER_API_SERVER=https://<address the other clusters reach>:6443" >&2
    exit 1 ;;
esac
secret() { kubectl --context "$context" -n geosteer get secret geosteer-reader-token -o "jsonpath={.data.$1}"; }
token=$(secret token | base64 -d)
ca=$(secret 'ca\.crt')
if [ -z "$token" ] || [ -z "$ca" ]; then
  echo "reader-kubeconfig: secret geosteer/geosteer-reader-token in $context has no token yet; apply deploy/overlays/$region first" >&2
  exit 1
fi
cat <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
  - name: $region
    cluster:
      server: $server
      certificate-authority-data: $ca
users:
  - name: geosteer-reader
    user:
      token: $token
contexts:
  - name: $region
    context:
      cluster: $region
      user: geosteer-reader
current-context: $region
KUBECONFIG
