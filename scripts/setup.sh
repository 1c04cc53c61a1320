#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks for building, running and testing kube-injector.
# Idempotent and quiet when everything is already there. Set KI_SETUP_BENCH=1 for the benchmark tools.
set -euo pipefail

# debootstrap: the runtime image test (Tests/python/test_runtime_image.py) builds the image's root with it.
apt_packages=(libssl-dev libcurl4-openssl-dev libyaml-dev curl openssl ca-certificates python3-pip debootstrap)
[ "${KI_SETUP_BENCH:-0}" = 1 ] && apt_packages+=(wrk golang-go nginx-light procps util-linux)
pip_packages=(helm-python-sdk kubernetes-validate jsonpatch pytest PyYAML cel-python)

missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

python=${PYTHON:-python3}
need_pip=0
for m in helm_python kubernetes_validate jsonpatch pytest yaml celpy; do
  "$python" -c "import importlib.util,sys; sys.exit(0 if importlib.util.find_spec('$m') else 1)" 2>/dev/null || need_pip=1
done
if [ "$need_pip" = 1 ]; then
  echo "setup: installing ${pip_packages[*]} from PyPI"
  "$python" -m pip install -q --disable-pip-version-check "${pip_packages[@]}" 2>/dev/null \
    || "$python" -m pip install -q --disable-pip-version-check --break-system-packages "${pip_packages[@]}"
fi
