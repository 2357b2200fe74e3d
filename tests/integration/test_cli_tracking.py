"""Following a dossier with the CLI: real processes, exit codes, nothing doubled."""

from __future__ import annotations

from pathlib import Path

from .pdf_text import pdf_text
from .test_cli import Cli, cli  # noqa: F401 (fixture)


def _received(cli: Cli) -> str:  # noqa: F811
    out = cli.json(
        "intake",
        "--procedure",
        "1.004873",
        "--name",
        "Nguyễn Văn Đức",
        "--id-number",
        "001090012345",
        "--received-at",
        "2026-11-23T08:00:00+07:00",
    )
    return str(out["code"])


def test_walk_to_return_and_refuse_a_second_return(cli: Cli, tmp_path: Path) -> None:  # noqa: F811
    code = _received(cli)
    illegal = cli.run("status", code, "--set", "10", ok=False)
    assert illegal.returncode == 2
    assert "Trả kết quả" in illegal.stderr
    sent = cli.json("handover", code, "--to", "Công chức Tư pháp - Hộ tịch")
    assert sent["status"] == 4 and sent["holder"] == "Công chức Tư pháp - Hộ tịch"
    back = cli.json("handover", code, "--to", "quầy", "--result-ready")
    assert back["status"] == 9
    returned = cli.json("return", code, "--receiver", "Nguyễn Văn Đức", "--rating", "1")
    assert returned["status"] == 10
    assert returned["return"]["rating"] == 1
    again = cli.run("return", code, "--receiver", "Nguyễn Văn Đức", ok=False)
    assert again.returncode == 2
    assert "không ghi lần thứ hai" in again.stderr
    shown = cli.json("show", code)
    assert [h["to"] for h in shown["history"]] == [2, 4, 9, 10]
    assert len(shown["handovers"]) == 2

    slip = tmp_path / "mau06.pdf"
    cli.run("form", code, "06", "--out", str(slip))
    assert "PHIẾU KIỂM SOÁT" in pdf_text(slip)
    register = tmp_path / "so.pdf"
    cli.run("register", "--from", "2026-11-01", "--to", "2026-11-30", "--out", str(register))
    assert code.split("-", 1)[1] in pdf_text(register).replace("\n", "")


def test_reason_required_and_search(cli: Cli) -> None:  # noqa: F811
    code = _received(cli)
    refused = cli.run("status", code, "--set", "5", ok=False)
    assert refused.returncode == 2
    assert cli.json("show", code)["status"] == 2
    found = cli.json("search", "nguyen van duc")
    assert [d["code"] for d in found] == [code]


def test_report_files(cli: Cli, tmp_path: Path) -> None:  # noqa: F811
    _received(cli)
    xlsx, pdf = tmp_path / "bc.xlsx", tmp_path / "bc.pdf"
    data = cli.json(
        "report",
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-30",
        "--xlsx",
        str(xlsx),
        "--pdf",
        str(pdf),
    )
    assert data["files"] == {"xlsx": str(xlsx), "pdf": str(pdf)}
    assert xlsx.stat().st_size > 0
    assert "BÁO CÁO" in pdf_text(pdf)
