"""The typed environment readers and DATABASE_URL parsing behind dashboard/settings.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from dashboard.env import env_bool, env_float, env_int, env_list, env_str, parse_database_url

BASE = Path("/srv/dashboard")


def test_env_bool_reads_the_usual_spellings():
    assert env_bool("X", False, environ={"X": "True"}) is True
    assert env_bool("X", True, environ={"X": "off"}) is False
    assert env_bool("X", True, environ={"X": " 0 "}) is False
    assert env_bool("X", True, environ={}) is True
    assert env_bool("X", False, environ={"X": ""}) is False


def test_env_bool_names_the_variable_when_the_value_is_not_a_boolean():
    with pytest.raises(ImproperlyConfigured, match="DJANGO_DEBUG='maybe' is not a boolean"):
        env_bool("DJANGO_DEBUG", False, environ={"DJANGO_DEBUG": "maybe"})


def test_env_int_names_the_variable_when_the_value_is_not_a_number():
    with pytest.raises(ImproperlyConfigured, match="DJANGO_HSTS_SECONDS='a year' is not a whole number"):
        env_int("DJANGO_HSTS_SECONDS", 0, environ={"DJANGO_HSTS_SECONDS": "a year"})


def test_env_int_enforces_its_minimum():
    assert env_int("N", 5, environ={"N": "7"}, minimum=0) == 7
    with pytest.raises(ImproperlyConfigured, match="N=-1 is too small"):
        env_int("N", 5, environ={"N": "-1"}, minimum=0)


def test_env_float_rejects_junk_and_infinity():
    assert env_float("CONVEX_TIMEOUT", 10.0, environ={"CONVEX_TIMEOUT": "2.5"}) == 2.5
    with pytest.raises(ImproperlyConfigured, match="CONVEX_TIMEOUT='soon' is not a number"):
        env_float("CONVEX_TIMEOUT", 10.0, environ={"CONVEX_TIMEOUT": "soon"})
    with pytest.raises(ImproperlyConfigured, match="CONVEX_TIMEOUT='inf' is not a finite number"):
        env_float("CONVEX_TIMEOUT", 10.0, environ={"CONVEX_TIMEOUT": "inf"})


def test_env_list_splits_on_commas_and_drops_blanks():
    assert env_list("H", environ={"H": " a.example, ,b.example,"}) == ["a.example", "b.example"]
    assert env_list("H", "127.0.0.1,localhost", environ={}) == ["127.0.0.1", "localhost"]


def test_env_str_strips_whitespace_and_falls_back_to_the_default():
    assert env_str("S", "dflt", environ={"S": "  value "}) == "value"
    assert env_str("S", "dflt", environ={"S": "   "}) == "dflt"


def test_a_relative_sqlite_url_is_relative_to_the_project():
    config = parse_database_url("sqlite:///var/dashboard.sqlite3", base_dir=BASE)
    assert (config["ENGINE"], config["NAME"]) == (
        "django.db.backends.sqlite3",
        BASE / "var/dashboard.sqlite3",
    )


def test_a_page_reads_the_sqlite_database_while_the_indexer_holds_a_write(tmp_path, django_db_blocker):
    from django.db.utils import ConnectionHandler

    config = parse_database_url(f"sqlite:///{tmp_path}/dashboard.sqlite3", base_dir=BASE)
    handler = ConnectionHandler({"default": dict(config), "page": dict(config)})
    indexer, page = handler["default"], handler["page"]
    with django_db_blocker.unblock():
        _read_during_a_write(handler, indexer, page)


def _read_during_a_write(handler, indexer, page):
    try:
        with indexer.cursor() as cursor:
            cursor.execute("CREATE TABLE t (v)")
            cursor.execute("INSERT INTO t VALUES (1)")
        assert indexer.cursor().execute("PRAGMA journal_mode").fetchone() == ("wal",)
        with indexer.cursor() as cursor:
            cursor.execute("BEGIN IMMEDIATE")
            cursor.execute("INSERT INTO t VALUES (2)")
            # In the default rollback journal this read would wait for the writer, then fail.
            page.settings_dict["OPTIONS"] = {**page.settings_dict["OPTIONS"], "timeout": 0.1}
            assert page.cursor().execute("SELECT count(*) FROM t").fetchone() == (1,)
            cursor.execute("COMMIT")
        assert page.cursor().execute("SELECT count(*) FROM t").fetchone() == (2,)
    finally:
        handler.close_all()


def test_an_absolute_sqlite_url_keeps_its_path():
    assert parse_database_url("sqlite:////data/dash.db", base_dir=BASE)["NAME"] == Path("/data/dash.db")


def test_a_postgres_url_becomes_a_full_database_entry():
    config = parse_database_url(
        "postgres://dash%40ops:p%2Fss%3Aw0rd@db.internal:6432/mastra_dashboard?sslmode=require&connect_timeout=5",
        base_dir=BASE,
    )
    assert config == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "mastra_dashboard",
        "USER": "dash@ops",
        "PASSWORD": "p/ss:w0rd",
        "HOST": "db.internal",
        "PORT": "6432",
        "OPTIONS": {"sslmode": "require", "connect_timeout": "5"},
    }


def test_a_postgresql_url_without_port_or_password_leaves_them_empty():
    config = parse_database_url("postgresql://localhost/dash", base_dir=BASE)
    assert (config["HOST"], config["PORT"], config["USER"], config["PASSWORD"]) == ("localhost", "", "", "")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://root:hunter2@db/dash", "unsupported scheme 'mysql'"),
        ("postgres://db.internal", "names no database"),
        ("postgres://db.internal:port/dash", "port is not a number"),
        ("sqlite://host/dash.db", "has no host"),
        ("sqlite://", "names no file"),
        ("dash.sqlite3", "unsupported scheme '(none)'"),
    ],
)
def test_a_bad_database_url_is_refused_with_the_variable_named(url, message):
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL") as excinfo:
        parse_database_url(url, base_dir=BASE)
    assert message in str(excinfo.value)


def test_the_error_for_a_bad_database_url_never_echoes_the_password():
    with pytest.raises(ImproperlyConfigured) as excinfo:
        parse_database_url("mysql://root:hunter2@db/dash", base_dir=BASE)
    assert "hunter2" not in str(excinfo.value)
