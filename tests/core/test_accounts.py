"""Account keys, multi-stakeholder, priority accounts, account scores."""

from __future__ import annotations

from typing import Any

import pytest

from syncd.core import Contact, account_key, account_scores, is_free_mail, score_batch
from tests.kit.scoring import AS_OF, act, contact, model


@pytest.mark.parametrize(
    ("args", "key"),
    [
        (("001", "acme.io", None, "Acme"), "id:001"),
        ((None, "acme.io", None, "Acme"), "domain:acme.io"),
        ((None, "gmail.com", None, "Acme, Inc."), "name:acme"),
        ((None, "yahoo.co.uk", "acme.io", None), "domain:acme.io"),
        ((None, "hotmail.fr", None, "Anadolu Lojistik A.Ş."), "name:anadolu lojistik"),
        ((None, None, None, "  İSTANBUL Yazılım  "), "name:istanbul yazilim"),
        # placeholders CRMs force into required company fields pool nobody together
        ((None, "gmail.com", None, "Self-Employed"), None),
        ((None, None, None, "[not provided]"), None),
        ((None, None, None, "N/A"), None),
        ((None, None, None, "none"), None),
        ((None, None, None, None), None),
    ],
)
def test_account_key_rules(args: tuple[str | None, ...], key: str | None) -> None:
    assert account_key(*args) == key


@pytest.mark.parametrize(
    "domain",
    [
        "gmail.com",
        "yahoo.com",
        "yahoo.co.jp",
        "hotmail.com",
        "outlook.de",
        "yandex.ru",
        "yandex.com.tr",
        "gmx.de",
        "web.de",
        "mail.ru",
        "icloud.com",
        "proton.me",
    ],
)
def test_free_mail(domain: str) -> None:
    assert is_free_mail(domain)


def test_corporate_domain_is_not_free_mail() -> None:
    assert not is_free_mail("acme.io")
    assert contact(email="a@GMAIL.com", company="Acme Ltd").account_key == "name:acme"
    assert contact(email="a@acme.io").account_key == "domain:acme.io"


MS = """
    rules: [{id: open, activity: email_open, points: 1}]
    account:
      multi_stakeholder:
        id: ms
        min_contacts: 3
        within_days: 30
        points: 10
        {extra}
"""


def team(n: int, days_ago: float = 1.0, **kw: Any) -> list[Contact]:
    return [
        contact(f"c{i}", email=f"p{i}@acme.io", activities=[act("email_open", days_ago)], **kw)
        for i in range(n)
    ]


def test_multi_stakeholder_threshold() -> None:
    m = model(MS.replace("{extra}", ""))
    assert [r.score for r in score_batch(m, team(2), AS_OF)] == [1, 1]
    assert [r.score for r in score_batch(m, team(3), AS_OF)] == [11, 11, 11]


def test_multi_stakeholder_only_recent_engaged_contacts() -> None:
    m = model(MS.replace("{extra}", ""))
    cs = [
        *team(3),
        contact("old", email="o@acme.io", activities=[act("email_open", 31)]),
        contact("none", email="n@acme.io"),
    ]
    rs = score_batch(m, cs, AS_OF)
    assert [r.score for r in rs] == [11, 11, 11, 1, 0]
    assert rs[0].components["account"] == 10
    # two engaged + one too old: no bonus
    cs = [*team(2), contact("old", email="o@acme.io", activities=[act("email_open", 31)])]
    assert [r.score for r in score_batch(m, cs, AS_OF)] == [1, 1, 1]


def test_multi_stakeholder_groups_across_batch_and_other_accounts_do_not_count() -> None:
    m = model(MS.replace("{extra}", ""))
    cs = [
        *team(2),
        contact("x", email="x@other.io", activities=[act("email_open")]),
        contact("y", email="y@gmail.com", activities=[act("email_open")]),
        contact("c2", email="p2@acme.io", activities=[act("email_open")]),
    ]
    assert [r.score for r in score_batch(m, cs, AS_OF)] == [11, 11, 1, 1, 11]


def test_multi_stakeholder_duplicate_ids_count_once_and_disqualified_do_not_count() -> None:
    m = model(
        MS.replace("{extra}", "")
        + """
    disqualifiers: [{id: st, when: {occupation: Student}}]"""
    )
    cs = [*team(2), contact("c1", email="p1@acme.io", activities=[act("email_open")])]
    assert [r.score for r in score_batch(m, cs, AS_OF)] == [1, 1, 1]
    cs = [
        *team(2),
        contact(
            "s", email="s@acme.io", props={"occupation": "Student"}, activities=[act("email_open")]
        ),
    ]
    assert [r.score for r in score_batch(m, cs, AS_OF)] == [1, 1, 0]


def test_multi_stakeholder_extra_per_stakeholder_capped() -> None:
    m = model(MS.replace("{extra}", "extra_points: 2\n        max_extra_points: 5"))
    assert score_batch(m, team(3), AS_OF)[0].score == 11
    assert score_batch(m, team(4), AS_OF)[0].score == 13
    assert score_batch(m, team(5), AS_OF)[0].score == 15
    assert score_batch(m, team(9), AS_OF)[0].score == 16


PRIO = """
    account:
      priority:
        id: prio
        points: 20
        ids: [001T]
        domains: [target.io]
        names: [Globex Corporation]
        file: prio.csv
        property: priority
"""
CSV = "# comment\nid,domain,name\n001C,,\n,csv.io,\n,,Umbrella Holdings\n"


@pytest.mark.parametrize(
    ("kwargs", "prio"),
    [
        ({"account": {"id": "001T"}}, True),
        ({"account": {"id": "001X"}}, False),
        ({"email": "a@target.io"}, True),
        ({"email": "a@gmail.com", "account": {"domain": "https://www.target.io/"}}, True),
        ({"email": "a@gmail.com", "company": "GLOBEX CORP."}, True),
        ({"account": {"name": "Globex"}}, True),
        ({"account": {"id": "001C"}}, True),
        ({"email": "x@csv.io"}, True),
        ({"company": "Umbrella Holdings Ltd"}, True),
        ({"account": {"id": "A", "properties": {"priority": True}}}, True),
        ({"account": {"id": "A", "properties": {"priority": "yes"}}}, True),
        ({"account": {"id": "A", "properties": {"priority": "false"}}}, False),
        ({"props": {"priority": True}}, False),  # the flag is an *account* property
        ({"email": "a@other.io"}, False),
    ],
)
def test_priority_accounts(kwargs: dict[str, Any], prio: bool) -> None:
    m = model(PRIO, attachments={"prio.csv": CSV})
    r = score_batch(m, [contact(**kwargs)], AS_OF)[0]
    assert r.priority is prio
    assert r.score == (20 if prio else 0)
    if prio:
        assert r.reasons[0].rule == "prio"
        assert r.components["account"] == 20


def test_priority_flag_kept_when_disqualified() -> None:
    m = model(
        PRIO + "    disqualifiers: [{id: st, when: {occupation: Student}}]\n",
        attachments={"prio.csv": CSV},
    )
    r = score_batch(m, [contact(account={"id": "001T"}, props={"occupation": "Student"})], AS_OF)[0]
    assert r.priority and r.disqualified and r.score == 0


@pytest.mark.parametrize(
    ("agg", "expected"),
    [("method: top_k_sum\n        k: 2", 50), ("method: max", 30), ("k: 5", 60)],
)
def test_account_score_aggregates(agg: str, expected: int) -> None:
    m = model(f"""
    rules: [{{id: p, points: 1, when: {{pts: {{exists: true}}}}}},
            {{id: o, activity: email_open, points: 1}}]
    account:
      score:
        {agg}
    """)
    cs = [
        contact(f"c{i}", email=f"x{i}@acme.io", activities=[act("email_open")] * n)
        for i, n in enumerate((10, 30, 20))
    ]
    cs.append(contact("solo", email="s@gmail.com", activities=[act("email_open")]))
    rs = score_batch(m, cs, AS_OF)
    accs = account_scores(m, rs)
    assert len(accs) == 1
    assert accs[0].key == "domain:acme.io"
    assert accs[0].score == expected
    assert accs[0].contacts == 3
    assert accs[0].top_contact_ids[0] == "c1"
