"""Issue 13.10 through the real Application: a field changed with Edit is recorded once."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import AuditEntry, Contact, ParserCorrection
from tests.handlers.harness import Harness
from tests.handlers.logging_helpers import button, buttons

NAV = 7201


async def _corrections(h: Harness) -> list[ParserCorrection]:
    async with h.session() as session:
        return list((await session.scalars(select(ParserCorrection))).all())


async def _edit_audits(h: Harness) -> list[AuditEntry]:
    async with h.session() as session:
        query = select(AuditEntry).where(AuditEntry.action == "edit")
        return list((await session.scalars(query)).all())


def _ending(h: Harness, suffix: str) -> str:
    (data,) = [d for d in buttons(h, NAV) if d.endswith(suffix)]
    return data


async def test_an_edit_records_exactly_one_correction(h: Harness) -> None:
    await h.add_staff(NAV)
    await h.send(NAV, "C123 seen in ED after assault, follow up friday")
    await h.press(NAV, button(h, NAV, "card:edit:"))
    await h.press(NAV, _ending(h, ":setting"))
    await h.press(NAV, _ending(h, ":setting:phone"))
    await h.press(NAV, button(h, NAV, "card:edit:"))  # change it again: still one correction
    await h.press(NAV, _ending(h, ":setting"))
    await h.press(NAV, _ending(h, ":setting:community"))
    await h.press(NAV, button(h, NAV, "card:save:"))

    async with h.session() as session:
        (contact,) = (await session.scalars(select(Contact))).all()
    assert contact.setting == "community"
    (correction,) = await _corrections(h)
    assert (correction.field, correction.read_value, correction.chosen_value) == (
        "setting",
        "hospital",
        "community",
    )
    assert correction.contact_id == contact.id
    assert correction.draft_id is not None
    assert correction.language in ("en", "unknown")
    (audit,) = await _edit_audits(h)
    assert audit.client_code == "C123"
    assert audit.detail == f"contact {contact.id} corrected on card: setting"


async def test_a_save_without_edits_records_nothing(h: Harness) -> None:
    await h.add_staff(NAV)
    await h.send(NAV, "C123 seen in ED after assault, follow up friday")
    await h.press(NAV, button(h, NAV, "card:edit:"))  # looked, changed nothing
    await h.press(NAV, button(h, NAV, "card:back:"))
    await h.press(NAV, button(h, NAV, "card:save:"))
    assert await _corrections(h) == []
    assert await _edit_audits(h) == []


async def test_a_change_undone_before_saving_records_nothing(h: Harness) -> None:
    await h.add_staff(NAV)
    await h.send(NAV, "C123 rang, no answer")
    await h.press(NAV, button(h, NAV, "card:edit:"))
    await h.press(NAV, _ending(h, ":risks"))
    await h.press(NAV, _ending(h, ":risks:weapon"))
    await h.press(NAV, _ending(h, ":risks:weapon"))  # toggled back off
    await h.press(NAV, button(h, NAV, "card:back:"))
    await h.press(NAV, button(h, NAV, "card:save:"))
    assert await _corrections(h) == []


async def test_a_hidden_name_is_not_a_correction(h: Harness) -> None:
    await h.add_staff(NAV)
    await h.send(NAV, "C123 seen in ED with Ahmed")
    await h.press(NAV, button(h, NAV, "card:name:"))
    await h.press(NAV, button(h, NAV, "card:save:"))
    assert await _corrections(h) == []
