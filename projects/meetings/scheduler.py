"""The 1:1 meeting scheduler (洽谈排期). Pure Python: no Django, no I/O.

Input
-----
- ``requests``: the accepted meeting requests to place, each a `Req` with an ``id`` (unique,
  orderable) and its ``parties``: participant ids such as ``"user:12"`` (the requesting
  person) and ``"org:3"`` (the presenter organisation). A party may take part in at most one
  meeting at a time.
- ``slots``: the candidate meeting times, `TimeSlot` ``[start, end)`` (aware datetimes), each
  with the rooms usable then (``rooms=None``: every room in ``rooms``). Slots may come from
  several blocks and may even overlap; all conflict checks compare time intervals, not slot
  identities.
- ``rooms``: the default room names (tables or video rooms), in order of preference.
- ``unavailable``: per party, the `Interval` s when it cannot meet. A slot is unavailable to a
  party when it overlaps one of them (half-open intervals: touching ends do not overlap).
- ``existing``: placements that are already fixed (e.g. meetings scheduled by an earlier run).
  They occupy their parties and room and are never moved; they are not returned again.

Output
------
`ScheduleResult` with ``placed`` (new `Placement` s, sorted by start, room, request id) and
``unplaced`` (`Unplaced` ``(request, reason)`` pairs, sorted by request id). Every request
appears in exactly one of the two.

Guarantees (tested with generated cases in tests/projects/meetings/test_scheduler.py)
-------------------------------------------------------------------------
1. No party and no room is in two overlapping meetings (counting ``existing``).
2. Every placement is at one of the ``slots``, in one of its rooms, and at a time when none of
   its parties is unavailable.
3. Maximality: for every unplaced request there is, in the final schedule, no slot at which
   all its parties are available and not in another meeting *and* one of the slot's rooms is
   free. (Not maximum: placing the most requests is a multi-resource packing problem and
   NP-hard in general; maximality plus the augmenting step below is what the event needs.)
4. Deterministic: the result depends only on the input values, not on the order of
   ``requests`` or ``slots`` (``rooms`` order is a preference and does matter).

Algorithm
---------
1. Slots are sorted by (start, end, rooms); requests by the number of slots statically open to
   them (parties available, a room not taken by ``existing``) — most constrained first — then
   by id.
2. Greedy: each request takes the earliest slot at which its parties are free, with the first
   free room of that slot.
3. Augmenting step, when the greedy step fails: for each slot (earliest first) at which the
   request's parties are available, if exactly one movable meeting blocks it (a meeting of one
   of its parties, or — when the parties are free — the meeting in a room of that slot), move
   that meeting to the earliest other slot where it fits, and place the request in the freed
   place. A move that does not fit is undone. This is one step of an augmenting path.
4. Final sweep: because moves may free places, every request still unplaced is retried by the
   greedy step in the same order. The sweep only adds meetings, so a request that fails in it
   fails against the final schedule too: this gives guarantee 3.
5. Each unplaced request gets the most specific `Reason`, judged on the final schedule.

Complexity is O(R·S·P) for the greedy steps and O(R·S·(B + R·S·P)) in the worst case with
augmenting (R requests, S slots, P placements per party/room, B blockers); for a roadshow
(hundreds of requests, tens of slots) this runs in milliseconds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

Party = str


@dataclass(frozen=True, order=True)
class Interval:
    """A half-open time interval ``[start, end)``."""

    start: datetime
    end: datetime

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return self.start < end and start < self.end


@dataclass(frozen=True)
class TimeSlot:
    """A candidate meeting time ``[start, end)``; ``rooms=None`` means every default room."""

    start: datetime
    end: datetime
    rooms: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if not self.start < self.end:
            raise ValueError(f"slot must end after it starts: {self.start} – {self.end}")

    def sort_key(self) -> tuple[datetime, datetime, bool, tuple[str, ...]]:
        return (self.start, self.end, self.rooms is None, self.rooms or ())


@dataclass(frozen=True)
class Req:
    """A meeting to place: its id and the participant ids that must attend."""

    id: int
    parties: frozenset[Party]


@dataclass(frozen=True)
class Placement:
    request: Req
    start: datetime
    end: datetime
    room: str


class Reason(StrEnum):
    """Why a request could not be placed (most specific first)."""

    #: No meeting slots were given at all.
    NO_MEETING_SLOTS = "no_meeting_slots"
    #: At every meeting time at least one party is unavailable.
    PARTY_UNAVAILABLE = "party_unavailable"
    #: At every time when all parties are available, one of them is in another meeting
    #: (no common free slot).
    NO_COMMON_FREE_SLOT = "no_common_free_slot"
    #: The parties have common free times, but every room is taken at all of them.
    NO_FREE_ROOM = "no_free_room"


class Unplaced(NamedTuple):
    request: Req
    reason: Reason


@dataclass
class ScheduleResult:
    placed: list[Placement] = field(default_factory=list)
    unplaced: list[Unplaced] = field(default_factory=list)


class _Board:
    """The schedule being built: who and which room is busy when."""

    def __init__(
        self,
        rooms: Sequence[str],
        unavailable: Mapping[Party, Sequence[Interval]],
        existing: Iterable[Placement],
    ) -> None:
        self.default_rooms = tuple(rooms)
        self.unavailable = unavailable
        self.by_party: dict[Party, list[Placement]] = defaultdict(list)
        self.by_room: dict[str, list[Placement]] = defaultdict(list)
        self.placed: dict[int, Placement] = {}
        for placement in existing:
            self.add(placement)
        self.fixed: frozenset[int] = frozenset(self.placed)

    def rooms_of(self, slot: TimeSlot) -> tuple[str, ...]:
        return slot.rooms if slot.rooms is not None else self.default_rooms

    def available(self, req: Req, slot: TimeSlot) -> bool:
        """No party of `req` is unavailable during `slot`."""
        return not any(
            interval.overlaps(slot.start, slot.end)
            for party in req.parties
            for interval in self.unavailable.get(party, ())
        )

    def party_blockers(self, req: Req, slot: TimeSlot) -> list[Placement]:
        """Meetings of `req`'s parties overlapping `slot` (each once, in a stable order)."""
        seen: dict[int, Placement] = {}
        for party in sorted(req.parties):
            for p in self.by_party.get(party, ()):
                if p.start < slot.end and slot.start < p.end:
                    seen.setdefault(p.request.id, p)
        return sorted(seen.values(), key=lambda p: (p.start, p.room, p.request.id))

    def room_occupant(self, room: str, slot: TimeSlot) -> list[Placement]:
        return [p for p in self.by_room.get(room, ()) if p.start < slot.end and slot.start < p.end]

    def free_room(self, slot: TimeSlot) -> str | None:
        for room in self.rooms_of(slot):
            if not self.room_occupant(room, slot):
                return room
        return None

    def parties_free(self, req: Req, slot: TimeSlot) -> bool:
        return not self.party_blockers(req, slot)

    def fits(self, req: Req, slot: TimeSlot) -> str | None:
        """The room where `req` can go at `slot` now, or None."""
        if not self.available(req, slot) or not self.parties_free(req, slot):
            return None
        return self.free_room(slot)

    def add(self, placement: Placement) -> None:
        for party in placement.request.parties:
            self.by_party[party].append(placement)
        self.by_room[placement.room].append(placement)
        self.placed[placement.request.id] = placement

    def remove(self, placement: Placement) -> None:
        for party in placement.request.parties:
            self.by_party[party].remove(placement)
        self.by_room[placement.room].remove(placement)
        del self.placed[placement.request.id]

    def movable(self, placement: Placement) -> bool:
        return placement.request.id not in self.fixed


class _Placer:
    """Places requests on a `_Board`, earliest slot first, moving one movable meeting aside
    when that makes room (see the module docstring)."""

    def __init__(self, board: _Board, slots: Sequence[TimeSlot]) -> None:
        self.board = board
        self.slots = sorted(set(slots), key=TimeSlot.sort_key)

    def place(self, req: Req) -> bool:
        """Put `req` at the earliest slot where it fits now."""
        for slot in self.slots:
            room = self.board.fits(req, slot)
            if room is not None:
                self.board.add(Placement(req, slot.start, slot.end, room))
                return True
        return False

    def try_move_and_place(self, req: Req, slot: TimeSlot, blocker: Placement) -> bool:
        """Take `blocker` out, put `req` at `slot` and `blocker` elsewhere; undo if either
        does not fit."""
        board = self.board
        board.remove(blocker)
        room = board.fits(req, slot)
        if room is not None:
            mine = Placement(req, slot.start, slot.end, room)
            board.add(mine)
            if self.place(blocker.request):
                return True
            board.remove(mine)
        board.add(blocker)
        return False

    def augment(self, req: Req) -> bool:
        """Place `req` by moving one movable meeting that blocks a party or a room."""
        board = self.board
        for slot in self.slots:
            if not board.available(req, slot) or not board.rooms_of(slot):
                continue
            blockers = board.party_blockers(req, slot)
            if blockers:
                if (
                    len(blockers) == 1
                    and board.movable(blockers[0])
                    and self.try_move_and_place(req, slot, blockers[0])
                ):
                    return True
                continue
            # Parties free: every room of the slot is taken; try moving one occupant.
            for room in board.rooms_of(slot):
                occupants = board.room_occupant(room, slot)
                if (
                    len(occupants) == 1
                    and board.movable(occupants[0])
                    and self.try_move_and_place(req, slot, occupants[0])
                ):
                    return True
        return False

    def static_options(self, req: Req) -> int:
        """How many slots `req` fits in before anything is placed (fewest go first)."""
        return sum(1 for slot in self.slots if self.board.fits(req, slot) is not None)

    def reason(self, req: Req) -> Reason:
        """Why `req` could not be placed."""
        if not self.slots:
            return Reason.NO_MEETING_SLOTS
        open_slots = [s for s in self.slots if self.board.available(req, s)]
        if not open_slots:
            return Reason.PARTY_UNAVAILABLE
        if not any(self.board.parties_free(req, s) for s in open_slots):
            return Reason.NO_COMMON_FREE_SLOT
        return Reason.NO_FREE_ROOM


def schedule(
    *,
    requests: Sequence[Req],
    slots: Sequence[TimeSlot],
    rooms: Sequence[str],
    unavailable: Mapping[Party, Sequence[Interval]] | None = None,
    existing: Sequence[Placement] = (),
) -> ScheduleResult:
    """Place `requests` into `slots` × rooms; see the module docstring for the rules.

    Raises ValueError when two requests share an id or a request id is also in `existing`.
    """
    ids = [r.id for r in requests]
    if len(set(ids)) != len(ids):
        raise ValueError("request ids must be unique")
    if set(ids) & {p.request.id for p in existing}:
        raise ValueError("a request to place is already in `existing`")

    board = _Board(rooms, unavailable or {}, existing)
    placer = _Placer(board, slots)
    order = sorted(requests, key=lambda r: (placer.static_options(r), r.id))
    pending = [req for req in order if not placer.place(req) and not placer.augment(req)]
    still = [req for req in pending if not placer.place(req)]

    fixed_ids = {p.request.id for p in existing}
    placed = sorted(
        (p for rid, p in board.placed.items() if rid not in fixed_ids),
        key=lambda p: (p.start, p.room, p.request.id),
    )
    unplaced = sorted(
        (Unplaced(req, placer.reason(req)) for req in still), key=lambda u: u.request.id
    )
    return ScheduleResult(placed=placed, unplaced=unplaced)


__all__ = [
    "Interval",
    "Party",
    "Placement",
    "Reason",
    "Req",
    "ScheduleResult",
    "TimeSlot",
    "Unplaced",
    "schedule",
]
