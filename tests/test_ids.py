"""Global ids: records get them in time order (RFC 9562 version 7), so what one load, one import or
one round writes sits side by side in every index holding it; what is printed, or named by its
first characters, keeps random ids (version 4)."""
from __future__ import annotations

import uuid

from test_exchange import county, make_uscc, sample, using


def test_records_loaded_and_entered_get_ids_in_the_order_they_were_made(tmp_path):
    from desktop.store.models import Achievement, Enterprise

    data = sample()
    data["achievements"] += [dict(data["achievements"][0], id=f"s{i}", ref=f"GB/T {20000 + i}-2024") for i in range(2, 40)]
    path, _card = county(tmp_path, data=data)
    with using(path):
        made = [a.uuid for a in Achievement.select().order_by(Achievement.id)]
        ent = Enterprise.create(uscc=make_uscc(5), name="乙公司")  # one entered by hand, after the load
    assert len(made) == 40 and made == sorted(made)
    for text in [*made, ent.uuid]:
        u = uuid.UUID(text)
        assert u.version == 7 and u.variant == uuid.RFC_4122 and str(u) == text
    assert ent.uuid > made[-1]


def test_what_is_printed_or_named_by_its_first_characters_keeps_random_ids():
    """A notice's and a letter of refusal's id goes into its QR code (its first part), and an officer
    names an objection by its first 8 characters: ids in time order made in the same minute share
    those (the time), so these stay random."""
    from desktop.core.ids import ordered_uuids
    from desktop.store.models import Achievement, Notice, Objection, RefusalLetter

    for model in (Notice, Objection, RefusalLetter):
        made = [model.uuid.default() for _ in range(200)]
        assert {uuid.UUID(u).version for u in made} == {4}
        assert len({u[:8] for u in made}) == 200
    assert uuid.UUID(Achievement.uuid.default()).version == 7
    assert len({u[:8] for u in ordered_uuids(200)}) == 1  # why: the first characters are the time
