"""A key not registered here never has its fingerprint shown: an officer who reads it off the screen
and types it back into "register-office --fingerprint" (or the register dialog) would confirm a
stranger's key with itself. A package signed with another key than the registered one, and a
package whose signer is not registered checked with "verify-package", show no fingerprint of theirs."""
from __future__ import annotations

import json

import pytest
from conftest import run_cli

from tests.test_exchange import city, county, export, new_office, plan


def _fingerprints(fp: str) -> tuple[str, str]:
    return fp, fp.replace(" ", "")


def test_a_package_signed_with_another_key_than_the_registered_one_does_not_show_that_key(tmp_path):
    from desktop.exchange.offices import UntrustedPackage

    src, card = county(tmp_path)
    impostor = new_office(tmp_path / "impostor.db", "冒名", "350302")
    dst = city(tmp_path, dict(card, public_key=impostor["public_key"]))  # the city holds another key for it
    with pytest.raises(UntrustedPackage, match="another key") as refused:
        plan(dst, export(src, tmp_path / "1.stdpkg").path)
    assert not any(fp in str(refused.value) for fp in _fingerprints(card["fingerprint"])), str(refused.value)
    assert impostor["fingerprint"] in str(refused.value)  # the registered key's: what to check by telephone


@pytest.mark.parametrize("as_json", [False, True])
def test_verify_package_of_a_signer_not_registered_here_does_not_show_its_key(tmp_path, as_json):
    src, card = county(tmp_path)
    pkg = export(src, tmp_path / "1.stdpkg").path
    dst = city(tmp_path)
    r = run_cli("verify-package", str(pkg), "--db", str(dst), *(["--json"] if as_json else []),
                env={"STDAWARD_LANG": "en"})
    assert r.returncode == 2 and "not registered" in r.stderr
    assert not any(fp in r.stdout + r.stderr for fp in _fingerprints(card["fingerprint"])), r.stdout
    if as_json:
        assert json.loads(r.stdout)["sequence"] == 1
    else:
        assert "intact, signature valid" in r.stdout and "2 achievements" in r.stdout


def test_verify_package_of_a_registered_signer_shows_its_key(tmp_path):
    src, card = county(tmp_path)
    pkg = export(src, tmp_path / "1.stdpkg").path
    dst = city(tmp_path, card)
    r = run_cli("verify-package", str(pkg), "--db", str(dst), env={"STDAWARD_LANG": "en"})
    assert r.returncode == 0 and card["fingerprint"] in r.stdout, r.stdout + r.stderr
