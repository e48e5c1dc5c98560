"""The widget gateway: /chat/api/*. The widget never talks to Rasa directly."""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.encoders import jsonable_encoder
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session
from starlette.background import BackgroundTask

from bot.api.deps import get_db, get_settings_dep
from bot.api.schemas import problems
from bot.chat import gateway
from bot.chat import service as chat_service
from bot.chat.models import Conversation
from bot.chat.ratelimit import make_limiter
from bot.chat.schemas import ConversationCreated, ConversationStart, MessageIn, MessageRead, MessageSent, MessagesPage
from bot.config import Settings
from bot.database.core import utcnow

router = APIRouter(prefix="/chat/api", tags=["widget gateway"])

NOT_YOUR_CONVERSATION = "This conversation's token is missing or wrong. Start a new conversation."
NO_CONVERSATION = "This conversation does not exist. Start a new one."
# Conversation ids are made by `chat_service.start`; anything else is not one, and is not looked up.
CONVERSATION_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
# How long a message may take between getting its id and being committed; see
# chat_service.messages_for_stream.
LATE_COMMIT_SECONDS = 10
# Message ids are 32-bit integers in the store.
MAX_MESSAGE_ID = 2**31 - 1
# One event of the stream (Open API 3.1: `schema` describes each event): a message, or the
# reconnection delay the stream opens with.
SERVER_SENT_EVENT = {
    "type": "object",
    "properties": {
        "event": {"type": "string", "enum": ["message"]},
        "id": {"type": "string", "pattern": "^[0-9]+$"},
        "data": {
            "type": "string",
            "contentMediaType": "application/json",
            "contentSchema": {"$ref": "#/components/schemas/MessageRead"},
        },
        "retry": {"type": "integer", "minimum": 0},
    },
}


class Limits:
    """The gateway's rate limits, one set per app."""

    def __init__(self, settings: Settings):
        shared = settings.redis_url
        self.per_conversation = make_limiter(settings.chat_messages_per_minute, 60, name="messages", redis_url=shared)
        self.per_address = make_limiter(
            settings.chat_requests_per_minute_per_address, 60, name="address", redis_url=shared
        )
        self.new_per_address = make_limiter(
            settings.chat_conversations_per_hour_per_address, 3600, name="new", redis_url=shared
        )
        self.reads_per_address = make_limiter(
            settings.chat_reads_per_minute_per_address, 60, name="reads", redis_url=shared
        )
        self.streams = StreamSlots(settings.chat_streams_per_conversation, settings.chat_streams_per_address)


class StreamSlots:
    """Event streams open at once, per conversation and per address, in this web instance:
    each holds a connection and polls the store, so nobody may open them without end."""

    def __init__(self, per_conversation: int, per_address: int) -> None:
        self.per_conversation, self.per_address = per_conversation, per_address
        self._open: Counter[str] = Counter()
        self._lock = threading.Lock()

    def take(self, conversation_id: str, address: str) -> Callable[[], None] | None:
        """A release function for a new stream's slot, or None when either limit is reached."""
        keys = (f"conversation:{conversation_id}", f"address:{address}")
        with self._lock:
            if self._open[keys[0]] >= self.per_conversation or self._open[keys[1]] >= self.per_address:
                return None
            self._open.update(keys)
        released = False

        def release() -> None:
            nonlocal released
            with self._lock:
                if released:
                    return
                released = True
                self._open.subtract(keys)
                for key in keys:
                    if self._open[key] <= 0:
                        del self._open[key]

        return release


def _limits(request: Request) -> Limits:
    """The app's limits, made with the app (bot/main.py: create_app)."""
    return request.app.state.chat_limits


def _too_many(wait: float, what: str) -> HTTPException:
    seconds = max(1, round(wait))
    return HTTPException(
        status.HTTP_429_TOO_MANY_REQUESTS,
        f"You are {what} too quickly. Please wait {seconds} second{'s' if seconds != 1 else ''} and try again.",
        headers={"Retry-After": str(seconds)},
    )


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _token(authorization: str | None) -> str | None:
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    return None


def conversation_for(
    conversation_id: str,
    authorization: str | None = Header(None, description="Bearer <the conversation's token>"),
    db_session: Session = Depends(get_db),
) -> Conversation:
    if not CONVERSATION_ID.fullmatch(conversation_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, NO_CONVERSATION)
    try:
        return chat_service.get_with_token_or_raise(
            db_session=db_session, conversation_id=conversation_id, token=_token(authorization)
        )
    except chat_service.ConversationNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NO_CONVERSATION)
    except chat_service.WrongToken:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, NOT_YOUR_CONVERSATION, headers={"WWW-Authenticate": "Bearer"})


@router.post(
    "/conversations",
    response_model=ConversationCreated,
    status_code=status.HTTP_201_CREATED,
    responses=problems(400, 422, 429, 503),
)
def start_conversation(
    request: Request,
    start: ConversationStart | None = None,
    db_session: Session = Depends(get_db),
    settings: Settings = Depends(get_settings_dep),
) -> ConversationCreated:
    """Start a conversation: an unguessable id and the token the widget must present; with
    `greet`, the assistant's greeting too (the visitor has said nothing yet)."""
    wait = _limits(request).new_per_address.hit(_address(request))
    if wait:
        raise _too_many(wait, "starting conversations")
    conversation, token = chat_service.start(db_session=db_session)
    # Commit before answering: `get_db` commits only after the response has been sent, and
    # the widget sends its first message at once, which would otherwise get 404.
    db_session.commit()
    greeting = (
        gateway.greet(db_session=db_session, conversation=conversation, settings=settings)
        if start and start.greet
        else []
    )
    return ConversationCreated(
        conversation_id=conversation.id,
        token=token,
        max_message_length=settings.max_message_length,
        hotline_number=settings.hotline_number,
        messages=[MessageRead(**chat_service.to_read(m)) for m in greeting],
    )


@router.post(
    "/conversations/{conversation_id}/messages",
    response_model=MessageSent,
    status_code=202,
    responses=problems(400, 401, 404, 409, 413, 422, 429, 503),
)
def send_message(
    message_in: MessageIn,
    request: Request,
    conversation: Conversation = Depends(conversation_for),
    db_session: Session = Depends(get_db),
    settings: Settings = Depends(get_settings_dep),
) -> MessageSent:
    """A visitor's message: stored, then answered by the bot (or kept for staff)."""
    limits = _limits(request)
    wait = limits.per_address.hit(_address(request)) or limits.per_conversation.hit(conversation.id)
    if wait:
        raise _too_many(wait, "sending messages")
    try:
        outcome = gateway.receive(
            db_session=db_session,
            conversation=conversation,
            settings=settings,
            text=message_in.text,
            payload=message_in.payload,
            title=message_in.title,
            client_message_id=message_in.client_message_id,
        )
    except gateway.InvalidMessage as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, str(exc))
    except gateway.ExpiredOption as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc))
    return MessageSent(
        message=MessageRead(**chat_service.to_read(outcome.message)),
        replies=[MessageRead(**chat_service.to_read(m)) for m in outcome.replies],
    )


@router.get(
    "/conversations/{conversation_id}/messages",
    response_model=MessagesPage,
    responses=problems(401, 404, 422, 429, 503),
)
def read_messages(
    request: Request,
    after: int = Query(0, ge=0, le=MAX_MESSAGE_ID, description="Only messages with a larger id"),
    conversation: Conversation = Depends(conversation_for),
    db_session: Session = Depends(get_db),
) -> MessagesPage:
    """The transcript so far (or since a message id)."""
    wait = _limits(request).reads_per_address.hit(_address(request))
    if wait:
        raise _too_many(wait, "reading messages")
    messages = chat_service.messages_after(db_session=db_session, conversation_id=conversation.id, after_id=after)
    return MessagesPage(
        messages=[MessageRead(**chat_service.to_read(m)) for m in messages], with_staff=conversation.bot_paused
    )


@router.get(
    "/conversations/{conversation_id}/events",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {"text/event-stream": {"schema": SERVER_SENT_EVENT}},
            "description": "Server-sent events: one per message, its `id` the message id",
        },
        **problems(400, 401, 404, 422, 429, 503),
    },
)
def stream_events(
    request: Request,
    after: int = Query(0, ge=0, le=MAX_MESSAGE_ID),
    last_event_id: str | None = Header(None),
    conversation: Conversation = Depends(conversation_for),
    settings: Settings = Depends(get_settings_dep),
) -> StreamingResponse:
    """New messages as server-sent events (`id` is the message id). Reconnect with the
    `Last-Event-ID` header to resume without missing anything."""
    start_after = after
    if last_event_id is not None:
        value = last_event_id.strip()
        # isdigit() alone lets through digits int() refuses ("²") and numbers no id reaches.
        if not (value.isascii() and value.isdigit()) or int(value) > MAX_MESSAGE_ID:
            raise HTTPException(status.HTTP_400_BAD_REQUEST, "Last-Event-ID must be a message id (a whole number).")
        start_after = int(value)
    limits = _limits(request)
    wait = limits.reads_per_address.hit(_address(request))
    if wait:
        raise _too_many(wait, "reconnecting")
    release = limits.streams.take(conversation.id, _address(request))
    if release is None:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            "Too many live connections are open to this conversation. Close another window and try again.",
            headers={"Retry-After": "5"},
        )
    factory = request.app.state.session_factory
    conversation_id = conversation.id

    def fetch(after_id: int, mark_seen: bool) -> list[dict]:
        with factory() as session:
            messages = [
                chat_service.to_read(m)
                for m in chat_service.messages_for_stream(
                    db_session=session,
                    conversation_id=conversation_id,
                    after_id=after_id,
                    recent_after_id=start_after,
                    recent_since=utcnow() - timedelta(seconds=LATE_COMMIT_SECONDS),
                )
            ]
            if mark_seen:  # staff see whether the visitor is still on the page
                chat_service.mark_visitor_seen(db_session=session, conversation_id=conversation_id)
                session.commit()
            return messages

    async def events() -> AsyncIterator[str]:
        try:
            async for event in _events():
                yield event
        finally:
            release()

    async def _events() -> AsyncIterator[str]:
        last_id = start_after
        sent: dict[int, float] = {}  # id -> when, for the late-commit look-back
        started = last_beat = time.monotonic()
        last_seen = 0.0
        yield "retry: 2000\n\n"
        while time.monotonic() - started < settings.chat_stream_max_seconds:
            if await request.is_disconnected():
                return
            mark_seen = time.monotonic() - last_seen > 10
            if mark_seen:
                last_seen = time.monotonic()
            try:
                batch = await run_in_threadpool(fetch, last_id, mark_seen)
            except Exception:  # noqa: BLE001 - a store hiccup ends this stream; the widget reconnects
                return
            now = time.monotonic()
            for message in batch:
                if message["id"] in sent:
                    continue
                sent[message["id"]] = now
                last_id = max(last_id, message["id"])
                data = json.dumps(jsonable_encoder(MessageRead(**message)))
                yield f"id: {message['id']}\nevent: message\ndata: {data}\n\n"
            for message_id in [i for i, at in sent.items() if now - at > 2 * LATE_COMMIT_SECONDS]:
                del sent[message_id]
            if time.monotonic() - last_beat > 15:
                last_beat = time.monotonic()
                yield ": keep-alive\n\n"
            await asyncio.sleep(settings.chat_stream_poll_seconds)

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        background=BackgroundTask(release),  # also when the stream never started
    )
