#!/usr/bin/env bash
# Certificates for the webhook without cert-manager: a private CA and a serving certificate
# for the Service's DNS names, made with openssl.
#
#   deploy/webhook/selfsigned.sh [--apply] [OUTDIR]
#
# Writes ca.crt, ca.key, tls.crt and tls.key to OUTDIR (default: ./kafkalint-webhook-certs).
# With --apply it also installs the webhook with kubectl: every manifest here except
# certificate.yaml, the Secret kafkalint-webhook-tls, and the CA as the caBundle of both
# webhooks. Keep ca.key to sign the next serving certificate; replacing only the Secret's
# tls.crt/tls.key is picked up by the running pods without a restart.
# NAMESPACE (kafkalint), SERVICE (kafkalint-webhook) and DAYS (365) can be overridden.
set -euo pipefail

apply=false
if [ "${1:-}" = "--apply" ]; then apply=true; shift; fi
out=${1:-kafkalint-webhook-certs}
ns=${NAMESPACE:-kafkalint}
svc=${SERVICE:-kafkalint-webhook}
days=${DAYS:-365}
here=$(cd "$(dirname "$0")" && pwd)

command -v openssl >/dev/null || { echo "selfsigned.sh: openssl is required" >&2; exit 2; }
mkdir -p "$out"
umask 077

if [ ! -s "$out/ca.key" ] || [ ! -s "$out/ca.crt" ]; then
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$out/ca.key" 2>/dev/null
  openssl req -x509 -new -key "$out/ca.key" -sha256 -days $((days * 10)) \
    -subj "/CN=kafkalint-webhook-ca" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$out/ca.crt"
fi

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$out/tls.key" 2>/dev/null
ext=$(mktemp)
csr=$(mktemp)
trap 'rm -f "$ext" "$csr"' EXIT
cat >"$ext" <<EXT
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:$svc.$ns.svc,DNS:$svc.$ns.svc.cluster.local
EXT
openssl req -new -key "$out/tls.key" -subj "/CN=$svc.$ns.svc" -out "$csr"
openssl x509 -req -in "$csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" \
  -set_serial "0x$(openssl rand -hex 16)" -days "$days" -sha256 -extfile "$ext" \
  -out "$out/tls.crt" 2>/dev/null
openssl verify -CAfile "$out/ca.crt" "$out/tls.crt" >/dev/null
echo "selfsigned.sh: wrote $out/ca.crt and $out/tls.crt ($svc.$ns.svc, $days days)"

if ! $apply; then
  cat <<MSG
Next, without cert-manager:
  kubectl apply -f $here/namespace.yaml
  kubectl -n $ns create secret tls kafkalint-webhook-tls --cert=$out/tls.crt --key=$out/tls.key
  for f in serviceaccount policy deployment pdb service validatingwebhookconfiguration; do kubectl apply -f $here/\$f.yaml; done
  kubectl patch validatingwebhookconfiguration kafkalint --type=json -p '[{"op":"add","path":"/webhooks/0/clientConfig/caBundle","value":"'\$(base64 -w0 < $out/ca.crt)'"},{"op":"add","path":"/webhooks/1/clientConfig/caBundle","value":"'\$(base64 -w0 < $out/ca.crt)'"}]'
(or run again with --apply)
MSG
  exit 0
fi

command -v kubectl >/dev/null || { echo "selfsigned.sh: kubectl is required for --apply" >&2; exit 2; }
kubectl apply -f "$here/namespace.yaml"
kubectl -n "$ns" create secret tls kafkalint-webhook-tls --cert="$out/tls.crt" --key="$out/tls.key" \
  --dry-run=client -o yaml | kubectl apply -f -
for f in serviceaccount policy deployment pdb service validatingwebhookconfiguration; do
  kubectl apply -f "$here/$f.yaml"
done
bundle=$(base64 < "$out/ca.crt" | tr -d '\n')
kubectl patch validatingwebhookconfiguration kafkalint --type=json -p \
  "[{\"op\":\"add\",\"path\":\"/webhooks/0/clientConfig/caBundle\",\"value\":\"$bundle\"},{\"op\":\"add\",\"path\":\"/webhooks/1/clientConfig/caBundle\",\"value\":\"$bundle\"}]"
echo "selfsigned.sh: installed; the webhook starts in --warn-only mode (README, \"Admission webhook\")"
