"""All models of the `projects` app, defined in its feature packages and exposed here: Django
imports this module to register them, and the migrations refer to `projects.models`
(`validate_stream_url`, `new_ticket_code`).

- `projects.roadshows.models`: Roadshow, RoadshowSlot, Question, QuestionVote, Intent.
- `projects.registrations.models`: Registration (tickets).
- `projects.meetings.models`: MeetingBlock, MeetingRequest,
  MeetingRequestMediationEvent, Unavailability, Meeting, MeetingSchedulePublication.
"""

from projects.meetings.models import (
    OPEN_MEETING_REQUEST_STATUSES,
    Meeting,
    MeetingBlock,
    MeetingRequest,
    MeetingRequestMediationEvent,
    MeetingRequestStatus,
    MeetingSchedulePublication,
    Unavailability,
)
from projects.registrations.models import (
    TICKET_ALPHABET,
    TICKET_CODE_LENGTH,
    Registration,
    new_ticket_code,
)
from projects.roadshows.models import (
    Intent,
    Question,
    QuestionVote,
    Roadshow,
    RoadshowSlot,
    stream_hosts,
    validate_stream_url,
)

__all__ = [
    "OPEN_MEETING_REQUEST_STATUSES",
    "TICKET_ALPHABET",
    "TICKET_CODE_LENGTH",
    "Intent",
    "Meeting",
    "MeetingBlock",
    "MeetingRequest",
    "MeetingRequestMediationEvent",
    "MeetingRequestStatus",
    "MeetingSchedulePublication",
    "Question",
    "QuestionVote",
    "Registration",
    "Roadshow",
    "RoadshowSlot",
    "Unavailability",
    "new_ticket_code",
    "stream_hosts",
    "validate_stream_url",
]
