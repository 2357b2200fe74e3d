"""The README's walk with real processes: a hub served by ``counter-app hub serve``, two
counters exchanging dossiers, a district status and a catalogue update, online and by
bundle; the same over TLS with a pinned CA."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..conftest import AGENCY_CODE
from .test_cli import Cli, set_up


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


HUB = Cli(None)  # hub commands act on --db, not on a counter's data folder
run = HUB.run
run_json = HUB.json


def station(tmp_path: Path, number: int) -> Cli:
    return set_up(tmp_path / f"station{number}", number, f"Cán bộ máy {number}")


def intake(cli: Cli, name: str) -> str:
    number = f"0010900{zlib.crc32(name.encode()) % 100000:05d}"
    out = cli.json("intake", "--procedure", "1.004873", "--name", name, "--id-number", number)
    return str(out["code"])


def wait_for_port(port: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"hub exited: {process.stderr.read() if process.stderr else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("hub did not start")


def serve(db: Path, port: int, *extra: str) -> Iterator[subprocess.Popen[str]]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    command = [sys.executable, "-m", "counter_app", "hub", "serve", "--db", str(db)]
    process = subprocess.Popen(
        [*command, "--port", str(port), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        wait_for_port(port, process)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture
def hub_db(tmp_path: Path) -> Path:
    return tmp_path / "district" / "hub.sqlite3"


def test_two_stations_and_a_hub_exchange_everything(tmp_path: Path, hub_db: Path) -> None:
    tokens = [
        run_json(
            "hub", "add-station", "--db", str(hub_db), "--agency-code", AGENCY_CODE,
            "--station", str(n),
        )["token"]
        for n in (1, 2)
    ]  # fmt: skip
    one, two = station(tmp_path, 1), station(tmp_path, 2)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    for _ in serve(hub_db, port):
        # Station 1 online: two intakes, one handed over; URL and token saved once.
        a, b = intake(one, "Nguyễn Văn An"), intake(one, "Trần Thị Bình")
        one.run("handover", a, "--to", "Công chức Tư pháp - Hộ tịch")
        first = one.json("sync", "--hub", url, "--token", tokens[0], "--save")
        assert {k: first[k] for k in ("pushed", "pulled", "pending", "rejected")} == {
            "pushed": 3,
            "pulled": 0,
            "pending": 0,
            "rejected": 0,
        }
        # Station 2 offline: a bundle on a USB stick, imported twice at the district.
        c = intake(two, "Lê Văn Cường")
        bundle = tmp_path / "usb" / "may2.mcb"
        bundle.parent.mkdir()
        assert two.json("sync", "export", "--out", str(bundle))["items"] == 1
        loaded = [run_json("hub", "import", "--db", str(hub_db), str(bundle)) for _ in range(2)]
        assert [(x["accepted"], x["replayed"]) for x in loaded] == [(1, 0), (0, 1)]
        # The district resolves station 1's dossier and publishes a catalogue change.
        run("hub", "set-status", "--db", str(hub_db), a, "9", "--unit", "Phòng Tư pháp")
        catalogue = one.json("catalogue", "list")
        entries = [{k: v for k, v in p.items() if k != "version"} for p in catalogue]
        entries[0]["name"] += " (sửa đổi)"
        (tmp_path / "cat.json").write_text(json.dumps(entries, ensure_ascii=False), "utf-8")
        run("hub", "publish-catalogue", "--db", str(hub_db), str(tmp_path / "cat.json"))

        pulled = one.json("sync")  # saved settings
        assert (pulled["pushed"], pulled["pulled"]) == (0, 2)
        assert one.json("show", a)["status"] == 9
        later = two.json("sync", "--hub", url, "--token", tokens[1])
        # The bundle's item was already at the hub: a replay settles it, nothing doubles.
        assert (later["pushed"], later["pulled"], later["pending"]) == (1, 1, 0)
        names = {p["code"]: p["name"] for p in two.json("catalogue", "list")}
        assert names[entries[0]["code"]].endswith("(sửa đổi)")

    held = run_json("hub", "dossiers", "--db", str(hub_db))
    assert sorted(d["code"] for d in held) == sorted([a, b, c])
    assert {d["code"]: d["status"] for d in held}[a] == 9
    assert set(held[0]) >= {"code", "agency_code", "status", "received_at", "due_at"}


def test_sync_over_tls_verifies_the_hub(tmp_path: Path, hub_db: Path) -> None:
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    cert_file, key_file, ca_file = (tmp_path / n for n in ("cert.pem", "key.pem", "ca.pem"))
    cert.cert_chain_pems[0].write_to_path(str(cert_file))
    cert.private_key_pem.write_to_path(str(key_file))
    ca.cert_pem.write_to_path(str(ca_file))
    token = run_json(
        "hub", "add-station", "--db", str(hub_db), "--agency-code", AGENCY_CODE, "--station", "1"
    )["token"]
    one = station(tmp_path, 1)
    intake(one, "Nguyễn Văn An")
    port = free_port()
    url = f"https://127.0.0.1:{port}"
    for _ in serve(hub_db, port, "--cert", str(cert_file), "--key", str(key_file)):
        untrusted = one.run("sync", "--hub", url, "--token", token, "--json", ok=False)
        assert untrusted.returncode == 1
        assert "Chứng chỉ" in json.loads(untrusted.stdout)["error"]
        assert (
            one.json("sync", "--hub", url, "--token", token, "--ca-file", str(ca_file))["pushed"]
            == 1
        )
        revoked = run("hub", "revoke-station", "--db", str(hub_db), "--agency-code",
                      AGENCY_CODE, "--station", "1")  # fmt: skip
        assert revoked.returncode == 0
        intake(one, "Trần Thị Bình")
        refused = one.run("sync", "--hub", url, "--token", token, "--ca-file", str(ca_file),
                          "--json", ok=False)  # fmt: skip
        assert refused.returncode == 1
        assert "thu hồi" in json.loads(refused.stdout)["error"]
        assert one.json("sync", "status")["pending"] == 1
