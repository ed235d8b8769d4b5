"""The pure 1:1 meeting scheduler (projects.meetings.scheduler): generated cases check the
guarantees in its docstring; hand-made cases check placements and the reasons given for
unplaced requests."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from projects.meetings.scheduler import (
    Interval,
    Placement,
    Reason,
    Req,
    ScheduleResult,
    TimeSlot,
    schedule,
)

T0 = datetime(2025, 6, 10, 6, 0, tzinfo=UTC)  # 14:00 Beijing time
MIN = timedelta(minutes=1)


def at(minutes: int) -> datetime:
    return T0 + minutes * MIN


def slots_of(start: int, count: int, minutes: int = 20,
             rooms: tuple[str, ...] | None = None) -> list[TimeSlot]:
    return [TimeSlot(at(start + i * minutes), at(start + (i + 1) * minutes), rooms)
            for i in range(count)]


def req(rid: int, *parties: str) -> Req:
    return Req(rid, frozenset(parties))


# --- checkers of the guarantees ----------------------------------------------------------------

def overlaps(a_start, a_end, b_start, b_end) -> bool:
    return a_start < b_end and b_start < a_end


def assert_no_double_booking(placements: list[Placement]) -> None:
    for i, a in enumerate(placements):
        for b in placements[i + 1:]:
            if overlaps(a.start, a.end, b.start, b.end):
                assert a.room != b.room, f"room {a.room} double-booked: {a} / {b}"
                shared = a.request.parties & b.request.parties
                assert not shared, f"{shared} double-booked: {a} / {b}"


def is_free(r: Req, slot: TimeSlot, rooms, unavailable, placements) -> bool:
    """True when `r` could be added at `slot` to the final schedule `placements`."""
    if any(iv.overlaps(slot.start, slot.end) for p in r.parties for iv in unavailable.get(p, ())):
        return False
    busy = [p for p in placements if overlaps(p.start, p.end, slot.start, slot.end)]
    if any(p.request.parties & r.parties for p in busy):
        return False
    taken = {p.room for p in busy}
    return any(room not in taken for room in (slot.rooms if slot.rooms is not None else rooms))


def check_guarantees(result: ScheduleResult, requests, slots, rooms, unavailable,
                     existing=()) -> None:
    everything = list(existing) + result.placed
    # Every request exactly once.
    placed_ids = [p.request.id for p in result.placed]
    unplaced_ids = [u.request.id for u in result.unplaced]
    assert sorted(placed_ids + unplaced_ids) == sorted(r.id for r in requests)
    # 1. No overlaps per party and per room.
    assert_no_double_booking(everything)
    # 2. Placed at a given slot, in one of its rooms, when no party is unavailable.
    for p in result.placed:
        matching = [s for s in slots if s.start == p.start and s.end == p.end
                    and p.room in (s.rooms if s.rooms is not None else rooms)]
        assert matching, f"{p} is not at a given slot/room"
        for party in p.request.parties:
            for iv in unavailable.get(party, ()):
                assert not iv.overlaps(p.start, p.end), f"{p} in unavailable time of {party}"
    # 3. Maximality: no unplaced request fits anywhere in the final schedule.
    for u in result.unplaced:
        for slot in slots:
            assert not is_free(u.request, slot, rooms, unavailable, everything), (
                f"request {u.request.id} unplaced ({u.reason}) but fits at {slot}"
            )


# --- generated cases ---------------------------------------------------------------------------

@st.composite
def cases(draw):
    rooms = [f"T{i}" for i in range(draw(st.integers(1, 3)))]
    slots: list[TimeSlot] = []
    for _ in range(draw(st.integers(0, 2))):
        start = draw(st.integers(0, 120)) // 10 * 10
        minutes = draw(st.sampled_from([15, 20, 30]))
        count = draw(st.integers(1, 5))
        block_rooms = draw(st.one_of(
            st.none(), st.lists(st.sampled_from(["T0", "T1", "T2", "V1"]), min_size=0,
                                max_size=3, unique=True).map(tuple)))
        slots.extend(slots_of(start, count, minutes, block_rooms))
    users = [f"user:{i}" for i in range(draw(st.integers(1, 6)))]
    orgs = [f"org:{i}" for i in range(draw(st.integers(1, 4)))]
    pairs = draw(st.lists(st.tuples(st.sampled_from(users), st.sampled_from(orgs)),
                          max_size=14, unique=True))
    requests = [req(i + 1, u, o) for i, (u, o) in enumerate(pairs)]
    unavailable: dict[str, list[Interval]] = {}
    for party in draw(st.lists(st.sampled_from(users + orgs), max_size=5, unique=True)):
        ivs = []
        for _ in range(draw(st.integers(1, 2))):
            s = draw(st.integers(0, 220))
            ivs.append(Interval(at(s), at(s + draw(st.integers(1, 60)))))
        unavailable[party] = ivs
    return requests, slots, rooms, unavailable


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_generated_schedules_have_no_overlaps_respect_unavailability_and_are_maximal(case):
    requests, slots, rooms, unavailable = case
    result = schedule(requests=requests, slots=slots, rooms=rooms, unavailable=unavailable)
    check_guarantees(result, requests, slots, rooms, unavailable)


@settings(max_examples=150, deadline=None)
@given(cases(), st.randoms(use_true_random=False))
def test_schedule_is_deterministic_and_independent_of_input_order(case, rnd):
    requests, slots, rooms, unavailable = case
    first = schedule(requests=requests, slots=slots, rooms=rooms, unavailable=unavailable)
    again = schedule(requests=requests, slots=slots, rooms=rooms, unavailable=unavailable)
    shuffled_requests, shuffled_slots = list(requests), list(slots)
    rnd.shuffle(shuffled_requests)
    rnd.shuffle(shuffled_slots)
    shuffled = schedule(requests=shuffled_requests, slots=shuffled_slots, rooms=rooms,
                        unavailable=unavailable)
    assert first == again == shuffled


@settings(max_examples=150, deadline=None)
@given(cases(), st.data())
def test_existing_meetings_are_kept_and_never_double_booked(case, data):
    requests, slots, rooms, unavailable = case
    # Schedule a first part, then the rest around it.
    cut = data.draw(st.integers(0, len(requests)))
    first = schedule(requests=requests[:cut], slots=slots, rooms=rooms, unavailable=unavailable)
    rest = requests[cut:]
    second = schedule(requests=rest, slots=slots, rooms=rooms, unavailable=unavailable,
                      existing=first.placed)
    check_guarantees(second, rest, slots, rooms, unavailable, existing=first.placed)
    assert not {p.request.id for p in second.placed} & {p.request.id for p in first.placed}


# --- hand-made cases ---------------------------------------------------------------------------

def test_two_requests_with_one_presenter_go_to_different_times():
    requests = [req(1, "user:1", "org:9"), req(2, "user:2", "org:9")]
    result = schedule(requests=requests, slots=slots_of(0, 2), rooms=["T1", "T2"])
    assert [(p.request.id, p.start, p.room) for p in result.placed] == [
        (1, at(0), "T1"), (2, at(20), "T1")]
    assert result.unplaced == []


def test_parallel_meetings_use_separate_rooms():
    requests = [req(1, "user:1", "org:1"), req(2, "user:2", "org:2")]
    result = schedule(requests=requests, slots=slots_of(0, 1), rooms=["T1", "T2"])
    assert sorted((p.request.id, p.room) for p in result.placed) == [(1, "T1"), (2, "T2")]


def test_no_slots_is_reported():
    result = schedule(requests=[req(1, "user:1", "org:1")], slots=[], rooms=["T1"])
    assert result.unplaced == [(req(1, "user:1", "org:1"), Reason.NO_MEETING_SLOTS)]


def test_party_unavailable_at_every_time_is_reported():
    result = schedule(requests=[req(1, "user:1", "org:1")], slots=slots_of(0, 3), rooms=["T1"],
                      unavailable={"org:1": [Interval(at(0), at(60))]})
    assert result.placed == []
    assert result.unplaced[0].reason == Reason.PARTY_UNAVAILABLE


def test_unavailable_times_are_avoided():
    result = schedule(requests=[req(1, "user:1", "org:1")], slots=slots_of(0, 3), rooms=["T1"],
                      unavailable={"user:1": [Interval(at(0), at(25))]})
    assert result.placed[0].start == at(40)  # 20–40 overlaps 0–25; touching ends do not


def test_no_common_free_slot_when_the_party_is_busy_elsewhere():
    # org:1 has one meeting slot and two requesters.
    requests = [req(1, "user:1", "org:1"), req(2, "user:2", "org:1")]
    result = schedule(requests=requests, slots=slots_of(0, 1), rooms=["T1", "T2"])
    assert [p.request.id for p in result.placed] == [1]
    assert result.unplaced == [(requests[1], Reason.NO_COMMON_FREE_SLOT)]


def test_no_free_room_at_the_common_free_times():
    requests = [req(1, "user:1", "org:1"), req(2, "user:2", "org:2")]
    result = schedule(requests=requests, slots=slots_of(0, 1), rooms=["T1"])
    assert result.unplaced == [(requests[1], Reason.NO_FREE_ROOM)]


def test_most_constrained_request_is_placed_first():
    # user:2 can only meet in the first slot; user:1 could meet in either. Both with org:1.
    requests = [req(1, "user:1", "org:1"), req(2, "user:2", "org:1")]
    result = schedule(requests=requests, slots=slots_of(0, 2), rooms=["T1"],
                      unavailable={"user:2": [Interval(at(20), at(40))]})
    assert {p.request.id: p.start for p in result.placed} == {2: at(0), 1: at(20)}


def test_augmenting_step_moves_a_placed_meeting_to_make_room():
    # Order (most constrained first): 1 (only 20, user:3 is away at 0), then 2, then 3.
    # Greedy puts 1 at 20 and 2 at 0; 3 then finds user:1 busy at 0 and org:3 busy at 20.
    # The augmenting step moves 2 to 20 and places 3 at 0.
    requests = [req(1, "user:3", "org:3"), req(2, "user:1", "org:2"), req(3, "user:1", "org:3")]
    slots = slots_of(0, 2)
    unavailable = {"user:3": [Interval(at(0), at(20))]}
    result = schedule(requests=requests, slots=slots, rooms=["T1", "T2"],
                      unavailable=unavailable)
    assert result.unplaced == []
    assert {p.request.id: p.start for p in result.placed} == {1: at(20), 2: at(20), 3: at(0)}
    check_guarantees(result, requests, slots, ["T1", "T2"], unavailable)


def test_existing_meetings_block_parties_and_rooms():
    fixed = Placement(req(100, "user:9", "org:1"), at(0), at(20), "T1")
    result = schedule(requests=[req(1, "user:1", "org:1")], slots=slots_of(0, 2),
                      rooms=["T1"], existing=[fixed])
    assert [(p.start, p.room) for p in result.placed] == [(at(20), "T1")]


def test_duplicate_request_ids_are_rejected():
    with pytest.raises(ValueError):
        schedule(requests=[req(1, "user:1", "org:1"), req(1, "user:2", "org:1")],
                 slots=slots_of(0, 1), rooms=["T1"])


def test_a_roadshow_sized_case_is_maximal():
    rnd = random.Random(4)
    users = [f"user:{i}" for i in range(80)]
    orgs = [f"org:{i}" for i in range(30)]
    requests = [req(i, rnd.choice(users), rnd.choice(orgs)) for i in range(300)]
    slots = slots_of(0, 9)  # 14:00–17:00
    rooms = [f"T{i}" for i in range(15)]
    unavailable = {o: [Interval(at(60), at(100))] for o in orgs[:5]}
    result = schedule(requests=requests, slots=slots, rooms=rooms, unavailable=unavailable)
    check_guarantees(result, requests, slots, rooms, unavailable)
    assert len(result.placed) == 9 * 15  # every table is used in every slot
