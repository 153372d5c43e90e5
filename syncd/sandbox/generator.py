"""Deterministic generator of realistic B2B CRM data (companies, contacts, activities).

Seeds the fake HubSpot and Salesforce servers, tests, benchmarks and the demo. Pure:
no clock and no I/O, `now` is an argument; one `random.Random(seed)` drives everything,
so equal arguments give equal datasets on every run and platform.

Sales outcomes (who became an opportunity, won or lost) are drawn from a dataset by
`syncd.sandbox.outcomes.deals_for`, on a random stream of their own: the probability
rises with the title's seniority, with a target industry (Technology, Financial
Services, Professional Services) and with pricing-page visits, plus noise and a base rate
of about 11 %, by a fixed logistic formula documented there and in docs/outcomes.md (not
a function of any shipped model's score).
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from typing import TypeVar

from syncd.sandbox import vocab as V
from syncd.sandbox.histories import DAY, Act, History, fast_randrange

ACTIVITY_TYPES: tuple[str, ...] = (
    "page_view",
    "email_open",
    "email_click",
    "email_reply",
    "unsubscribe",
    "form_submit",
    "content_download",
    "webinar_registered",
    "webinar_attended",
    "event_attended",
    "demo_request",
    "meeting",
    "call",
    "chat",
    "support_ticket",
    "trial_signup",
    "product_usage",
)
LIFECYCLE_STAGES = (
    "lead",
    "marketingqualifiedlead",
    "salesqualifiedlead",
    "opportunity",
    "customer",
)
SENIORITY = V.SENIORITY
FREE_MAIL_DOMAINS = V.FREE_MAIL_DOMAINS
_T = TypeVar("_T")
_first = itemgetter(0)


@dataclass(frozen=True, slots=True)
class GenCompany:
    key: str
    name: str
    domain: str
    industry: str
    employees: int
    country: str
    city: str
    is_target: bool
    created_at: datetime
    modified_at: datetime


@dataclass(frozen=True, slots=True)
class GenContact:
    key: str
    first_name: str
    last_name: str
    email: str
    title: str
    department: str
    occupation: str
    phone: str
    company_key: str | None
    company_name: str
    country: str
    lifecycle_stage: str
    lead_status: str
    is_lead: bool
    converted: bool
    created_at: datetime
    modified_at: datetime


@dataclass(frozen=True, slots=True)
class GenActivity:
    key: str
    contact_key: str
    type: str
    at: datetime
    attrs: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Dataset:
    seed: int
    now: datetime
    companies: tuple[GenCompany, ...]
    contacts: tuple[GenContact, ...]
    activities: tuple[GenActivity, ...]
    _by_contact: dict[str, tuple[GenActivity, ...]] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    _by_company: dict[str, GenCompany] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def activities_of(self, contact_key: str) -> Sequence[GenActivity]:
        """The contact's activities, oldest first (index built on the first call)."""
        index = self._by_contact
        if index is None:
            groups: dict[str, list[GenActivity]] = {}
            for act in self.activities:
                groups.setdefault(act.contact_key, []).append(act)
            index = {key: tuple(acts) for key, acts in groups.items()}
            object.__setattr__(self, "_by_contact", index)
        return index.get(contact_key, ())

    def company(self, key: str) -> GenCompany:
        """The company with this key; KeyError when there is none."""
        index = self._by_company
        if index is None:
            index = {c.key: c for c in self.companies}
            object.__setattr__(self, "_by_company", index)
        return index[key]


# ---------------------------------------------------------------- generation


def generate(seed: int, contacts: int, now: datetime, *, companies: int | None = None) -> Dataset:
    """Build a dataset of `contacts` contacts (and `companies` accounts, default ~0.3 per contact).

    Deterministic per (seed, contacts, now, companies). `now` must be timezone-aware; every
    timestamp is UTC and no activity is dated after `now`. `now` is more than an offset:
    the campaign calendar is laid on its real dates (`histories.campaigns`), so every draw
    after it, and so the whole dataset, changes with the day and the hour of `now`.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    if contacts < 0 or (companies is not None and companies < 0):
        raise ValueError("contacts and companies must not be negative")
    now = now.astimezone(UTC)
    n_co = companies if companies is not None else max(10, math.ceil(contacts * 0.3))
    rng = random.Random(seed)
    rnd, rr = rng.random, fast_randrange(rng)

    def pick(seq: Sequence[_T]) -> _T:
        return seq[int(rnd() * len(seq))]

    # companies: attributes first; GenCompany objects at the end (created before their contacts)
    used_domains = set(V.FREE_MAIL_DOMAINS) | V.COMPETITOR_DOMAINS
    n_rivals = len(V.COMPETITORS) if n_co >= 20 else 0
    co_country: list[V.Country] = []
    co_rows: list[tuple[str, str, str, int, str]] = []  # name, domain, industry, employees, city
    co_age: list[int] = []
    co_pattern: list[int] = []
    bases: tuple[str, ...]
    for i in range(n_co):
        if i < n_rivals:
            name, domain = V.COMPETITORS[i]
            country, industry, employees = V.COUNTRIES[0], "Technology", rr(60, 460)
        else:
            country, industry = pick(V.COUNTRY_PICK), pick(V.INDUSTRY_PICK)
            lang = country.lang
            big = industry in ("Government", "Education")
            employees = min(50_000, max(5, int(math.exp(rng.gauss(4.4 if big else 3.4, 1.6)))))
            if industry == "Government":
                name = pick(country.gov).format(c=pick(country.cities))
                base, bases, tld = V.slug(name, lang), (), country.gov_tld
            else:
                roll = rnd()
                root = (
                    pick(V.LAST[lang])[0][0]
                    if roll < 0.15
                    else pick(V.LOCAL_BRANDS[lang])
                    if roll < 0.4
                    else pick(V.BRANDS)
                )
                words = V.INDUSTRY_LOCAL.get(lang, {}).get(industry)
                word = pick(words if words and rnd() < 0.6 else V.INDUSTRY_EN[industry])
                legal = pick(country.legal)
                name = f"{root} {word}" if rnd() < 0.75 else root
                name = f"{name} {legal}" if legal else name
                r, w = V.slug(root, lang), V.slug(word, lang) if word in name else ""
                bases = (f"{r}-{w}", r, f"{r}{w}group") if w else (f"{r}hq", f"get{r}")
                base = r + w
                tld = "io" if industry == "Technology" and rnd() < 0.25 else pick(country.tlds)
            domain, alts, n = f"{base}.{tld}", iter(bases), 2
            while domain in used_domains:
                alt = next(alts, None)
                if alt is None:
                    alt, n = f"{base}{n}", n + 1
                domain = f"{alt}.{tld}"
        used_domains.add(domain)
        co_country.append(country)
        co_rows.append((name, domain, industry, employees, pick(country.cities)))
        co_age.append(rr(30 * DAY, 1800 * DAY))
        co_pattern.append(pick((0, 0, 0, 0, 0, 1, 1, 2, 3, 4)))
    regular = range(n_rivals, n_co)
    n_targets = 0 if len(regular) < 10 else max(3 if n_co >= 50 else 1, round(0.015 * len(regular)))
    candidates = [i for i in regular if co_rows[i][3] >= 50] or list(regular)
    targets = set(rng.sample(candidates, min(n_targets, len(candidates))))

    # who works where: a few competitors, ~3% students, ~14% free-mail leads without a company
    kinds: list[str] = []
    for _ in range(contacts):
        roll = rnd()
        student = roll < 0.03
        kinds.append(
            "R"
            if n_rivals and roll > 0.99
            else ("S" if student else "")
            + ("U" if not len(regular) or rnd() < (0.75 if student else 0.14) else "L")
        )
    linked = [p for p, k in enumerate(kinds) if k[-1] == "L"]
    assign = dict(zip(linked, rng.sample(regular, min(len(linked), len(regular))), strict=False))
    rest = linked[len(assign) :]
    if rest:
        cum, total = [], 0.0
        for i in regular:
            total += (
                math.exp(rng.gauss(0, 1.1))
                * (1 + math.log10(co_rows[i][3]))
                * (5 if i in targets else 1)
            )
            cum.append(total)
        for p, j in zip(rest, rng.choices(regular, cum_weights=cum, k=len(rest)), strict=True):
            assign[p] = j

    history = History(rng, now)
    used_emails: set[str] = set()
    contact_objs: list[GenContact] = []
    act_objs: list[GenActivity] = []
    n_acts, td, add_act = 0, timedelta, act_objs.append
    for p, kind in enumerate(kinds):
        ckey = f"p{p:06d}"
        ci = rr(0, n_rivals) if kind == "R" else assign.get(p, -1)
        country = co_country[ci] if ci >= 0 and rnd() < 0.93 else pick(V.COUNTRY_PICK)
        lang = country.lang
        female = rnd() < 0.45
        first, last_pair = pick(V.FIRST[lang][female]), pick(V.LAST[lang])
        last = last_pair[female]
        latin = 2 if lang == "el" and rnd() < 0.4 else 0
        first_name, last_name, f, s = first[latin], last[latin], first[1], last[1]
        if lang == "es" and rnd() < 0.4:
            last_name = f"{last_name} {pick(V.LAST['es'])[0][0]}"
        if rnd() < 0.02:
            first_name, last_name = first_name.lower(), last_name.lower()
        # title, occupation and fit
        small = ci < 0 or co_rows[ci][3] < 50
        if kind[0] == "S":
            sen, title, dept, occupation = "S", "Student", "", "Student"
        else:
            sen = pick(V.SEN_SMALL if small else V.SEN_LARGE)
            titles = V.TITLES["en" if lang == "nl" or rnd() < 0.25 else lang]
            male_t, female_t, dept = pick(titles.get(sen) or titles["I"])
            title = female_t if female else male_t
            roll = rnd()
            title = title.upper() if roll < 0.03 else "" if roll < 0.06 else title
            occupation = "Self-employed" if ci < 0 and rnd() < 0.2 else "Employed"
        fit = V.SEN_FIT[sen] + (0.5 if country.code in ("US", "GB", "CA") else 0.0)
        if ci >= 0:
            _, domain, industry, employees, _ = co_rows[ci]
            fit += 1.0 if industry == "Technology" else 0.0
            fit += 0.8 if 50 <= employees <= 500 else 0.0
        # e-mail
        if ci < 0 or rnd() < 0.015:
            domain = pick(V.FREEMAIL[lang])
            local = pick(
                (
                    f"{f}.{s}",
                    f"{f}{s}",
                    f"{f}.{s}{rr(60, 100)}",
                    f"{f}{rr(1, 1000)}",
                    f"{f[:1]}{s}{rr(10, 100)}",
                    f"{s}.{f}",
                )
            )
        else:
            local = (f"{f}.{s}", f"{f[:1]}{s}", f, f"{f}{s[:1]}", f"{f}_{s}")[co_pattern[ci]]
        email, n = f"{local}@{domain}", 2
        while email in used_emails:
            email, n = f"{local}{n}@{domain}", n + 1
        used_emails.add(email)
        # history
        roll = rnd()
        age = (
            rr(DAY // 2, 60 * DAY)
            if roll < 0.2
            else rr(60 * DAY, 365 * DAY)
            if roll < 0.7
            else rr(365 * DAY, 1100 * DAY)
        )
        window = min(age, 365 * DAY)
        intent = min(1.0, max(0.0, 0.12 * fit + 0.55 * rnd() - 0.1 - (0.3 if sen == "S" else 0)))
        if kind == "R":
            intent = 0.8
        acts: list[Act] = []
        if rnd() >= 0.08:
            lo = rr(120 * DAY, min(window, 300 * DAY)) if window > 200 * DAY and rnd() < 0.15 else 0
            history.sessions(
                acts, 1 + int(rng.expovariate(1 / (2.0 + 3.5 * intent))), lo, window, intent
            )
            if lo == 0 and rnd() < 0.04 + 0.1 * intent:
                history.sessions(acts, 1, 0, min(window, DAY + DAY // 2), intent)
        bits = 0
        for act in acts:
            bits |= act[3]
        eng = V.ENGAGEMENT[bits]
        converted = kind in ("L", "U") and rnd() < 1 / (
            1 + math.exp(5.0 - 0.8 * fit - 0.75 * eng + rng.gauss(0, 0.7))
        )
        if converted:
            history.customer(acts, window)
            stage = "customer"
        elif kind in ("L", "U"):
            score = eng + 0.5 * fit + rng.gauss(0, 0.6)
            stage = (
                "opportunity"
                if score >= 4.2 and ci >= 0
                else "salesqualifiedlead"
                if score >= 3.2
                else "marketingqualifiedlead"
                if score >= 2.0
                else "lead"
            )
        else:
            stage = "lead"
        status = "UNQUALIFIED" if kind in ("R", "S", "SU", "SL") else pick(V.STATUS[stage])
        is_lead = not converted and (ci < 0 or rnd() < V.IS_LEAD_P[stage])
        acts.sort(key=_first, reverse=True)
        last_off = age
        for off, typ, attrs, _bits in acts:
            last_off = off if off < age - 60 else age - 60
            add_act(GenActivity(f"a{n_acts:08d}", ckey, typ, now - td(0, last_off), attrs))
            n_acts += 1
        if ci >= 0:
            co_age[ci] = max(co_age[ci], age + rr(60, 30 * DAY))
            company_name = co_rows[ci][0]
        elif kind[0] == "S":
            company_name = pick(V.UNIVERSITIES[lang])
        else:
            company_name = (
                "Self-employed"
                if occupation == "Self-employed"
                else co_rows[rr(0, n_co)][0]
                if n_co and rnd() < 0.4
                else f"{pick(V.BRANDS)} {pick(V.INDUSTRY_EN['Professional Services'])}"
            )
        contact_objs.append(
            GenContact(
                ckey,
                first_name,
                last_name,
                email,
                title,
                dept,
                occupation,
                ""
                if rnd() < 0.1
                else country.phone[0]
                % tuple(f"{rr(0, 10 ** country.phone[1]):0{country.phone[1]}d}"),
                f"c{ci:06d}" if ci >= 0 else None,
                company_name,
                country.code,
                stage,
                status,
                is_lead,
                converted,
                now - timedelta(0, age),
                now - timedelta(0, int(last_off * rnd())),
            )
        )

    company_objs = []
    for i, (name, domain, industry, employees, city) in enumerate(co_rows):
        mod = int(co_age[i] * rnd() ** 2)
        company_objs.append(
            GenCompany(
                f"c{i:06d}",
                name,
                domain,
                industry,
                employees,
                co_country[i].code,
                city,
                i in targets,
                now - timedelta(0, co_age[i]),
                now - timedelta(0, mod),
            )
        )
    return Dataset(seed, now, tuple(company_objs), tuple(contact_objs), tuple(act_objs))
