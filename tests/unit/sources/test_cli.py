"""The source commands, run through Typer with the intake swapped for the recording one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
import yaml
from typer.testing import CliRunner

from cli import sources_cmd
from connectors.sources.intake import Intake
from connectors.sources.tokens import TokenStore
from docket.errors import ConfigError
from tests.documents import invoice_pdf
from tests.unit.sources.mails import attach, mail
from tests.unit.sources.recording import RecordingProducer


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch, recorded: tuple[Intake, RecordingProducer]) -> typer.Typer:
    monkeypatch.setattr(sources_cmd, "_intake", lambda: recorded[0])
    application = typer.Typer()
    sources_cmd.register(application)
    return application


def test_api_token_prints_a_token_and_an_entry_that_authenticates_it(app: typer.Typer) -> None:
    result = CliRunner().invoke(app, ["api-token", "--name", "scanner", "--scope", "documents:submit",
                                      "--entity", "DE01"])
    assert result.exit_code == 0, result.output
    token = result.stderr.split("token (shown once):")[1].split()[0]
    store = TokenStore.from_data(yaml.safe_load(result.stdout))
    found = store.authenticate(token)
    assert found.name == "scanner" and found.legal_entities == {"DE01"} and token not in result.stdout


def test_api_token_refuses_unknown_scopes(app: typer.Typer) -> None:
    assert CliRunner().invoke(app, ["api-token", "--name", "x", "--scope", "root"]).exit_code == 2


def test_serve_needs_a_token_file(app: typer.Typer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DOCKET_API_TOKENS_FILE", raising=False)
    result = CliRunner().invoke(app, ["serve"])
    assert isinstance(result.exception, ConfigError)


def test_mail_command_submits_attachments_and_reports_mails_without(
        app: typer.Typer, tmp_path: Path, recorded: tuple[Intake, RecordingProducer]) -> None:
    good = mail()
    attach(good, invoice_pdf(), "application", "pdf", "inv.pdf")
    (tmp_path / "good.eml").write_bytes(good.as_bytes())
    (tmp_path / "empty.eml").write_bytes(mail(message_id="<e@x>").as_bytes())
    result = CliRunner().invoke(app, ["mail", "--json", str(tmp_path / "good.eml"), str(tmp_path / "empty.eml")])
    assert result.exit_code == 1
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    (event,) = recorded[1].received()
    assert lines[0]["document_id"] == event.envelope.document_id and lines[0]["attachment"] == "inv.pdf"
    assert lines[1]["error"]["code"] == "SOURCE_MAIL_NO_ATTACHMENT"


def test_watch_once_ingests_settled_files(app: typer.Typer, tmp_path: Path,
                                          recorded: tuple[Intake, RecordingProducer]) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "a.pdf").write_bytes(invoice_pdf())
    result = CliRunner().invoke(app, ["watch", str(landing), "--once", "--interval", "0.01",
                                      "--state", str(tmp_path / "j.sqlite")])
    assert result.exit_code == 0, result.output
    assert [e.filename for e in recorded[1].received()] == ["a.pdf"]
    assert len(list((landing / "processed").rglob("a.pdf"))) == 1


def test_mail_prints_attachment_names_with_markup_as_text(
        app: typer.Typer, tmp_path: Path, recorded: tuple[Intake, RecordingProducer]) -> None:
    from tests.unit.sources.hostile_mails import with_pdf

    (tmp_path / "m.eml").write_bytes(with_pdf("<rich@x>", filename="[/b]inv[red].pdf"))
    result = CliRunner().invoke(app, ["mail", str(tmp_path / "m.eml")])
    assert result.exit_code == 0, result.output
    assert "m.eml / [/b]inv[red].pdf: document" in result.stderr
    assert [e.filename for e in recorded[1].received()] == ["[/b]inv[red].pdf"]


def test_mail_reports_a_poison_mail_and_goes_on_with_the_next(
        app: typer.Typer, tmp_path: Path, recorded: tuple[Intake, RecordingProducer],
        monkeypatch: pytest.MonkeyPatch) -> None:
    from connectors.sources import mailbox
    from tests.unit.sources.hostile_mails import deeply_nested, with_pdf

    (tmp_path / "1-deep.eml").write_bytes(deeply_nested(1200))
    (tmp_path / "2-bug.eml").write_bytes(with_pdf("<bug@x>"))
    (tmp_path / "3-good.eml").write_bytes(with_pdf("<good@x>"))
    real = mailbox.ingest_mail

    def ingest(raw: bytes, *args: object, **kwargs: object) -> object:
        if b"<bug@x>" in raw:
            raise RuntimeError("a bug only this mail triggers")
        return real(raw, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(mailbox, "ingest_mail", ingest)
    paths = [str(tmp_path / name) for name in ("1-deep.eml", "2-bug.eml", "3-good.eml")]
    result = CliRunner().invoke(app, ["mail", "--json", *paths])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line.get("error", {}).get("code") for line in lines] == [
        "SOURCE_MAIL_UNREADABLE", "SOURCE_INTERNAL_ERROR", None]
    assert [e.external_reference for e in recorded[1].received()] == ["<good@x>"]


def test_mail_poll_survives_a_failing_poll(app: typer.Typer, monkeypatch: pytest.MonkeyPatch) -> None:
    from connectors.sources.errors import ImapError
    from connectors.sources.imap import ImapAccount, ImapPoller, ImapReport

    polls: list[int] = []

    def poll_once(self: ImapPoller) -> ImapReport:
        polls.append(1)
        if len(polls) == 1:
            raise ImapError("server went away")
        if len(polls) == 2:
            raise OSError("connection reset")
        raise KeyboardInterrupt

    monkeypatch.setattr(ImapPoller, "poll_once", poll_once)
    monkeypatch.setattr(ImapAccount, "connect", lambda self: None)
    result = CliRunner().invoke(app, ["mail-poll", "--host", "h", "--user", "u", "--interval", "0.01"])
    assert len(polls) == 3 and result.exit_code == 0, result.output
    assert "SOURCE_IMAP_FAILED" in result.stderr and "SOURCE_INTERNAL_ERROR" in result.stderr
