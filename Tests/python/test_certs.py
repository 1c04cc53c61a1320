"""certs/gen-certs.sh: a CA and serving certificate that OpenSSL accepts for the Service's names, a caBundle
that matches, a real TLS handshake with them, and no private key anywhere git would commit it."""

from __future__ import annotations

import base64
import re
import socket
import stat
import subprocess
import time
from pathlib import Path

import pytest

from conftest import REPOSITORY, GeneratedCertificates, run_gen_certs

# Built from parts so this file does not itself contain the marker it looks for.
PRIVATE_KEY_MARKER = "-----BEGIN " + "PRIVATE " + "KEY-----"
ANY_PRIVATE_KEY = re.compile(r"-----BEGIN (?:[A-Z]+ )?" + "PRIVATE " + "KEY-----")


def openssl(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["openssl", *arguments], capture_output=True, text=True, timeout=30)


def extension(certificate: Path, name: str) -> str:
    result = openssl("x509", "-in", str(certificate), "-noout", "-ext", name)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_chain_verifies_for_the_service_names_and_loopback(webhook_certificates: GeneratedCertificates) -> None:
    ca, certificate = str(webhook_certificates.ca_certificate), str(webhook_certificates.certificate)
    for check in (["-verify_hostname", "demo.webhooks.svc"], ["-verify_hostname", "demo.webhooks.svc.cluster.local"],
                  ["-verify_hostname", "localhost"], ["-verify_ip", "127.0.0.1"]):
        result = openssl("verify", "-purpose", "sslserver", *check, "-CAfile", ca, certificate)
        assert result.returncode == 0 and ": OK" in result.stdout, f"{check}: {result.stdout}{result.stderr}"
    wrong = openssl("verify", "-verify_hostname", "other.webhooks.svc", "-CAfile", ca, certificate)
    assert wrong.returncode != 0, "a name the certificate does not carry must not verify"


def test_serving_certificate_carries_exactly_the_asked_names(webhook_certificates: GeneratedCertificates) -> None:
    names = extension(webhook_certificates.certificate, "subjectAltName")
    found = re.findall(r"(DNS:[^,\s]+|IP Address:[^,\s]+)", names)
    assert found == ["DNS:demo.webhooks.svc", "DNS:demo.webhooks.svc.cluster.local", "DNS:localhost", "IP Address:127.0.0.1"]


def test_ca_can_sign_and_the_serving_certificate_cannot(webhook_certificates: GeneratedCertificates) -> None:
    ca_constraints = extension(webhook_certificates.ca_certificate, "basicConstraints")
    assert "CA:TRUE" in ca_constraints
    assert "Certificate Sign" in extension(webhook_certificates.ca_certificate, "keyUsage")
    assert "CA:FALSE" in extension(webhook_certificates.certificate, "basicConstraints")
    assert "TLS Web Server Authentication" in extension(webhook_certificates.certificate, "extendedKeyUsage")
    # An EC key signs, it does not encipher: keyEncipherment would be wrong on it.
    usage = extension(webhook_certificates.certificate, "keyUsage")
    assert "Digital Signature" in usage and "Key Encipherment" not in usage


def test_printed_ca_bundle_is_the_ca_certificate_in_base64(webhook_certificates: GeneratedCertificates) -> None:
    printed = webhook_certificates.printed_ca_bundle
    assert re.fullmatch(r"[A-Za-z0-9+/]+={0,2}", printed), "one base64 line, ready for certificates.secret.caBundle"
    assert base64.b64decode(printed) == webhook_certificates.ca_certificate.read_bytes()
    assert webhook_certificates.ca_bundle_file.read_text() == printed


def test_key_belongs_to_the_certificate_and_only_the_owner_can_read_it(webhook_certificates: GeneratedCertificates) -> None:
    from_certificate = openssl("x509", "-in", str(webhook_certificates.certificate), "-noout", "-pubkey").stdout
    from_key = openssl("pkey", "-in", str(webhook_certificates.key), "-pubout").stdout
    assert from_certificate and from_certificate == from_key
    for key in (webhook_certificates.key, webhook_certificates.ca_key):
        assert stat.S_IMODE(key.stat().st_mode) == 0o600, f"{key.name} is readable by others"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_openssl_client_completes_a_verified_handshake_with_the_pair(webhook_certificates: GeneratedCertificates) -> None:
    port = _free_port()
    server = subprocess.Popen(
        ["openssl", "s_server", "-accept", f"127.0.0.1:{port}", "-cert", str(webhook_certificates.certificate),
         "-key", str(webhook_certificates.key), "-www", "-quiet"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20  # waiting for the listener to exist, not a timing assertion
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode() if server.stderr else "s_server exited"
                assert time.monotonic() < deadline, "openssl s_server did not start listening"
                time.sleep(0.05)
        # -ign_eof: read until the server closes, so the answer is not lost when our input ends first.
        result = subprocess.run(
            ["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-servername", "demo.webhooks.svc",
             "-verify_hostname", "demo.webhooks.svc", "-verify_return_error", "-ign_eof",
             "-CAfile", str(webhook_certificates.ca_certificate)],
            input="GET / HTTP/1.0\r\n\r\n", capture_output=True, text=True, timeout=30)
        assert "Verify return code: 0 (ok)" in result.stdout, result.stdout[-800:] + result.stderr[-800:]
        assert "HTTP/1.0 200 ok" in result.stdout, "the handshake finished and the request went through"
    finally:
        server.kill()
        server.wait(timeout=10)


def test_reuse_ca_keeps_the_bundle_and_signs_a_new_rsa_certificate(tmp_path: Path) -> None:
    first = run_gen_certs(tmp_path)
    assert first.returncode == 0, first.stderr
    ca_before = (tmp_path / "ca.crt").read_bytes()
    certificate_before = (tmp_path / "tls.crt").read_bytes()
    second = run_gen_certs(tmp_path, "--reuse-ca", "--key-type", "rsa", "--days", "30")
    assert second.returncode == 0, second.stderr
    assert (tmp_path / "ca.crt").read_bytes() == ca_before and second.stdout == first.stdout
    assert (tmp_path / "tls.crt").read_bytes() != certificate_before
    verified = openssl("verify", "-CAfile", str(tmp_path / "ca.crt"), str(tmp_path / "tls.crt"))
    assert verified.returncode == 0, verified.stderr
    assert "Key Encipherment" in extension(tmp_path / "tls.crt", "keyUsage")
    assert "rsaEncryption" in openssl("x509", "-in", str(tmp_path / "tls.crt"), "-noout", "-text").stdout
    assert re.findall(r"DNS:[^,\s]+", extension(tmp_path / "tls.crt", "subjectAltName")) == [
        "DNS:kube-injector.kube-injector.svc", "DNS:kube-injector.kube-injector.svc.cluster.local"]


@pytest.mark.parametrize("arguments, message", [
    (["--san", "localhost"], "--san 'localhost' must look like DNS:host.example or IP:127.0.0.1"),
    (["--name", "Kube_Injector"], "--name 'Kube_Injector' is not a DNS label"),
    (["--days", "0"], "--days '0' is not a positive number"),
    (["--key-type", "dsa"], "--key-type must be ec or rsa, not 'dsa'"),
    (["--colour", "blue"], "unknown option --colour"),
])
def test_wrong_arguments_exit_2_and_say_what_is_wrong(tmp_path: Path, arguments: list[str], message: str) -> None:
    result = run_gen_certs(tmp_path / "out", *arguments)
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert not list((tmp_path).glob("out/*.key")), "nothing is written when the arguments are wrong"


def test_missing_output_directory_prints_usage() -> None:
    result = subprocess.run([str(REPOSITORY / "scripts" / "gen-certs.sh")], capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and "gen-certs.sh [--name NAME]" in result.stderr


def _git(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-C", str(REPOSITORY), *arguments], capture_output=True, text=True, timeout=60)


def test_no_private_key_is_committed_or_about_to_be() -> None:
    if _git("rev-parse", "--is-inside-work-tree").returncode != 0:
        pytest.skip("not a git checkout")
    tracked = _git("ls-files", "-z").stdout.split("\0")
    untracked = _git("ls-files", "-z", "--others", "--exclude-standard").stdout.split("\0")
    offenders = []
    for name in filter(None, tracked + untracked):
        path = REPOSITORY / name
        if path.is_file() and path.stat().st_size < 5_000_000:
            if ANY_PRIVATE_KEY.search(path.read_text(errors="ignore")):
                offenders.append(name)
    assert offenders == [], f"private keys in files git would commit: {offenders}"


@pytest.mark.parametrize("path", ["tls.key", "certs/ca.key", "certs/out/tls.key", "certs/demo/tls.crt",
                                  "Tests/python/server.pem", "scripts/ca.key"])
def test_gitignore_keeps_generated_keys_out_of_git(path: str) -> None:
    if _git("rev-parse", "--is-inside-work-tree").returncode != 0:
        pytest.skip("not a git checkout")
    assert _git("check-ignore", "-q", "--no-index", path).returncode == 0, f"{path} would not be ignored"


def test_gen_certs_writes_its_keys_in_pem_that_the_check_above_recognises(webhook_certificates: GeneratedCertificates) -> None:
    # Guards the guard: if the key format changed, the committed-key scan would stop seeing keys.
    assert ANY_PRIVATE_KEY.search(webhook_certificates.key.read_text())
    assert PRIVATE_KEY_MARKER in webhook_certificates.key.read_text()
