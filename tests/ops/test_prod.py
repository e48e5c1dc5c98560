"""The production profile's plan: processes, ports, endpoints and the HAProxy config."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml

from bot.config import Settings
from ops import endpoints, prod
from ops.processes import ROOT

PG = "postgresql://mis:secret@127.0.0.1:5432/mutuals"
PG_TRACKER = "postgresql://mis:secret@127.0.0.1:5432/mutuals_tracker"


def settings(**overrides) -> Settings:
    values = {
        "environment": "production",
        "service_token": "Zq8-t1Lr3XwVb9kPm2Nd7Hc5Gy4Ja6Ue0Sf",  # 32+ random characters, as production needs
        "rasa_token": "Rt5-y2Kq8WnXc1LpM4Hd9Gs7Bv3Jf6Ze0Ta",
        "action_token": "At7-u3Lm9QxVb2NpK5Hd8Gs1Cw4Jf6Ye0Rb",
        "database_url": PG,
        "tracker_database_url": PG_TRACKER,
        "redis_url": "redis://127.0.0.1:6379/2",
        "_env_file": None,
    }
    return Settings(**{**values, **overrides})


def test_ports_follow_the_configured_front_and_action_ports():
    ports = prod.Ports.from_settings(settings(web_port=9000, rasa_port=6005, action_port=6055))
    assert (ports.front, ports.web, ports.rasa) == (9000, (9001, 9002), (6005, 6006))
    assert (ports.action_front, ports.actions) == (6055, (6056, 6057))


def test_the_plan_has_two_of_each_and_shares_the_settings(tmp_path):
    plan = prod.plan(settings(), tmp_path / "model.tar.gz", tmp_path)
    assert sorted(plan.commands) == sorted(
        ["proxy", "web1", "web2", "rasa1", "rasa2", "actions1", "actions2", "retention"]
    )
    assert plan.env_for("web2")["WEB_PORT"] == "8002"
    assert plan.env_for("actions1")["SANIC_HOST"] == "127.0.0.1"
    assert plan.base_env["RASA_URLS"] == "http://127.0.0.1:5005,http://127.0.0.1:5006"
    assert plan.base_env["REDIS_URL"] == "redis://127.0.0.1:6379/2"
    assert plan.base_env["ENVIRONMENT"] == "production"
    assert float(plan.base_env["BOT_API_TIMEOUT_SECONDS"]) * 1000 < prod.ACTION_TIMEOUT_MS
    for name in ("rasa1", "rasa2"):
        command = plan.commands[name]
        assert command[command.index("--interface") + 1] == "127.0.0.1"
        assert "--enable-api" not in command

    written = yaml.safe_load((tmp_path / "endpoints.yml").read_text())
    assert written["lock_store"] == {
        "type": "runtime.rasa_lock_store.AtomicRedisLockStore",
        "url": "127.0.0.1",
        "port": 6379,
        "db": 2,
        "key_prefix": "mis",
        "use_ssl": False,
    }
    assert written["tracker_store"]["dialect"] == "postgresql"
    assert written["action_endpoint"]["url"] == "http://127.0.0.1:5055/webhook"


def test_procfile_lines_carry_only_each_process_s_own_settings(tmp_path):
    plan = prod.plan(settings(), tmp_path / "model.tar.gz", tmp_path)
    lines = {line.split(":", 1)[0]: line for line in plan.procfile().splitlines() if not line.startswith("#")}
    assert "WEB_PORT=8001" in lines["web1"] and "exec env" in lines["web1"]
    assert lines["rasa1"].startswith("rasa1: exec ") and " env " not in lines["rasa1"]
    for secret in ("SERVICE_TOKEN", "RASA_TOKEN", "ACTION_TOKEN"):
        assert secret not in plan.procfile()  # secrets stay in the environment


def test_haproxy_config_binds_loopback_and_checks_every_instance(tmp_path):
    config = prod.haproxy_config(prod.Ports())
    assert "bind 127.0.0.1:8000" in config and "bind 127.0.0.1:5055" in config
    for port in (8001, 8002, 5056, 5057):
        assert f"127.0.0.1:{port} check" in config
    assert f"timeout server {prod.ACTION_TIMEOUT_MS}ms" in config
    assert "disable-l7-retry if METH_POST" in config  # a sent message is never sent twice
    haproxy = prod.HAPROXY
    (tmp_path / "haproxy.cfg").write_text(config)
    result = subprocess.run([haproxy, "-c", "-f", str(tmp_path / "haproxy.cfg")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"database_url": "sqlite:///var/x.db"}, "DATABASE_URL"),
        ({"tracker_database_url": "sqlite:///var/t.db"}, "TRACKER_DATABASE_URL"),
        ({"redis_url": ""}, "REDIS_URL"),
    ],
)
def test_the_profile_refuses_development_stores(overrides, problem):
    with pytest.raises(prod.ProfileError, match=problem):
        prod.check(settings(**overrides))


def test_make_run_prod_explains_what_is_missing():
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": "sqlite:///var/x.db", "REDIS_URL": "", "HOME": "/tmp"}
    result = subprocess.run(
        [sys.executable, "-m", "ops.run_prod"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2
    assert "DATABASE_URL must be a postgresql:// URL" in result.stderr
    assert "REDIS_URL must be set" in result.stderr


def test_lock_store_urls():
    assert endpoints.lock_store("") is None
    store = endpoints.lock_store("rediss://:p%40ss@cache.internal:6380/3")
    assert store["use_ssl"] is True and store["password"] == "p@ss" and store["db"] == 3 and store["port"] == 6380
    with pytest.raises(ValueError):
        endpoints.lock_store("http://127.0.0.1:6379")
