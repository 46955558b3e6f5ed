import re
from datetime import timedelta
from pathlib import Path

import pytest

from seminarbot.config.settings import load_settings
from seminarbot.config.yamlfile import YamlError


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "c.yaml"
    path.write_text(text)
    return str(path)


def test_defaults_without_a_file(tmp_path: Path) -> None:
    settings = load_settings(None, {"SEMINARBOT_DATA_DIR": str(tmp_path)})
    assert settings.database == tmp_path / "seminarbot.db"
    assert settings.grace_window == timedelta(hours=6)
    assert settings.platforms == []
    assert settings.discord.api_base == "https://discord.com/api/v10"


def test_file_and_environment_combine_with_environment_winning(tmp_path: Path) -> None:
    path = write(tmp_path, "database: /tmp/from-file.db\nscheduler:\n  grace_window: 2h\n"
                           "discord:\n  token: file-token\n  moderator_role: Tutors\n"
                           "matrix:\n  homeserver: https://hs.example\n  user_id: '@bot:hs'\n"
                           "  command_prefix: '?'\n  moderator_power_level: 75\n")
    env = {"SEMINARBOT_DB": "/tmp/env.db", "DISCORD_TOKEN": "env-token",
           "MATRIX_PASSWORD": "pw", "DISCORD_GATEWAY_URL": "ws://127.0.0.1:1/"}
    settings = load_settings(path, env)
    assert str(settings.database) == "/tmp/env.db"
    assert settings.grace_window == timedelta(hours=2)
    assert settings.discord.token == "env-token" and settings.discord.moderator_role == "Tutors"
    assert settings.discord.gateway_url == "ws://127.0.0.1:1"
    assert settings.matrix.configured and settings.matrix.command_prefix == "?"
    assert settings.matrix.moderator_power_level == 75
    assert settings.platforms == ["discord", "matrix"]
    assert load_settings(None, {"SEMINARBOT_CONFIG": path}).source == path


@pytest.mark.parametrize(("text", "key", "problem"), [
    ("log_level: LOUD\n", "log_level", "expected one of DEBUG, INFO"),
    ("scheduler:\n  grace_window: [1]\n", "scheduler.grace_window", "expected text, got a list"),
    ("matrix:\n  moderator_power_level: high\n", "matrix.moderator_power_level",
     "expected a whole number"),
    ("matrix:\n  moderator_power_level: 99999999999999999999\n", "matrix.moderator_power_level",
     "expected a number of at most 9007199254740991, got 99999999999999999999"),
    ("matrix:\n  allowed_users: '@a:b'\n", "matrix.allowed_users", "expected a list"),
    ("discord: yes\n", "discord", "expected a mapping"),
    ("colour: blue\n", "colour", "unknown key"),
    # A path written as a number is a slip (`1.5` made a folder ./1.5): a name that is one is
    # quoted (helper-84)
    ("data_dir: 1.5\n", "data_dir", "expected text, got a number (1.5)"),
    ("database: 5\n", "database", "expected text, got a number (5)"),
    ("- a list\n", "(top level)", "expected a mapping"),
])
def test_errors_name_the_file_key_and_expectation(tmp_path: Path, text: str, key: str,
                                                  problem: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(YamlError) as caught:
        load_settings(path, {})
    assert caught.value.file == path and caught.value.key == key
    assert problem in caught.value.problem


def test_a_key_given_twice_is_refused_where_the_second_one_is(tmp_path: Path) -> None:
    """The last of two `matrix:` sections won silently, and `run` then blamed the environment
    for what the first one held (try32, 4); nested and in lists alike."""
    from seminarbot.config.yamlfile import load_yaml

    for text, where in (
            ("matrix:\n  homeserver: http://x\nlog_level: INFO\nmatrix:\n  device_name: x\n",
             "line 4, column 1: not valid YAML (the key 'matrix' appears twice)"),
            ("matrix: {homeserver: http://x, homeserver: http://y}\n",
             "line 1, column 32: not valid YAML (the key 'homeserver' appears twice)"),
            ("a:\n  - b: 1\n    b: 2\n", "line 3, column 5"),
    ):
        with pytest.raises(YamlError, match=re.escape(where)):
            load_yaml(write(tmp_path, text))
    assert load_yaml(write(tmp_path, "a: {b: 1}\nc: [{b: 2}, {b: 3}]\nb: 4\n")) == {
        "a": {"b": 1}, "c": [{"b": 2}, {"b": 3}], "b": 4}  # one key in different mappings


def test_an_empty_path_in_the_file_is_refused_as_in_the_environment(tmp_path: Path) -> None:
    # `data_dir: ""` meant the current folder, where `db migrate` made a database (try32, 3).
    for key in ("data_dir", "database", "content_dir", "prompts_dir"):
        with pytest.raises(YamlError, match="is empty: name a path") as caught:
            load_settings(write(tmp_path, f'{key}: "  "\n'), {})
        assert caught.value.key == key


def test_a_url_that_is_none_is_named_with_its_section(tmp_path: Path) -> None:
    # `homeserver:` alone did not say which section's (try32, 13).
    for text, key in (("matrix:\n  homeserver: matrix.example.org\n", "matrix.homeserver"),
                      ("discord:\n  api_base: discord.com\n", "discord.api_base")):
        with pytest.raises(YamlError, match="expected a URL") as caught:
            load_settings(write(tmp_path, text), {})
        assert caught.value.key == key


def test_hostile_yaml_is_refused(tmp_path: Path) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n" \
           "c: [*b, *b, *b, *b, *b, *b, *b, *b]\n"
    with pytest.raises(YamlError, match=r"aliases .* are not allowed"):
        load_settings(write(tmp_path, bomb), {})
    with pytest.raises(YamlError, match="line 2, column 1: not valid YAML"):
        load_settings(write(tmp_path, "key: [unclosed\n"), {})
    with pytest.raises(YamlError, match="not valid YAML"):
        load_settings(write(tmp_path, "!!python/object:os.system {}\n"), {})


def test_a_bad_value_from_the_environment_names_the_variable_not_the_file(
        tmp_path: Path) -> None:
    """MATRIX_USER_ID=bob is the environment's, with a `matrix:` section or without one
    (try32, 10)."""
    env = {"MATRIX_USER_ID": "bob", "MATRIX_HOMESERVER": "https://hs.example",
           "MATRIX_PASSWORD": "pw"}
    for text in ("matrix:\n  device_name: bot\n", "log_level: INFO\n"):
        with pytest.raises(YamlError) as refused:
            load_settings(write(tmp_path, text), env)
        assert str(refused.value) == ("environment: MATRIX_USER_ID: expected a full Matrix id "
                                      "such as @bot:example.org, got a value of 3 characters "
                                      "that is not one")
    # Set to the password by mistake (swapped with MATRIX_PASSWORD), it is not shown.
    swapped = {**env, "MATRIX_USER_ID": "hunter2-SECRETpw", "MATRIX_PASSWORD": "@bot:hs.example"}
    with pytest.raises(YamlError) as refused:
        load_settings(write(tmp_path, "log_level: INFO\n"), swapped)
    assert "SECRET" not in str(refused.value)
    with pytest.raises(YamlError, match=r": matrix\.user_id: expected a full Matrix id"):
        load_settings(write(tmp_path, "matrix:\n  user_id: bob\n"), {})


def test_a_blank_token_in_the_file_is_said_as_one_in_the_environment(tmp_path: Path) -> None:
    """`discord: {token: "   "}` is Discord configured in part, as DISCORD_TOKEN=" " is; an
    empty DISCORD_TOKEN is unset (try32, 14)."""
    for path, env in ((write(tmp_path, 'discord:\n  token: "   "\n'), {}),
                      (None, {"DISCORD_TOKEN": " "})):
        settings = load_settings(path, env)
        assert settings.discord.incomplete is not None
        assert settings.discord.incomplete.startswith("Discord is partly configured")
    assert load_settings(None, {"DISCORD_TOKEN": ""}).discord.incomplete is None


def test_settings_a_platform_would_misread_are_refused_at_the_start(tmp_path: Path) -> None:
    """An empty Matrix command prefix (every message a command) and a test_guild that is no
    server id (Discord would be asked anyway) are refused naming their key (try32, 21)."""
    for text, key in (('matrix:\n  command_prefix: ""\n', "matrix.command_prefix"),
                      ('matrix:\n  command_prefix: "a b"\n', "matrix.command_prefix"),
                      ("discord:\n  test_guild: abc\n", "discord.test_guild"),
                      ("discord:\n  test_guild: '0'\n", "discord.test_guild"),
                      ("discord:\n  test_guild: '18446744073709551616'\n",
                       "discord.test_guild"),
                      ("discord:\n  test_guild: '0123'\n", "discord.test_guild")):
        with pytest.raises(YamlError) as caught:
            load_settings(write(tmp_path, text), {})
        assert caught.value.key == key, text
    assert load_settings(write(tmp_path, "discord:\n  test_guild: '123'\n"),
                         {}).discord.test_guild == "123"


def test_a_relative_xdg_data_home_is_ignored(tmp_path: Path) -> None:
    """The XDG Base Directory spec: a relative path there is invalid and is ignored."""
    home = Path.home() / ".local" / "share" / "seminarbot"
    assert load_settings(None, {"XDG_DATA_HOME": "relative/data"}).data_dir == home
    assert load_settings(None, {"XDG_DATA_HOME": str(tmp_path)}).data_dir == tmp_path / "seminarbot"


@pytest.mark.parametrize(("key", "variable", "value", "said"), [
    # helper-102: the password went in every request's header (aiohttp then refused to send
    # one with the token: an internal error) and in the log's "connecting to" line.
    ("matrix.homeserver", "MATRIX_HOMESERVER", "http://user:hunter22@127.0.0.1:8008",
     "with no user or password in it"),
    ("discord.api_base", "DISCORD_API_BASE", "https://me:hunter22@discord.example/api",
     "with no user or password in it"),
    # Passed as a URL, then said as "DISCORD_API_BASE … its answer to the log-in is no user".
    ("discord.gateway_url", "DISCORD_GATEWAY_URL", "ws://[::1/gw", "cannot be read"),
    ("discord.gateway_url", "DISCORD_GATEWAY_URL", "https://gateway.example", "ws://"),
    ("matrix.homeserver", "MATRIX_HOMESERVER", "wss://matrix.example.org", "http://"),
    ("matrix.homeserver", "MATRIX_HOMESERVER", "http://matrix.example.org:port", "cannot be read"),
    ("matrix.homeserver", "MATRIX_HOMESERVER", "https://", "got 'https://'"),
    # helper-103: without "//" the password was quoted back; so it was in a port's error.
    ("matrix.homeserver", "MATRIX_HOMESERVER", "user:hunter22@host", "no user or password"),
    ("discord.api_base", "DISCORD_API_BASE", "http://user:hunter22/path", "cannot be read"),
    ("matrix.homeserver", "MATRIX_HOMESERVER", "http://host:8008?x", "no query"),
    ("matrix.homeserver", "MATRIX_HOMESERVER", "http://host:8008#x", "no query"),
    ("matrix.homeserver", "MATRIX_HOMESERVER", "http:// host", "no query, fragment or space"),
    ("matrix.homeserver", "MATRIX_HOMESERVER", "http://host:8008\n", "space"),
    ("matrix.homeserver", "MATRIX_HOMESERVER", "http://host:0", "a host"),
    # helper-150's 5: IDNA refused the name when it was first tried (an internal error), or
    # a name no host has was tried for ever.
    ("matrix.homeserver", "MATRIX_HOMESERVER", "https://.", "whose host is no name"),
    ("matrix.homeserver", "MATRIX_HOMESERVER", "https://a..example.org", "an empty part"),
    ("matrix.homeserver", "MATRIX_HOMESERVER", f"https://{'a' * 64}.org", "longer than 63"),
    ("matrix.homeserver", "MATRIX_HOMESERVER", "https://ex%00ample.org", "no host name can"),
    ("discord.api_base", "DISCORD_API_BASE", "https://./api/v10", "whose host is no name"),
    # helper-152's 11
    ("matrix.homeserver", "MATRIX_HOMESERVER", "https://[v1.x]", "is no IPv6 address"),
    ("matrix.homeserver", "MATRIX_HOMESERVER", "https://127.1", "is no IPv4 address"),
    ("matrix.homeserver", "MATRIX_HOMESERVER", "https://-a.example", "begins or ends with -"),
    ("discord.gateway_url", "DISCORD_GATEWAY_URL", "wss://" + ".".join(["a" * 63] * 4) + ".com",
     "longer than 253 characters")])
def test_a_url_with_a_user_no_host_or_the_wrong_scheme_is_refused(
        tmp_path: Path, key: str, variable: str, value: str, said: str) -> None:
    env = {"MATRIX_USER_ID": "@bot:example.org", "MATRIX_PASSWORD": "pw",
           "DISCORD_TOKEN": "a.b.c", variable: value}
    with pytest.raises(YamlError) as caught:
        load_settings(write(tmp_path, "{}\n"), env)
    assert caught.value.key == variable and said in str(caught.value), str(caught.value)
    assert "hunter22" not in str(caught.value)


@pytest.mark.parametrize("user_id", ["@a/b:example.org", "@" + "x" * 200 + ":example.org"])
def test_a_matrix_id_nio_cannot_name_its_key_files_after_is_refused(
        tmp_path: Path, user_id: str) -> None:
    """helper-103: the store then "cannot be read … move that folder away", which could not
    help (nio names its files `{user_id}_{device_id}.…`)."""
    with pytest.raises(YamlError) as caught:
        load_settings(write(tmp_path, "{}\n"), {"MATRIX_USER_ID": user_id,
                                                  "MATRIX_PASSWORD": "pw"})
    assert caught.value.key == "MATRIX_USER_ID" and "no '/'" in str(caught.value)


def test_a_token_that_is_not_one_word_is_refused_and_one_copied_with_spaces_is_trimmed() -> None:
    """helper-140's 6: a token with a line break inside was sent nowhere (no HTTP header can
    carry it), and the refusal blamed DISCORD_API_BASE."""
    for token in ("abc\ndef", "abc def", "abc\x7fdef"):
        said = load_settings(None, {"DISCORD_TOKEN": token}).discord.incomplete
        assert said is not None and "one word" in said and token not in said, token
    trimmed = load_settings(None, {"DISCORD_TOKEN": " abc.def\r\n"}).discord
    assert trimmed.incomplete is None and trimmed.token == "abc.def"



def test_a_matrix_access_token_not_one_word_is_refused_and_one_with_a_newline_trimmed() -> None:
    """helper-183's 1: `MATRIX_ACCESS_TOKEN=$(cat file)` (a newline after it) or a .env line's
    CR was an internal error, exit 70: aiohttp refused the header. One check of a credential
    an HTTP header carries, for both platforms (config.sources.not_one_word)."""
    base = {"MATRIX_HOMESERVER": "http://127.0.0.1:9", "MATRIX_USER_ID": "@bot:example.org"}
    for token in ("syt_a\nsyt_b", "syt_a\rsecret", "syt a"):
        settings = load_settings(None, {**base, "MATRIX_ACCESS_TOKEN": token})
        said = settings.incomplete
        assert said and "MATRIX_ACCESS_TOKEN" in said[0] and "one word" in said[0], token
        assert token not in said[0]
    trimmed = load_settings(None, {**base, "MATRIX_ACCESS_TOKEN": "syt_secret\n"})
    assert trimmed.incomplete == []
    assert trimmed.matrix.access_token == "syt_secret"


def test_every_variable_wins_over_the_file_data_dir_too(tmp_path: Path) -> None:
    """helper-158's 4: the file's data_dir beat SEMINARBOT_DATA_DIR where every other variable
    wins: the image's SEMINARBOT_DATA_DIR=/data lost to a mounted file's data_dir, and the
    database left the volume."""
    path = write(tmp_path, f"data_dir: {tmp_path / 'from-file'}\nlog_level: debug\n")
    settings = load_settings(path, {"SEMINARBOT_DATA_DIR": str(tmp_path / "from-env"),
                                    "SEMINARBOT_LOG_LEVEL": " warning "})
    assert settings.data_dir == tmp_path / "from-env"
    assert settings.database == tmp_path / "from-env" / "seminarbot.db"
    assert settings.log_level == "WARNING"
    # Blanks alone are no value: the file's is taken.
    assert load_settings(path, {"SEMINARBOT_LOG_LEVEL": "  "}).log_level == "DEBUG"


@pytest.mark.parametrize(("text", "env", "said"), [
    ("log_format: xml\n", {"SEMINARBOT_LOG_FORMAT": "json"}, "log_format: expected one of"),
    ("log_level: loud\n", {"SEMINARBOT_LOG_LEVEL": "info"}, "log_level: expected one of"),
    ("discord:\n  api_base: ftp://nope\n", {"DISCORD_API_BASE": "https://discord.com/api/v10"},
     "api_base: expected a URL starting with")])
def test_a_value_the_environment_overrides_is_checked_too(
        tmp_path: Path, text: str, env: dict[str, str], said: str) -> None:
    """helper-158's 6: a slip in the file went unsaid while a variable overrode it, until the
    day the variable went."""
    path = write(tmp_path, text)
    with pytest.raises(YamlError) as refused:
        load_settings(path, {"SEMINARBOT_DATA_DIR": str(tmp_path), **env})
    assert refused.value.file == path and said in str(refused.value)


def test_a_database_or_configuration_named_dash_is_refused(tmp_path: Path) -> None:
    """helper-187's 6: `--db -` was refused, but SEMINARBOT_DB=- and `database: "-"` made a
    database named `-` in the working folder."""
    for where, env, text in (("SEMINARBOT_DB", {"SEMINARBOT_DB": "-"}, "{}\n"),
                             ("database", {}, 'database: "-"\n'),
                             ("SEMINARBOT_CONFIG", {"SEMINARBOT_CONFIG": "-"}, None)):
        with pytest.raises(YamlError) as caught:
            load_settings(None if text is None else write(tmp_path, text), env)
        assert caught.value.key == where and "standard input or output" in str(caught.value)


def test_a_configuration_file_that_cannot_be_reached_is_a_configuration_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """helper-190's 4: a name too long, or a folder on the way this user may not enter, was
    said in the database's words (`chmod u+rwx` to write there), exit 1."""
    long = tmp_path / ("b" * 300) / "c.yaml"
    with pytest.raises(YamlError, match=r"cannot read the file \(File name too long\)$"):
        load_settings(str(long), {})
    inside = tmp_path / "sub" / "c.yaml"
    real_stat = Path.stat

    def refused(self: Path, **options: bool) -> object:
        if self == inside:
            raise PermissionError(13, "Permission denied", str(self))
        return real_stat(self, **options)

    monkeypatch.setattr(Path, "stat", refused)
    with pytest.raises(YamlError, match=r"cannot read the file \(Permission denied\); make it "
                                        r"and the folders on its way readable"):
        load_settings(str(inside), {})


def test_an_unknown_key_offers_the_near_one(tmp_path: Path) -> None:
    """helper-190's 9: `dta_dir` listed the known keys but did not say which was meant."""
    for text, said in (("dta_dir: /tmp/x\n", "dta_dir: unknown key (did you mean data_dir? "),
                       ("discord:\n  tokn: abc\n", "discord.tokn: unknown key (did you mean "
                                                   "token? "),
                       ("zzz: 1\n", "zzz: unknown key (known keys here: ")):
        path = tmp_path / "c.yaml"
        path.write_text(text)
        with pytest.raises(YamlError) as refused:
            load_settings(str(path), {})
        assert said in str(refused.value), str(refused.value)
