"""settings(): each bad key stops start-up with its name; load_config_file(): env overrides."""
import pytest

from shared.config import load_config_file, settings
from shared.errors import ConfigError

OVERRIDABLE = ("AMQP_URI", "RABBIT_MANAGEMENT_URI", "STORE_URI", "GATEWAY_ADDRESS",
               "MAX_WORKERS", "EVENT_RETRY_DELAYS", "OUTBOX_POLL_SECONDS", "OUTBOX_RELAY",
               "LOG_LEVEL", "DEPLOYMENT_MODE", "TOKEN_SECRET", "TOKEN_SECRET_FILE",
               "TOKEN_PREVIOUS_SECRETS")


def config(**overrides):
    # development: these tests are about other keys than the secrets (tests/unit/test_secrets.py)
    return {"AMQP_URI": "amqp://guest:guest@localhost:5672/", "DEPLOYMENT_MODE": "development",
            **overrides}


def refused(config_dict):
    with pytest.raises(ConfigError) as caught:
        settings(config_dict)
    return caught.value.fields


@pytest.fixture
def clean_env(monkeypatch):
    for name in OVERRIDABLE:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.fixture
def development_env(clean_env):
    clean_env.setenv("DEPLOYMENT_MODE", "development")
    return clean_env


# --- defaults and pass-through ---------------------------------------------------------------

def test_defaults_fill_every_key_but_the_broker():
    loaded = settings(config())
    assert loaded["STORE_URI"] == "embedded:var/data"
    assert loaded["EVENT_RETRY_DELAYS"] == [1.0, 5.0, 30.0]
    assert loaded["OUTBOX_RELAY"] == "running"
    assert loaded["OUTBOX_POLL_SECONDS"] == 0.2


def test_nameko_keys_are_ignored_not_refused():
    loaded = settings(config(max_workers=10, LOGGING={"version": 1}))
    assert "max_workers" not in loaded


def test_settings_does_not_modify_the_config_it_is_given():
    given = config(EVENT_RETRY_DELAYS="1,2")
    settings(given)
    assert given["EVENT_RETRY_DELAYS"] == "1,2"


# --- AMQP_URI --------------------------------------------------------------------------------

@pytest.mark.parametrize("uri", ["amqp://guest:guest@localhost:5672/", "amqps://rabbit:5671/",
                                 "pyamqp://rabbit/"])
def test_amqp_uris_are_accepted(uri):
    assert settings(config(AMQP_URI=uri))["AMQP_URI"] == uri


@pytest.mark.parametrize("uri", ["http://localhost:5672/", "localhost:5672", "", " amqp://x/"])
def test_a_bad_amqp_uri_is_refused(uri):
    assert "AMQP_URI" in refused(config(AMQP_URI=uri))


def test_a_missing_amqp_uri_is_refused():
    assert "AMQP_URI" in refused({})


# --- STORE_URI -------------------------------------------------------------------------------

@pytest.mark.parametrize("uri", ["mongodb://db:27017/sausat", "mongodb+srv://cluster.example",
                                 "embedded:var/data", "embedded:/srv/sausat"])
def test_mongodb_and_embedded_store_uris_are_accepted(uri):
    assert settings(config(STORE_URI=uri))["STORE_URI"] == uri


@pytest.mark.parametrize("uri", ["postgres://db/sausat", "var/data", "mongodb:/db", "Embedded:x"])
def test_a_store_uri_of_another_kind_is_refused(uri):
    assert "STORE_URI" in refused(config(STORE_URI=uri))


def test_embedded_store_without_a_folder_is_refused():
    (reason,) = refused(config(STORE_URI="embedded:"))["STORE_URI"]
    assert "folder" in reason


# --- EVENT_RETRY_DELAYS ----------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("1,5,30", [1.0, 5.0, 30.0]),
    (" 0.5 , 2 ", [0.5, 2.0]),
    ("1,,5,", [1.0, 5.0]),
    ([1, 5, 30], [1.0, 5.0, 30.0]),
    (["0.2", 0.4], [0.2, 0.4]),
    (7, [7.0]),
    ([86400], [86400.0]),
    ([1] * 10, [1.0] * 10),
])
def test_retry_delays_parse_from_a_string_or_a_list(value, expected):
    assert settings(config(EVENT_RETRY_DELAYS=value))["EVENT_RETRY_DELAYS"] == expected


@pytest.mark.parametrize("value", [
    "1,soon,30", ["a"], [None],             # not numbers
    "0", [1, 0], "-1,5", [-0.5],             # zero or negative
    [1] * 11, ",".join(["1"] * 11),          # more than ten
    "", [], ",",                             # none at all
    [86401],                                 # more than a day
    {"first": 1},                            # neither a list nor a string
])
def test_bad_retry_delays_are_refused(value):
    assert "EVENT_RETRY_DELAYS" in refused(config(EVENT_RETRY_DELAYS=value))


# --- OUTBOX_RELAY and the rest ---------------------------------------------------------------

@pytest.mark.parametrize("state", ["running", "paused"])
def test_outbox_relay_may_run_or_pause(state):
    assert settings(config(OUTBOX_RELAY=state))["OUTBOX_RELAY"] == state


@pytest.mark.parametrize("state", ["stopped", "RUNNING", ""])
def test_any_other_outbox_relay_state_is_refused(state):
    assert "OUTBOX_RELAY" in refused(config(OUTBOX_RELAY=state))


def test_every_bad_key_is_named_in_one_error():
    fields = refused({"STORE_URI": "redis://x", "EVENT_RETRY_DELAYS": "0",
                      "OUTBOX_RELAY": "off", "OUTBOX_POLL_SECONDS": 0})
    assert set(fields) == {"AMQP_URI", "STORE_URI", "EVENT_RETRY_DELAYS", "OUTBOX_RELAY",
                           "OUTBOX_POLL_SECONDS"}


def test_config_error_message_names_the_bad_key():
    with pytest.raises(ConfigError, match="STORE_URI"):
        settings(config(STORE_URI="sqlite:///x"))


# --- the config file -------------------------------------------------------------------------

def test_config_file_without_environment_refuses_its_development_secrets(clean_env):
    # production is the default: the written token key and guest are published secrets
    assert {"TOKEN_SECRET", "AMQP_URI"} <= set(refused(load_config_file()))


def test_config_file_in_development_yields_the_defaults(development_env):
    loaded = settings(load_config_file())
    assert loaded["AMQP_URI"] == "amqp://guest:guest@localhost:5672/"
    assert loaded["STORE_URI"] == "embedded:var/data"
    assert loaded["EVENT_RETRY_DELAYS"] == [1.0, 5.0, 30.0]
    assert loaded["OUTBOX_RELAY"] == "running"


def test_environment_overrides_the_config_file(development_env):
    clean_env = development_env
    clean_env.setenv("STORE_URI", "mongodb://db:27017/sausat")
    clean_env.setenv("EVENT_RETRY_DELAYS", "2,4")
    clean_env.setenv("OUTBOX_RELAY", "paused")
    loaded = settings(load_config_file())
    assert loaded["STORE_URI"] == "mongodb://db:27017/sausat"
    assert loaded["EVENT_RETRY_DELAYS"] == [2.0, 4.0]
    assert loaded["OUTBOX_RELAY"] == "paused"


def test_a_single_retry_delay_from_the_environment_is_a_list(development_env):
    development_env.setenv("EVENT_RETRY_DELAYS", "7")
    assert settings(load_config_file())["EVENT_RETRY_DELAYS"] == [7.0]


def test_a_bad_value_from_the_environment_is_refused(clean_env):
    clean_env.setenv("STORE_URI", "embedded:")
    assert "STORE_URI" in refused(load_config_file())


def test_load_config_file_reads_the_file_it_is_given(clean_env, tmp_path):
    path = tmp_path / "config.yml"
    path.write_text('AMQP_URI: ${AMQP_URI:amqps://rabbit/}\nSTORE_URI: "embedded:x"\n')
    assert load_config_file(path) == {"AMQP_URI": "amqps://rabbit/", "STORE_URI": "embedded:x"}
