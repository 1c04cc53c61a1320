"""The Dockerfile's runtime stage, proven without a Docker engine.

`debootstrap --variant=minbase` makes a Debian root of the Dockerfile's DEBIAN_RELEASE with exactly the packages its
runtime stage installs, runs the stage's own groupadd/useradd, and copies in the release binary
(scripts/build-release.sh) where the Dockerfile puts it. The binary then runs there as the image's non-root
USER, in a private mount namespace (unshare) with the root filesystem read-only and a tmpfs on /tmp, as the chart
runs it: it starts `serve --dev`, answers an AdmissionReview over TLS, and `check-config`s the configuration the
chart renders.

The root is cached under .build/runtime-image/ (keyed by release, packages and mirror), so only the first run
downloads (about 35 MB; 2-4 minutes on a fresh machine). KI_DEBIAN_MIRROR overrides the mirror. Needs root (or
password-less sudo) for debootstrap and chroot; skipped, saying so, when that or debootstrap is missing.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

from conftest import REPOSITORY, runtime_packages, runtime_stage

DOCKERFILE = (REPOSITORY / "Dockerfile").read_text()
CACHE = REPOSITORY / ".build" / "runtime-image"
MIRROR = os.environ.get("KI_DEBIAN_MIRROR", "http://deb.debian.org/debian")
IMAGE_BINARY = "/usr/local/bin/kube-injector"
DEBOOTSTRAP_TIMEOUT = 1200


def _dockerfile_argument(name: str) -> str:
    found = re.search(rf"^ARG {name}=(\S+)$", DOCKERFILE, re.M)
    assert found, f"the Dockerfile has no ARG {name}"
    return found.group(1)


def _image_user() -> str:
    found = re.search(r"^USER (\d+:\d+)$", DOCKERFILE, re.M)
    assert found, "the Dockerfile's runtime stage sets no numeric USER"
    return found.group(1)


def _account_commands() -> list[str]:
    """The runtime stage's groupadd and useradd, as it runs them."""
    run = re.search(r"^RUN (.*)$", runtime_stage(DOCKERFILE), re.M)
    assert run
    commands = [" ".join(part.split()) for part in run.group(1).split("&&")]
    accounts = [c for c in commands if c.startswith(("groupadd ", "useradd "))]
    assert accounts, "the runtime stage creates no user"
    return accounts


def _privileged() -> list[str] | None:
    """The prefix that runs a command as root: nothing as root, `sudo -n` where that works, else None."""
    if os.geteuid() == 0:
        return []
    if shutil.which("sudo") and subprocess.run(["sudo", "-n", "true"], capture_output=True).returncode == 0:
        return ["sudo", "-n"]
    return None


def _release_binary() -> Path:
    result = subprocess.run([str(REPOSITORY / "scripts" / "build-release.sh"), "--show-bin-path"],
                            capture_output=True, text=True, timeout=300)
    return Path(result.stdout.strip()) / "kube-injector"


@pytest.fixture(scope="module")
def sudo() -> list[str]:
    prefix = _privileged()
    if prefix is None:
        pytest.skip("the image test needs root or password-less sudo (debootstrap and chroot); it did not run")
    if not (shutil.which("debootstrap") or Path("/usr/sbin/debootstrap").exists()):
        pytest.skip("debootstrap is not installed (scripts/setup.sh installs it); the image test did not run")
    namespaces = subprocess.run([*prefix, "unshare", "--mount", "--pid", "--fork", "true"], capture_output=True, text=True)
    if namespaces.returncode != 0:
        pytest.skip(f"cannot make mount and PID namespaces here (an unprivileged container lacks CAP_SYS_ADMIN): "
                    f"{namespaces.stderr.strip()}; the image test did not run")
    return prefix


@pytest.fixture(scope="module")
def image_root(sudo: list[str]) -> Path:
    """The runtime stage's root filesystem, made once and cached, with the current release binary copied in."""
    binary = _release_binary()
    if not binary.exists():
        pytest.skip(f"needs the release build ({binary}); scripts/test.sh runs scripts/build-release.sh first")
    release = _dockerfile_argument("DEBIAN_RELEASE")
    packages = sorted(runtime_packages(DOCKERFILE))
    accounts = _account_commands()
    key = hashlib.sha256(json.dumps([release, packages, accounts, MIRROR, "minbase"]).encode()).hexdigest()[:12]
    root = CACHE / f"{release}-{key}"
    if not (root / ".complete").exists():
        partial = root.with_name(root.name + ".partial")
        subprocess.run([*sudo, "rm", "-rf", str(partial)], check=True)
        partial.parent.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        made = subprocess.run(
            [*sudo, "debootstrap", "--variant=minbase", f"--include={','.join(packages)}", release, str(partial), MIRROR],
            capture_output=True, text=True, timeout=DEBOOTSTRAP_TIMEOUT)
        assert made.returncode == 0, f"debootstrap from {MIRROR} failed:\n{made.stdout[-3000:]}{made.stderr[-2000:]}"
        for command in accounts:
            subprocess.run([*sudo, "chroot", str(partial), "sh", "-c", command], check=True, capture_output=True, text=True)
        # As the Dockerfile leaves it: no package lists, and nothing else in /tmp.
        subprocess.run([*sudo, "sh", "-c", f"rm -rf '{partial}'/var/lib/apt/lists/* '{partial}'/var/cache/apt/archives/*.deb"], check=True)
        subprocess.run([*sudo, "touch", str(partial / ".complete")], check=True)
        subprocess.run([*sudo, "mv", str(partial), str(root)], check=True)
        print(f"image root made in {time.monotonic() - started:.0f} s: {root}")
    # COPY --from=build /out/kube-injector /usr/local/bin/kube-injector (the build stage installs it 0755).
    subprocess.run([*sudo, "install", "-D", "-m", "0755", str(binary), str(root) + IMAGE_BINARY], check=True)
    return root


def _contained(sudo: list[str], root: Path, *arguments: str, user: str) -> list[str]:
    """A command line that runs `arguments` in `root` as `user`, in a private mount and PID namespace with the root
    filesystem read-only and /tmp a fresh tmpfs (the chart's readOnlyRootFilesystem and emptyDir)."""
    script = ('root=$1; user=$2; shift 2; mount --make-rprivate / && mount --bind "$root" "$root" '
              '&& mount -o remount,bind,ro "$root" && mount -t proc proc "$root/proc" '
              '&& mount -t tmpfs -o size=16m,mode=1777 tmpfs "$root/tmp" && exec chroot --userspec="$user" "$root" "$@"')
    return [*sudo, "unshare", "--mount", "--pid", "--fork", "--kill-child", "sh", "-c", script, "sh", str(root), user, *arguments]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _find_process(marker: str) -> int | None:
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                arguments = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if arguments and arguments[0] == IMAGE_BINARY.encode() and marker.encode() in arguments:
                return int(entry.name)
    return None


def test_image_root_has_exactly_the_runtime_stage_packages_and_its_user(image_root: Path, sudo: list[str]) -> None:
    installed = subprocess.run([*sudo, "chroot", str(image_root), "dpkg-query", "-W", "-f=${Package}\\n"],
                               capture_output=True, text=True, check=True).stdout.split()
    names = {name.split(":")[0] for name in installed}
    assert runtime_packages(DOCKERFILE) <= names
    passwd = subprocess.run([*sudo, "chroot", str(image_root), "getent", "passwd", _image_user().split(":")[0]],
                            capture_output=True, text=True).stdout
    assert passwd.startswith("kube-injector:x:65532:65532:"), passwd
    # Every library the binary links resolves inside the image: ldd names none as "not found".
    linked = subprocess.run([*sudo, "chroot", str(image_root), "ldd", IMAGE_BINARY], capture_output=True, text=True)
    assert linked.returncode == 0 and "not found" not in linked.stdout, linked.stdout + linked.stderr


def test_image_runs_version_as_its_default_command(image_root: Path, sudo: list[str]) -> None:
    result = subprocess.run(_contained(sudo, image_root, IMAGE_BINARY, "version", user=_image_user()),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "0.1.0" in result.stdout


@pytest.fixture(scope="module")
def serving(image_root: Path, sudo: list[str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    listen, metrics = _free_port(), _free_port()
    log_path = tmp_path_factory.mktemp("image") / "serve.log"
    log = log_path.open("w")
    marker = f"--listen=127.0.0.1:{listen}"
    pid = None
    server = subprocess.Popen(_contained(sudo, image_root, IMAGE_BINARY, "serve", "--dev", marker,
                                         f"--metrics-listen=127.0.0.1:{metrics}", user=_image_user()),
                              stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and server.poll() is None:
            pid = pid or _find_process(marker)
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{metrics}/metrics", timeout=5):
                    break
            except OSError:
                time.sleep(0.2)
        assert server.poll() is None and pid is not None, f"serve --dev did not start in the image:\n{log_path.read_text()[-3000:]}"
        yield {"pid": pid, "listen": listen, "metrics": metrics, "log": log_path}
    finally:
        # SIGTERM to the server itself, as the kubelet sends it (unshare would not pass it on); it drains and exits.
        subprocess.run([*sudo, "kill", "-TERM", str(pid or server.pid)], capture_output=True)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            subprocess.run([*sudo, "kill", "-KILL", str(server.pid)], capture_output=True)
            server.wait()
        log.close()


def test_image_serves_as_the_non_root_user(serving: dict[str, Any]) -> None:
    status = Path(f"/proc/{serving['pid']}/status").read_text()
    uids = re.search(r"^Uid:\s+(\d+)\s+(\d+)", status, re.M)
    gids = re.search(r"^Gid:\s+(\d+)\s+(\d+)", status, re.M)
    assert uids and gids and (uids.group(1), uids.group(2)) == ("65532", "65532"), status
    assert (gids.group(1), gids.group(2)) == ("65532", "65532"), status


def test_image_answers_an_admission_review_over_tls(serving: dict[str, Any], tmp_path: Path) -> None:
    # `serve --dev` wrote its throw-away certificate and a sample review to its own /tmp (the tmpfs in its
    # mount namespace), which the host reads through /proc/PID/root.
    log = serving["log"].read_text()
    found = re.search(r"--cacert (\S+) .*--data-binary @(\S+) (https://\S+/mutate)", log)
    assert found, log
    process_root = Path(f"/proc/{serving['pid']}/root")
    certificate, review = tmp_path / "dev-cert.pem", tmp_path / "review.json"
    shutil.copy(process_root / found.group(1).lstrip("/"), certificate)
    shutil.copy(process_root / found.group(2).lstrip("/"), review)
    answer = subprocess.run(["curl", "-sS", "--fail", "--cacert", str(certificate), "-H", "Content-Type: application/json",
                             "--data-binary", f"@{review}", found.group(3)], capture_output=True, text=True, timeout=60)
    assert answer.returncode == 0, answer.stderr
    response = json.loads(answer.stdout)["response"]
    assert response["uid"] == json.loads(review.read_text())["request"]["uid"]
    assert response["allowed"] is True and response["patchType"] == "JSONPatch"
    patch = json.loads(base64.b64decode(response["patch"]))
    assert any(operation["path"].startswith("/spec/containers/0/env") for operation in patch), patch
    health = subprocess.run(["curl", "-sS", "--fail", "--cacert", str(certificate), found.group(3).replace("/mutate", "/healthz")],
                            capture_output=True, text=True, timeout=60)
    assert health.returncode == 0, health.stderr


def test_image_checks_the_configuration_the_chart_renders(image_root: Path, sudo: list[str], render_chart: Any) -> None:
    objects = render_chart.documents(render_chart.render({}, name="kube-injector", namespace="kube-injector"))
    config = next(obj for template, obj in objects if template.endswith("/configmap.yaml"))["data"]["config.yaml"]
    # Where the chart mounts it; written before the root is made read-only for the run.
    target = str(image_root) + "/etc/kube-injector/config/config.yaml"
    subprocess.run([*sudo, "install", "-D", "-m", "0644", "/dev/stdin", target], input=config, text=True, check=True)
    result = subprocess.run(_contained(sudo, image_root, IMAGE_BINARY, "check-config", "/etc/kube-injector/config/config.yaml",
                                       user=_image_user()), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    broken = str(image_root) + "/etc/kube-injector/config/broken.yaml"
    subprocess.run([*sudo, "install", "-D", "-m", "0644", "/dev/stdin", broken], input="profiles: [1, 2]\n", text=True, check=True)
    refused = subprocess.run(_contained(sudo, image_root, IMAGE_BINARY, "check-config", "/etc/kube-injector/config/broken.yaml",
                                        user=_image_user()), capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2 and "broken.yaml" in refused.stdout + refused.stderr, refused.stdout + refused.stderr
