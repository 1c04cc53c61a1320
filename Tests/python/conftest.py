"""Fixtures for the chart and certificate checks: the Helm engine through scripts/render-chart.py, and
certificates made by certs/gen-certs.sh in a temporary directory (never inside the repository)."""

from __future__ import annotations

import importlib.util
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
GEN_CERTS = REPOSITORY / "certs" / "gen-certs.sh"


def _load_render_chart() -> Any:
    spec = importlib.util.spec_from_file_location("render_chart", REPOSITORY / "scripts" / "render-chart.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def render_chart() -> Any:
    """The scripts/render-chart.py module: render(), documents(), mask_generated(), to_yaml_stream()."""
    return _load_render_chart()


class GeneratedCertificates:
    """What one run of certs/gen-certs.sh left in its output directory."""

    def __init__(self, directory: Path, printed_ca_bundle: str) -> None:
        self.directory = directory
        self.printed_ca_bundle = printed_ca_bundle
        self.ca_certificate = directory / "ca.crt"
        self.ca_key = directory / "ca.key"
        self.certificate = directory / "tls.crt"
        self.key = directory / "tls.key"
        self.ca_bundle_file = directory / "ca-bundle.b64"


def run_gen_certs(directory: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(GEN_CERTS), *arguments, str(directory)], capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="session")
def webhook_certificates(tmp_path_factory: pytest.TempPathFactory) -> GeneratedCertificates:
    """A CA and serving certificate for release "demo" in namespace "webhooks", with loopback SANs."""
    directory = tmp_path_factory.mktemp("certs")
    result = run_gen_certs(directory, "--name", "demo", "--namespace", "webhooks",
                           "--san", "DNS:localhost", "--san", "IP:127.0.0.1")
    assert result.returncode == 0, result.stderr
    return GeneratedCertificates(directory, result.stdout.strip())


def runtime_stage(dockerfile: str) -> str:
    """The Dockerfile's runtime stage, continuation lines joined."""
    return dockerfile.split(" AS runtime", 1)[1].replace("\\\n", " ")


def runtime_packages(dockerfile: str) -> set[str]:
    """The packages the runtime stage's `apt-get install` names (options dropped)."""
    install = re.search(r"apt-get install([^\n]*?)(&&|$)", runtime_stage(dockerfile), re.M)
    assert install, "the runtime stage installs no packages"
    return {word for word in install.group(1).split() if not word.startswith("-")}
