import enum


class TicketStatus(str, enum.Enum):
    waiting = "waiting"
    claimed = "claimed"
    live = "live"  # a member of staff is talking with the visitor
    callback_arranged = "callback_arranged"
    resolved = "resolved"


class TicketReason(str, enum.Enum):
    asked_for_person = "asked_for_person"
    bot_could_not_answer = "bot_could_not_answer"
    complaint = "complaint"
    ambassador_introduction = "ambassador_introduction"


class TicketPriority(str, enum.Enum):
    low = "low"
    normal = "normal"
    high = "high"
    urgent = "urgent"


class ContactMethod(str, enum.Enum):
    email = "email"
    phone = "phone"


class TicketOutcome(str, enum.Enum):
    answered = "answered"
    callback_made = "callback_made"
    referred_to_ambassador = "referred_to_ambassador"
    referred_to_support_programme = "referred_to_support_programme"
    no_response = "no_response"
    not_relevant = "not_relevant"


class TicketEventKind(str, enum.Enum):
    created = "created"
    status_changed = "status_changed"
    assigned = "assigned"
    taken_over = "taken_over"  # claimed from another member of staff, on purpose
    note_added = "note_added"
    priority_changed = "priority_changed"
    staff_replied = "staff_replied"
    contact_updated = "contact_updated"
    erased = "erased"  # the visitor's personal data removed on request
    visitor_rated = "visitor_rated"  # the visitor's answer to "Did you get the help you needed?"


REASON_LABELS = {
    TicketReason.asked_for_person: "Asked for a person",
    TicketReason.bot_could_not_answer: "Bot could not answer",
    TicketReason.complaint: "Complaint",
    TicketReason.ambassador_introduction: "Ambassador introduction",
}
