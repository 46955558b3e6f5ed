"""The planner's rules, one at a time (domain.planning; the README's Scheduling section)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta

from seminarbot.domain.models import OutboxItem, OutboxState
from seminarbot.domain.planning import Planned, closes_at, plan_posts
from seminarbot.domain.progress import current_session, next_session, progress
from seminarbot.domain.schedule import Move, WeeklyRule, wall_clock, wall_clock_after
from tests.scheduler.support import long_syllabus

PLAN = long_syllabus(weeks=5, prompts_per_session=1).plan
MONDAY = datetime(2026, 1, 5, 9, tzinfo=UTC)
TUESDAYS = WeeklyRule((1,), time(19, 0), "UTC", date(2026, 1, 5))


def utc(day: int, hour: int = 19, minute: int = 0, month: int = 1) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def posted(session: int, at: datetime) -> OutboxItem:
    return OutboxItem(session, 1, f"w{session}", "prompt", f"w{session}-p1", at,
                      OutboxState.POSTED, 1, "m", "t", at)


def plan(items: Sequence[OutboxItem] = (), now: datetime = MONDAY, *,
         rule: WeeklyRule = TUESDAYS, moves: Mapping[str, Move] | None = None,
         skips: Mapping[date, str | None] | None = None, min_open: timedelta = timedelta(days=1),
         reminder_before: timedelta | None = None, digest: bool = False) -> Planned:
    return plan_posts(progress(PLAN, items), rule, now, moves=moves, skips=skips or {},
                      min_open=min_open, reminder_before=reminder_before, digest=digest)


def opens(planned: Planned) -> list[datetime]:
    return [planned.starts[f"w{n}"] for n in range(1, 6)]


def test_sessions_take_the_meetings_in_plan_order() -> None:
    assert opens(plan()) == [utc(6), utc(13), utc(20), utc(27), utc(3, month=2)]


def test_a_move_later_takes_the_sessions_after_it_along() -> None:
    planned = plan(moves={"w2": Move(utc(22, 10))})
    assert opens(planned) == [utc(6), utc(22, 10), utc(27), utc(3, month=2), utc(10, month=2)]
    assert planned.inversions() == []


def test_a_move_that_a_pause_would_put_out_of_order_is_released() -> None:
    # Moved (in order) to Thu 22 Jan; the seminar resumes on 19 Jan: session 2 is on 27 Jan.
    planned = plan(now=utc(19, 9), moves={"w3": Move(utc(22, 19, 30))})
    assert [(r.session_id, r.reason, r.other) for r in planned.released] == [
        ("w3", "order", "w2")]
    assert opens(planned)[:3] == [utc(20), utc(27), utc(3, month=2)]


def test_a_move_out_of_order_on_purpose_stays_and_the_rest_keep_apart_from_it() -> None:
    planned = plan(moves={"w4": Move(utc(14, 10), out_of_order=True)})
    assert planned.released == ()
    # 13 Jan 19:00 is 15 hours before session 4 opens: session 2 passes over it.
    assert opens(planned) == [utc(6), utc(20), utc(27), utc(14, 10), utc(3, month=2)]
    assert planned.inversions() == [("w2", "w4"), ("w3", "w4")]


def test_a_meeting_too_soon_after_an_opened_session_is_passed_over() -> None:
    # Session 1 was posted early, on Tuesday morning: the 19:00 meeting is too soon.
    planned = plan([posted(1, utc(6, 9))], now=utc(6, 10))
    assert opens(planned)[:2] == [utc(6, 9), utc(13)]
    two_meetings = WeeklyRule((1, 2), time(19, 0), "UTC", date(2026, 1, 5))
    planned = plan([posted(1, utc(6, 9))], now=utc(6, 10), rule=two_meetings)
    assert opens(planned)[:3] == [utc(6, 9), utc(7), utc(13)]  # 34 hours: far enough
    planned = plan([posted(1, utc(7, 9))], now=utc(7, 10), rule=two_meetings,
                   min_open=timedelta(hours=36))
    assert opens(planned)[1] == utc(13)


def test_a_move_too_close_to_an_opened_session_or_in_the_past_is_released() -> None:
    planned = plan([posted(1, utc(6))], now=utc(7, 9), moves={"w2": Move(utc(7, 12))})
    assert [(r.reason, r.other) for r in planned.released] == [("too close", "w1")]
    planned = plan(now=utc(8), moves={"w1": Move(utc(7, 12))})
    assert [r.reason for r in planned.released] == ["passed"]


def test_a_released_move_gives_back_the_meeting_it_left_empty() -> None:
    skips = {date(2026, 1, 27): "w4"}
    planned = plan(now=utc(19, 9), moves={"w4": Move(utc(16, 10))}, skips=skips)
    assert planned.freed == (date(2026, 1, 27),)
    assert opens(planned)[:4] == [utc(20), utc(27), utc(3, month=2), utc(10, month=2)]


def test_reminders_and_digests_follow_the_openings() -> None:
    planned = plan([posted(1, utc(6, 9))], now=utc(6, 10), reminder_before=timedelta(days=1),
                   digest=True, min_open=timedelta(hours=1),
                   rule=WeeklyRule((1, 2), time(19, 0), "UTC", date(2026, 1, 5)))
    due = {(p.session_id, p.kind): p.due_at for p in planned.posts}
    # Session 1 opened at 09:00; session 2 opens at 19:00: open 10 hours, so its reminder
    # comes halfway, its digest at 19:00.
    assert due[("w1", "reminder")] == utc(6, 14)
    assert due[("w1", "digest")] == utc(6, 19)
    assert due[("w2", "reminder")] == utc(7, 7)  # open 24 hours: still halfway
    assert due[("w3", "reminder")] == utc(12, 19)  # open 6 days: a day before it closes
    assert due[("w5", "digest")] == utc(21, 19)  # the last (Wed 14th): a week after it opens


def test_no_reminder_or_digest_for_a_session_already_closed() -> None:
    items = [posted(1, utc(6)), posted(2, utc(13))]
    planned = plan(items, now=utc(14), reminder_before=timedelta(hours=2), digest=True)
    assert {(p.session_id, p.kind) for p in planned.posts if p.kind != "prompt"} == {
        ("w2", "reminder"), ("w2", "digest"), ("w3", "reminder"), ("w3", "digest"),
        ("w4", "reminder"), ("w4", "digest"), ("w5", "reminder"), ("w5", "digest")}


def test_this_week_is_the_latest_opened_in_time_and_the_next_is_the_first_due() -> None:
    items = [posted(1, utc(20)), posted(3, utc(22)), posted(2, utc(27))]
    assert current_session(PLAN, items).id == "w2"
    assert current_session(PLAN, []).id == "w1"
    waiting = [OutboxItem(9, 1, "w5", "prompt", "w5-p1", utc(3, month=2), OutboxState.PENDING, 0),
               OutboxItem(8, 1, "w4", "prompt", "w4-p1", utc(4, month=2), OutboxState.PENDING, 0)]
    found = next_session(PLAN, items + waiting)
    assert found is not None and found.id == "w5"
    assert closes_at(progress(PLAN, items + waiting), "w2") == utc(3, month=2)


def test_wall_clock_spans_count_a_dst_night_as_its_clock_length() -> None:
    london = WeeklyRule((1, 2), time(19, 0), "Europe/London", date(2026, 3, 23)).zone
    before, after = utc(28, 19, month=3), utc(29, 18, month=3)  # Sat 19:00 GMT, Sun 19:00 BST
    assert after - before == timedelta(hours=23)
    assert wall_clock(before, after, london) == timedelta(hours=24)
    assert wall_clock_after(before, timedelta(hours=24), london) == after
