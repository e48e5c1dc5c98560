"""Which ticket status changes are allowed."""

from __future__ import annotations

from bot.hotline.enums import TicketStatus as S

ALLOWED_TRANSITIONS: dict[S, frozenset[S]] = {
    S.waiting: frozenset({S.claimed, S.live, S.callback_arranged, S.resolved}),
    S.claimed: frozenset({S.waiting, S.live, S.callback_arranged, S.resolved}),
    S.live: frozenset({S.claimed, S.waiting, S.callback_arranged, S.resolved}),
    S.callback_arranged: frozenset({S.claimed, S.live, S.resolved}),
    S.resolved: frozenset({S.waiting}),
}


def can_transition(current: S, new: S) -> bool:
    return new in ALLOWED_TRANSITIONS[current]
