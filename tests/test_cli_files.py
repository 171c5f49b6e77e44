"""`export` and `import` say in one line why a file cannot be written or read (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.cli import main
from tests.server import FixtureServer


def nr(capsys: pytest.CaptureFixture[str], data_dir: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data_dir), *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_export_names_what_is_wrong_with_the_file(
    server: FixtureServer, data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nr(capsys, data_dir, "add", server.url("feed.xml"), "--no-fetch")
    missing = tmp_path / "no" / "such" / "subs.opml"
    assert nr(capsys, data_dir, "export", str(missing)) == (
        2,
        "",
        f"newsreader: cannot write {missing}: no such directory: {missing.parent}\n",
    )
    assert nr(capsys, data_dir, "export", str(tmp_path)) == (
        2,
        "",
        f"newsreader: cannot write {tmp_path}: is a directory\n",
    )
    a_file = tmp_path / "plain"
    a_file.write_text("x")
    code, _, err = nr(capsys, data_dir, "export", str(a_file / "subs.opml"))
    assert code == 2
    assert err == f"newsreader: cannot write {a_file / 'subs.opml'}: " + (
        "a part of the path is not a directory\n"
    )


def test_import_names_what_is_wrong_with_the_file(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "subs.opml"
    assert nr(capsys, data_dir, "import", str(missing)) == (
        2,
        "",
        f"newsreader: cannot read {missing}: no such file\n",
    )
    assert nr(capsys, data_dir, "import", str(tmp_path)) == (
        2,
        "",
        f"newsreader: cannot read {tmp_path}: is a directory\n",
    )
    missing.write_text("<html>not opml</html>")
    code, _, err = nr(capsys, data_dir, "import", str(missing))
    assert code == 2 and err.startswith(f"newsreader: {missing}: ") and err.count("\n") == 1


def test_an_import_where_every_outline_is_refused_says_why_and_fails(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hostile = tmp_path / "hostile.opml"
    hostile.write_text(
        '<?xml version="1.0"?><opml version="2.0"><body>'
        '<outline text="js" xmlUrl="javascript:alert(1)"/>'
        '<outline text="file" xmlUrl="file:///etc/passwd"/>'
        f'<outline text="long" xmlUrl="https://x.example/{"a" * 9000}"/>'
        '<outline text="link" type="link" url="https://home.example/"/>'
        "</body></opml>"
    )
    code, out, err = nr(capsys, data_dir, "import", str(hostile))
    assert code == 1
    skipped = [line for line in out.splitlines() if line.startswith("invalid: skipped ")]
    assert [line.split("'")[1] for line in skipped] == ["js", "file", "long", "link"]
    assert "0 added, 0 already present, 4 invalid" in out
    assert err == (
        f"newsreader: nothing imported from {hostile}: "
        "it lists no feed newsreader can subscribe to\n"
    )
    assert nr(capsys, data_dir, "list", "--json")[1].strip() == "[]"
