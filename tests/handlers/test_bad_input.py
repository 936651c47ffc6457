"""Hostile and malformed input: each gets a clear, short reply and the database is unchanged."""

from __future__ import annotations

from typing import Any

import pytest

from tests.handlers.harness import Harness, callback_update, message_update
from tests.handlers.logging_helpers import alerts, snapshot

NAV = 8001
NO_CODE = "could not find a client code"
NAME = "never their name"
LOOKALIKE = "only look like A–Z"
MEDIA = "do not keep photos"
NOT_VALID = "Nothing was changed"

TEXT_CASES: list[tuple[str, str]] = [
    ("   ", NO_CODE),
    ("Ahmed seen in ED today", NAME),
    ("ahmed", NAME),
    ("ＡＨＭＥＤ seen", NAME),
    ("С123 seen in ED", LOOKALIKE),  # Cyrillic С
    ("Α123 seen in ED", LOOKALIKE),  # Greek Α
    ("seen in ED today, follow up friday", NO_CODE),
    ("x" * 4000, NO_CODE),
    ("\u200b\u200c\u200d\ufeff", NO_CODE),
    ("\u202e\u2066\u2069", NO_CODE),
    ("<b>bold</b> <script>alert(1)</script>", NO_CODE),
    ("*bold* _it_ [link](http://x)", NO_CODE),
    ("C1 and C2 seen together", "more than one client code"),
    ("C123 and RLH-042 at A&E", "more than one client code"),
    ("07700 900123", NO_CODE),
    ("😀🔪💊", NO_CODE),
    ("/client", "Usage: /client C123"),
    ("/client Ahmed", NAME),
    ("/client С123", LOOKALIKE),
    ("/client 123", "2–16 letters"),
    ("/client C999", "No client C999 in what you can see."),
    ("/client <b>C1</b>", "2–16 letters"),
    ("/close", "Usage: /close C123"),
    ("/close Ahmed", NAME),
    ("/close C404", "No client C404"),
    ("/undo", "Nothing to undo"),
    ("/confirm maybe", "Use /confirm on or /confirm off"),
    ("/language klingon", "Use /language en"),
    ("/frobnicate", "did not understand"),
    ("/log ahmed was seen", NAME),
]


@pytest.mark.parametrize(("text", "expected"), TEXT_CASES)
async def test_bad_text(h: Harness, text: str, expected: str) -> None:
    await h.add_staff(NAV)
    before = await snapshot(h)
    await h.send(NAV, text)
    reply = h.last_text_to(NAV)
    assert expected in reply
    assert len(reply) <= 4096
    assert "<script>" not in reply
    assert await snapshot(h) == before


MEDIA_CASES: list[tuple[str, dict[str, Any]]] = [
    (
        "sticker",
        {
            "sticker": {
                "file_id": "s",
                "file_unique_id": "s",
                "type": "regular",
                "width": 1,
                "height": 1,
                "is_animated": False,
                "is_video": False,
            }
        },
    ),
    ("photo", {"photo": [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]}),
    ("voice", {"voice": {"file_id": "v", "file_unique_id": "v", "duration": 3}}),
    ("document", {"document": {"file_id": "d", "file_unique_id": "d", "file_name": "x.pdf"}}),
    ("contact", {"contact": {"phone_number": "+447700900123", "first_name": "Jo"}}),
    ("location", {"location": {"latitude": 51.5, "longitude": -0.1}}),
]


@pytest.mark.parametrize(("kind", "payload"), MEDIA_CASES, ids=[c[0] for c in MEDIA_CASES])
async def test_media_is_refused_without_download(
    h: Harness, kind: str, payload: dict[str, Any]
) -> None:
    await h.add_staff(NAV)
    before = await snapshot(h)
    await h.process(message_update(NAV, None, **payload))
    assert MEDIA in h.last_text_to(NAV)
    assert not h.transport.sent("getFile")
    assert await snapshot(h) == before


async def test_a_forwarded_log_is_refused(h: Harness) -> None:
    await h.add_staff(NAV)
    before = await snapshot(h)
    origin = {
        "type": "user",
        "date": 0,
        "sender_user": {"id": 1, "is_bot": False, "first_name": "X"},
    }
    await h.process(message_update(NAV, "C123 seen in ED", forward_origin=origin))
    assert "Forwarded messages are not logged" in h.last_text_to(NAV)
    assert await snapshot(h) == before


async def test_an_edited_message_changes_nothing(h: Harness) -> None:
    await h.add_staff(NAV)
    before = await snapshot(h)
    await h.process(message_update(NAV, "C123 seen in ED", edited=True))
    assert "Edits are not applied" in h.last_text_to(NAV)
    await h.process(message_update(NAV, "/close C123", edited=True))
    assert await snapshot(h) == before


async def test_a_caption_is_read_as_text_but_the_photo_is_not_kept(h: Harness) -> None:
    await h.add_staff(NAV)
    photo = [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]
    await h.process(message_update(NAV, None, photo=photo, caption="C123 seen in ED"))
    texts = h.texts_to(NAV)
    assert MEDIA in texts[-2]
    assert "Client: <b>C123</b>" in texts[-1]


@pytest.mark.parametrize(
    "data",
    [
        "card:save:999:abcdefgh",
        "card:save:x:y",
        "card:",
        "undo:abc",
        "undo:99999",
        "fu:log:12345",
        "fu:log:abc",
        "g:setting:hospital",
        "totally-unknown",
        "card:save:1:" + "A" * 50,
    ],
)
async def test_forged_or_stale_buttons(h: Harness, data: str) -> None:
    await h.add_staff(NAV)
    before = await snapshot(h)
    await h.process(callback_update(NAV, data))
    (answer,) = alerts(h)
    assert answer
    assert any(
        phrase in answer for phrase in (NOT_VALID, "Nothing to undo", "no longer yours", "expired")
    )
    assert await snapshot(h) == before


HUGE = "12345678901234567890"  # 20 digits: beyond a signed 64-bit database id


@pytest.mark.parametrize(
    "data",
    [
        f"card:save:{HUGE}:abcdefgh",
        f"undo:{HUGE}",
        f"fu:log:{HUGE}",
        f"fu:done:{HUGE}",
        f"fu:noanswer:{HUGE}",
        f"fu:resched:{HUGE}",
        f"esc:ack:{HUGE}",
        f"sg:ack:{HUGE}",
        f"ho:1:{HUGE}:{HUGE}",
        f"ho:n:1:{HUGE}",
        f"ta:revoke:{HUGE}:x",
        f"au:s:{HUGE}:0",
        f"au:c:C123:{HUGE}0",
        "undo:²",  # a digit to str.isdigit, not to int()
    ],
)
async def test_a_forged_button_with_an_impossible_id_is_refused_without_an_error(
    h: Harness, data: str, caplog: pytest.LogCaptureFixture
) -> None:
    await h.add_staff(NAV, role="admin")
    before = await snapshot(h)
    with caplog.at_level("WARNING"):
        await h.process(callback_update(NAV, data))
    assert [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")] == []
    assert not any("OverflowError" in r.getMessage() for r in caplog.records)
    assert await snapshot(h) == before
    # Some answer is always given: an alert, a "cancelled" reply, or a silent acknowledgement.
    assert h.transport.sent("answerCallbackQuery") or h.texts_to(NAV)
