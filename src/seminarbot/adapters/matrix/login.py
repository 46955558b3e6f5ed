"""The nio client: built with its store under the data directory, logged in once, and the same
device (and so the same E2EE keys) restored on every later start."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

import peewee
from aiohttp import ClientError
from nio import AsyncClient, AsyncClientConfig, LoginInfoResponse, LoginResponse, WhoamiResponse
from nio.crypto import ENCRYPTION_ENABLED

from seminarbot.adapters.http_answers import as_answered, retried, unmendable
from seminarbot.adapters.matrix.backoff import is_server_error, rate_limit_delay
from seminarbot.adapters.matrix.client import Client, LoginFailed
from seminarbot.adapters.matrix.device_keys import log_out, log_out_abandoned, publish_keys
from seminarbot.adapters.matrix.files import MatrixFiles, SavedLogin
from seminarbot.adapters.matrix.plaintext import contain_malformed
from seminarbot.adapters.matrix.settings import MatrixSettings
from seminarbot.config.settings import SettingRefused
from seminarbot.core.redaction import remember_secret
from seminarbot.domain.backoff import Backoff
from seminarbot.domain.display import in_a_line
from seminarbot.services.connections import ANSWER_LIMIT, RETRYING, answered

log = logging.getLogger(__name__)
Report = Callable[[str, str], None]

# A 429 comes straight back to us (max_limit_exceeded=0) so the adapter decides how to wait,
# and a dead connection surfaces after two tries instead of nio retrying it forever.
CLIENT_CONFIG = AsyncClientConfig(max_limit_exceeded=0, max_timeouts=2, request_timeout=60,
                                  encryption_enabled=True, store_sync_tokens=False)
# A daemon tries an unreachable homeserver at least this often (seconds), a line each time.
RETRY_LIMIT = 300.0
LOGIN_GRACE = 5.0  # seconds a log-in under way is let finish when the bot stops (`_kept`)
PASSWORD_FLOW = "m.login.password"  # Client-Server API, Login: the password log-in type


class StoreDamaged(SettingRefused):
    """nio's encryption store (an SQLite file, through peewee) cannot be read: the file must
    be moved away, which costs the device's keys."""


async def connect(settings: MatrixSettings, files: MatrixFiles,
                  report: Report = lambda state, detail: None, *, ended: bool = False
                  ) -> AsyncClient:
    """A logged-in client. `report` hears of each failed try (services.connections). The
    saved login is restored without asking the homeserver (the first sync shows whether it
    still works, as SyncFailed); `ended`: it no longer works, log in again (same device)."""
    assert settings.homeserver and settings.user_id
    files.prepare()
    client = Client(settings.homeserver, settings.user_id, store_path=str(files.store_dir),
                    config=CLIENT_CONFIG)
    try:
        try:
            await _log_in(client, settings, files, report, ended)  # it opens the store
        except peewee.DatabaseError as error:
            raise StoreDamaged(
                f"The Matrix encryption store in {files.store_dir} cannot be read ({error}). "
                f"Move that folder and {files.login_file} away, then start again: the bot "
                "logs in as a new device, with new keys (what was encrypted for the old one "
                "cannot be read).") from None
        contain_malformed(client)
        remember_secret(client.access_token)  # whether configured, saved or new
        await publish_keys(client)
    except BaseException:
        await client.close()
        raise
    return client


async def _log_in(client: AsyncClient, settings: MatrixSettings, files: MatrixFiles,
                  report: Report, ended: bool) -> None:
    homeserver, user_id = settings.homeserver or "", settings.user_id or ""
    log.info("matrix: connecting to %s as %s", homeserver, user_id)
    found = files.load_login()
    saved = _saved_login(found, files, settings)
    if saved is not None and not ended:
        client.restore_login(saved.user_id, saved.device_id, saved.access_token)
        log.info("matrix: restored device %s for %s", saved.device_id, user_id)
        return
    if saved is not None:
        log.warning("matrix: the saved login no longer works; logging in again")
        if settings.access_token == saved.access_token:
            raise LoginFailed(f"the access token for {user_id} was refused")
    if not (settings.access_token or settings.password):
        raise LoginFailed("neither a password nor an access token is configured")
    await _homeserver_checked(client, homeserver, report, password=not settings.access_token)
    if settings.access_token:
        client.access_token = settings.access_token
        answer = await _retrying(client.whoami, report, homeserver)
        if isinstance(answer, WhoamiResponse) and not answer.device_id:  # spec: may be left out
            raise LoginFailed(f"the access token for {user_id} belongs to no device (as an "
                              "application service's does), and the bot keeps end-to-end keys "
                              "for a device: give it a device's token, or its password")
        if not isinstance(answer, WhoamiResponse):
            _refuse_if_not_a_homeserver(homeserver, answer)
            raise LoginFailed(f"the access token for {user_id} was refused: {answer}")
        client.restore_login(answer.user_id, answer.device_id, settings.access_token)
    else:
        # Logging in with the device we had keeps its E2EE keys usable.
        client.device_id = saved.device_id if saved \
            else files.device_for_log_in(homeserver, user_id)
        answer = await _kept(_password_login(client, settings, files, report))
        if not isinstance(answer, LoginResponse):
            _refuse_if_not_a_homeserver(homeserver, answer)
            raise LoginFailed(f"the homeserver refused the login of {user_id}: {answer}")
    files.save_login(SavedLogin(homeserver, user_id, client.device_id, client.access_token))
    log.info("matrix: logged in as %s, device %s", user_id, client.device_id)
    await log_out_abandoned(client, None if settings.access_token else found)  # the bot's


def _saved_login(saved: SavedLogin | None, files: MatrixFiles, settings: MatrixSettings
                 ) -> SavedLogin | None:
    """`saved` (files.load_login), if it is still the one to use: None (said) for another
    account's, a token the operator has replaced, or a device whose keys' store is gone (nio
    would make new keys for the old device, which the homeserver refuses to take)."""
    if saved is None:
        return None
    if (saved.homeserver, saved.user_id) != (settings.homeserver, settings.user_id):
        log.warning("matrix: the saved login is %s's at %s; logging in as %s (a new device)",
                    saved.user_id, saved.homeserver, settings.user_id)
        return None
    if settings.access_token not in (None, saved.access_token):
        return None  # the operator gave a new token: its device is the one to use
    if ENCRYPTION_ENABLED and not settings.access_token \
            and not files.has_store(saved.user_id, saved.device_id):
        log.warning("matrix: the encryption keys of device %s are not in %s; logging in as a "
                    "new device (what was encrypted for the old one cannot be read)",
                    saved.device_id, files.store_dir)
        return None
    return saved


async def _password_login(client: AsyncClient, settings: MatrixSettings, files: MatrixFiles,
                          report: Report) -> Any:
    """The homeserver's answer to the log-in; a device it made is saved at once."""
    homeserver, user_id = settings.homeserver or "", settings.user_id or ""
    try:
        answer = await _retrying(lambda: client.login(settings.password,
                                                      device_name=settings.device_name),
                                 report, homeserver)
    except LoginFailed:  # answered, and the answer refused (restore_login): no device kept
        files.log_in_answered()
        if client.refused_token is not None:
            await log_out(client, client.refused_token)
        raise
    if isinstance(answer, LoginResponse):
        files.save_login(SavedLogin(homeserver, user_id, client.device_id, client.access_token))
    files.log_in_answered()
    return answer


async def _kept(logging_in: Coroutine[Any, Any, Any]) -> Any:
    """`logging_in`'s answer. Cancelled meanwhile (the bot stops: another platform refused
    it, a SIGTERM), it is still let finish for LOGIN_GRACE seconds: the homeserver may have
    made the device already, and its login saved is the device the next start uses, where
    each such start left the account one more (helper-98)."""
    task = asyncio.ensure_future(logging_in)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        with contextlib.suppress(Exception, asyncio.CancelledError):
            async with asyncio.timeout(LOGIN_GRACE):
                await task
        raise


async def _homeserver_checked(client: AsyncClient, homeserver: str, report: Report, *,
                              password: bool) -> None:
    """Before any password or token leaves: the address answers as a homeserver does to the
    one request that needs neither (Client-Server API, GET /_matrix/client/v3/login), so a
    mistyped address gets no credential; for a `password` log-in, it must offer one
    (m.login.password). Raises LoginFailed otherwise: a homeserver answers that request with
    its log-in types, not an error (but a rate limit, waited out by `_retrying`)."""
    answer = await _retrying(client.login_info, report, homeserver)
    if not isinstance(answer, LoginInfoResponse):
        _refuse_if_not_a_homeserver(homeserver, answer)
        raise LoginFailed(f"{homeserver} does not answer as a Matrix homeserver (it answers "
                          f"GET /_matrix/client/v3/login, which a homeserver answers anyone "
                          f"with its log-in types, with {_http_status(answer)}, "
                          f"{in_a_line(str(answer), 120)}); set MATRIX_HOMESERVER "
                          "(matrix.homeserver) to the homeserver's client API address")
    if password and PASSWORD_FLOW not in answer.flows:
        offered = in_a_line(", ".join(str(flow) for flow in answer.flows[:5]), 200) or "none"
        raise LoginFailed(f"{homeserver} does not offer log-in with a password (it offers: "
                          f"{offered}); give the bot an access token instead "
                          "(MATRIX_ACCESS_TOKEN, or matrix.access_token)")


async def _retrying(call: Any, report: Report, homeserver: str) -> Any:
    """A login-time request, tried again (for as long as it takes) while the homeserver is
    unreachable or failing; any other answer is returned. Raises LoginFailed for a redirect
    (whatever its body says: nio reads a Matrix error or login flows in it alike) and for what
    http_answers.unmendable names (an answer that is no HTTP, an untrusted certificate): no
    try mends them."""
    backoff = Backoff(limit=RETRY_LIMIT)
    while True:
        waited = None  # what a rate limit asks for
        try:
            answer = await answered(call(), ANSWER_LIMIT, "the homeserver")
        except (ClientError, TimeoutError, OSError) as error:
            if (why := unmendable(error)) is not None:
                raise LoginFailed(f"{homeserver} {why}") from None
            problem = retried(error, homeserver)
        else:
            _refuse_a_redirect(homeserver, answer)
            waited = rate_limit_delay(answer)
            if waited is None and not is_server_error(answer):
                return answer
            problem = _http_status(answer)
        delay = backoff.next_delay() if waited is None else waited
        # A rate limit (429, M_LIMIT_EXCEEDED) is the homeserver answering, not unavailable.
        state = "homeserver unavailable" if waited is None else "the homeserver asks to wait"
        report(RETRYING, f"{state}: {problem}")
        log.warning("matrix: %s (%s); trying again in %g s", state, problem, delay)
        await asyncio.sleep(delay)


def _refuse_a_redirect(homeserver: str, answer: Any) -> None:
    response = getattr(answer, "transport_response", None)
    if response is not None and 300 <= response.status < 400:
        where = in_a_line(response.headers.get("Location", ""))
        raise LoginFailed(f"{homeserver} redirects ({_http_status(answer)}) to "
                          f"{where or 'nowhere'}, and the bot follows no redirect: if "
                          "that is the homeserver, set MATRIX_HOMESERVER (matrix.homeserver) "
                          "to its client API address")


def _http_status(answer: Any) -> str:
    """`HTTP 502 Bad Gateway`: what a failing homeserver (or the proxy before it) answered."""
    response = answer.transport_response
    return as_answered(response.status, response.reason)


def _refuse_if_not_a_homeserver(homeserver: str, answer: Any) -> None:
    """An error without Matrix's error code (`errcode`) did not come from a homeserver: a web
    page, a 404, another service at that address. Say so, rather than "refused the login"."""
    if getattr(answer, "status_code", None) or getattr(answer, "transport_response", None) is None:
        return
    raise LoginFailed(f"{homeserver} does not answer as a Matrix homeserver "
                      f"({_http_status(answer)}, not a Matrix error); set MATRIX_HOMESERVER "
                      "(matrix.homeserver) to the homeserver's client API address, such as "
                      "https://matrix.example.org")
