#!/usr/bin/env bash
# Makes a CA and a serving certificate for the kube-injector webhook with the openssl command line.
#
#   certs/gen-certs.sh [--name NAME] [--namespace NAMESPACE] [--san DNS:host|IP:addr]... [--days N]
#                      [--ca-days N] [--key-type ec|rsa] [--reuse-ca] OUT_DIR
#
# Writes into OUT_DIR: ca.crt, ca.key, tls.crt, tls.key (keys mode 0600) and ca-bundle.b64, and prints the
# base64 caBundle (one line, for the chart's certificates.secret.caBundle) on stdout; everything else goes to
# stderr. The serving certificate names NAME.NAMESPACE.svc and NAME.NAMESPACE.svc.cluster.local, plus every
# --san. Keys stay in OUT_DIR: never commit them (.gitignore refuses *.key and *.pem).
set -euo pipefail

usage() {
  sed -n '4,5p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}
fail() { echo "gen-certs.sh: $*" >&2; exit 2; }

name=kube-injector
namespace=kube-injector
days=365
ca_days=3650
key_type=ec
reuse_ca=0
extra_sans=()
out_dir=""

while [ $# -gt 0 ]; do
  case "$1" in
    --name) [ $# -ge 2 ] || usage; name=$2; shift 2 ;;
    --namespace) [ $# -ge 2 ] || usage; namespace=$2; shift 2 ;;
    --san) [ $# -ge 2 ] || usage; extra_sans+=("$2"); shift 2 ;;
    --days) [ $# -ge 2 ] || usage; days=$2; shift 2 ;;
    --ca-days) [ $# -ge 2 ] || usage; ca_days=$2; shift 2 ;;
    --key-type) [ $# -ge 2 ] || usage; key_type=$2; shift 2 ;;
    --reuse-ca) reuse_ca=1; shift ;;
    -h|--help) usage ;;
    -*) fail "unknown option $1" ;;
    *) [ -z "$out_dir" ] || fail "one output directory only (got $out_dir and $1)"; out_dir=$1; shift ;;
  esac
done
[ -n "$out_dir" ] || usage

dns_label='^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'
[[ $name =~ $dns_label ]] || fail "--name '$name' is not a DNS label (lower-case letters, digits, '-')"
[[ $namespace =~ $dns_label ]] || fail "--namespace '$namespace' is not a DNS label"
[[ $days =~ ^[1-9][0-9]*$ ]] || fail "--days '$days' is not a positive number"
[[ $ca_days =~ ^[1-9][0-9]*$ ]] || fail "--ca-days '$ca_days' is not a positive number"
for san in "${extra_sans[@]+"${extra_sans[@]}"}"; do
  [[ $san =~ ^(DNS:[A-Za-z0-9*]([-A-Za-z0-9.*]*[A-Za-z0-9])?|IP:[0-9A-Fa-f:.]+)$ ]] \
    || fail "--san '$san' must look like DNS:host.example or IP:127.0.0.1"
done

script_dir=$(cd "$(dirname "$0")" && pwd)
config="$script_dir/openssl.cnf"
[ -r "$config" ] || fail "missing $config"

mkdir -p "$out_dir"
umask 077

case "$key_type" in
  ec) export KI_KEY_USAGE="critical, digitalSignature" ;;
  rsa) export KI_KEY_USAGE="critical, digitalSignature, keyEncipherment" ;;
  *) fail "--key-type must be ec or rsa, not '$key_type'" ;;
esac
# Only the serving certificate uses it, but OpenSSL expands every $ENV:: reference when it loads the file.
export KI_SUBJECT_ALT_NAMES="DNS:${name}.${namespace}.svc"

new_key() {
  case "$key_type" in
    ec) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null ;;
    rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null ;;
    *) fail "--key-type must be ec or rsa, not '$key_type'" ;;
  esac
}

# The CA. With --reuse-ca an existing pair in OUT_DIR signs the new serving certificate, so the caBundle the
# cluster trusts stays the same across renewals.
if [ "$reuse_ca" = 1 ] && [ -s "$out_dir/ca.crt" ] && [ -s "$out_dir/ca.key" ]; then
  echo "gen-certs.sh: reusing the CA in $out_dir" >&2
else
  new_key "$out_dir/ca.key"
  openssl req -x509 -new -config "$config" -extensions ca_extensions \
    -key "$out_dir/ca.key" -sha256 -days "$ca_days" -subj "/CN=${name}-ca" -out "$out_dir/ca.crt"
fi

sans="DNS:${name}.${namespace}.svc,DNS:${name}.${namespace}.svc.cluster.local"
for san in "${extra_sans[@]+"${extra_sans[@]}"}"; do sans="$sans,$san"; done

new_key "$out_dir/tls.key"
KI_SUBJECT_ALT_NAMES="$sans" openssl req -new -config "$config" -key "$out_dir/tls.key" \
  -subj "/CN=${name}.${namespace}.svc" -out "$out_dir/tls.csr"
KI_SUBJECT_ALT_NAMES="$sans" openssl x509 -req -in "$out_dir/tls.csr" -sha256 -days "$days" \
  -CA "$out_dir/ca.crt" -CAkey "$out_dir/ca.key" -set_serial "0x$(openssl rand -hex 16)" \
  -extfile "$config" -extensions serving_extensions -out "$out_dir/tls.crt" 2>/dev/null
rm -f "$out_dir/tls.csr"

chmod 600 "$out_dir/ca.key" "$out_dir/tls.key"
chmod 644 "$out_dir/ca.crt" "$out_dir/tls.crt"

openssl verify -CAfile "$out_dir/ca.crt" "$out_dir/tls.crt" >/dev/null \
  || fail "the new certificate does not verify against the CA (see $out_dir)"

base64 -w0 < "$out_dir/ca.crt" > "$out_dir/ca-bundle.b64"
chmod 644 "$out_dir/ca-bundle.b64"
echo "gen-certs.sh: wrote ca.crt, ca.key, tls.crt, tls.key, ca-bundle.b64 to $out_dir for $sans" >&2
cat "$out_dir/ca-bundle.b64"
echo
