"""Activity histories for the sandbox data generator: campaigns, sessions and bursts.

Pure and deterministic: everything is drawn from the `random.Random` it is given,
and times are seconds before the dataset's `now`.
"""

from __future__ import annotations

import random
from bisect import bisect_left
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from types import MappingProxyType

from syncd.sandbox import vocab as V

DAY = 86_400
EMPTY_ATTRS: Mapping[str, str] = MappingProxyType({})


class Campaign:
    __slots__ = ("attended", "clicks", "event_off", "name", "off", "open", "register")

    def __init__(self, name: str, off: int, path: str, event_off: int = -1) -> None:
        self.name, self.off, self.event_off = name, off, event_off
        utm = f"?utm_source=email&utm_campaign={V.slug(name)}"
        self.open: Mapping[str, str] = MappingProxyType({"campaign": name})
        self.clicks = tuple(
            V.attrs(V.url_bits(p), campaign=name, url=V.SITE + p + utm) for p in path.split("|")
        )
        self.register, self.attended = self.open, V.attrs(V.WEBINAR, campaign=name)


def campaigns(now: datetime) -> tuple[list[Campaign], list[Campaign]]:
    """Marketing e-mails of the last 12 months (newest first) and the webinars among them."""
    emails: list[Campaign] = []
    webinars: list[Campaign] = []
    year, month = now.year, now.month
    for _ in range(12):
        mon = datetime(year, month, 1, tzinfo=UTC).strftime("%b")
        plan = [
            (5, f"{mon} newsletter", "/blog/mql-vs-sql|/blog/what-is-lead-scoring", 0),
            (12, f"{mon} webinar", f"/webinars/{mon.lower()}", 26),
            (20, f"{mon} product update", "/demo|/pricing|/product/integrations", 0),
        ]
        if month == 11:
            plan.append((24, "Black Friday offer", "/pricing", 0))
        for day, name, path, event_day in reversed(plan):
            off = int((now - datetime(year, month, day, 14, tzinfo=UTC)).total_seconds())
            if off <= 3600:
                continue
            event = datetime(year, month, event_day or 1, 16, tzinfo=UTC)
            camp = Campaign(name, off, path, int((now - event).total_seconds()))
            emails.append(camp)
            if event_day:
                webinars.append(camp)
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return emails, webinars


Act = tuple[int, str, Mapping[str, str], int]  # seconds before now, type, attrs, engagement bits


class History:
    """Activity histories for one dataset: sessions (bursts) spread over the contact's window."""

    def __init__(self, rng: random.Random, now: datetime) -> None:
        self.rng = rng
        self.rr = fast_randrange(rng)
        self.emails, self.webinars = campaigns(now)
        self.email_offs = [c.off for c in self.emails]
        self.webinar_offs = [c.off for c in self.webinars]

    def _campaign(self, pool: list[Campaign], offs: list[int], lo: int, hi: int) -> Campaign | None:
        a, b = bisect_left(offs, lo), bisect_left(offs, hi)
        return pool[a + int(self.rng.random() * (b - a))] if b > a else None

    def sessions(self, out: list[Act], n: int, lo: int, hi: int, intent: float) -> None:
        rnd, rr = self.rng.random, self.rr
        for _ in range(n):
            kinds = V.KINDS_HIGH if rnd() < intent else V.KINDS_LOW
            kind = kinds[int(rnd() * len(kinds))]
            off = lo + int((hi - lo) * rnd() ** (1.0 + intent))
            if kind == "e" or kind == "b":
                webinar = kind == "b"
                camp = self._campaign(
                    self.webinars if webinar else self.emails,
                    self.webinar_offs if webinar else self.email_offs,
                    lo,
                    hi,
                )
                if camp is None:
                    kind = "w"
                elif webinar:
                    off = max(1, camp.off - rr(3600, 4 * DAY))
                    out.append((off, "webinar_registered", camp.register, 0))
                    if rnd() < 0.6:
                        out.append((off, "form_submit", V.FORMS["Webinar registration"][0], 0))
                    if camp.event_off > 0 and rnd() < 0.4 + 0.4 * intent:
                        out.append(
                            (camp.event_off, "webinar_attended", camp.attended[0], V.WEBINAR)
                        )
                    continue
                else:
                    off = max(1, camp.off - int(self.rng.expovariate(1 / 9000)))
                    out.append((off, "email_open", camp.open, 0))
                    if rnd() < 0.15 + 0.4 * intent:
                        attrs, bits = camp.clicks[int(rnd() * len(camp.clicks))]
                        off = max(1, off - rr(5, 900))
                        out.append((off, "email_click", attrs, bits))
                        if rnd() < 0.6:
                            out.append((max(1, off - 3), "page_view", attrs, bits))
                    roll = rnd()
                    if roll < 0.02:
                        out.append((max(1, off - rr(10, 600)), "unsubscribe", camp.open, 0))
                    elif roll < 0.04 + 0.08 * intent:
                        out.append((max(1, off - rr(600, DAY)), "email_reply", camp.open, 0))
                    continue
            if kind == "w" or kind == "h":
                for _ in range(1 + int(self.rng.expovariate(0.6))):
                    pages = V.BUY if rnd() < intent else V.BROWSE
                    attrs, bits = pages[int(rnd() * len(pages))]
                    out.append((off, "page_view", attrs, bits))
                    off = max(1, off - rr(15, 400 if rnd() < 0.8 else 2 * DAY))
                if kind == "h" or rnd() < 0.05:
                    out.append((off, "chat", EMPTY_ATTRS, 0))
                roll = rnd()
                if roll < 0.02 + 0.12 * intent:
                    out.append((off, "page_view", V.PAGE["/demo"][0], V.DEMO))
                    out.append((max(1, off - 40), "demo_request", EMPTY_ATTRS, V.DEMO))
                elif roll < 0.12 + 0.2 * intent:
                    form = V.FORM_PICK[int(rnd() * len(V.FORM_PICK))][0]
                    out.append((off, "form_submit", form, 0))
            elif kind == "c":
                attrs, bits = V.BROWSE[int(rnd() * len(V.BROWSE))]
                out.append((off, "page_view", attrs, bits))
                out.append(
                    (
                        max(1, off - rr(20, 300)),
                        "content_download",
                        V.ASSETS[int(rnd() * len(V.ASSETS))][0],
                        0,
                    )
                )
                if rnd() < 0.5:
                    out.append((max(1, off - 10), "form_submit", V.FORMS["Ebook download"][0], 0))
            elif kind == "l":
                attrs, bits = V.SUBJECTS[int(rnd() * 6)]
                out.append((off, "call", attrs, bits))
                if rnd() < 0.5:
                    out.append((max(1, off - rr(DAY, 10 * DAY)), "meeting", attrs, bits))
                if rnd() < 0.4:
                    reply_off = max(1, off - rr(600, 2 * DAY))
                    out.append((reply_off, "email_reply", V.SALES_REPLY[0], V.SALES))
            elif kind == "v":
                event = V.EVENTS[int(rnd() * len(V.EVENTS))][0]
                out.append((off, "event_attended", event, 0))
                if rnd() < 0.3:
                    meet_off = max(1, off - rr(DAY, 7 * DAY))
                    out.append((meet_off, "meeting", V.SUBJECTS[0][0], V.SALES))
            elif kind == "s":
                ticket = V.SUPPORT_P[int(rnd() * len(V.SUPPORT_P))][0]
                out.append((off, "support_ticket", ticket, 0))
            else:  # trial
                out.append((off, "form_submit", V.FORMS["Trial signup"][0], 0))
                out.append((max(1, off - 5), "trial_signup", EMPTY_ATTRS, V.TRIAL))
                for _ in range(rr(0, 6)):
                    off = max(1, off - rr(3600, 3 * DAY))
                    out.append((off, "product_usage", V.USAGE[int(rnd() * 20)][0], 0))

    def customer(self, out: list[Act], hi: int) -> None:
        """Post-sale activity of converted contacts: product usage, tickets, reviews."""
        rnd, rr = self.rng.random, self.rr
        hi = max(2, min(hi, 120 * DAY))
        if rnd() < 0.75:
            for _ in range(rr(2, 9)):
                out.append((rr(1, hi), "product_usage", V.USAGE[int(rnd() * len(V.USAGE))][0], 0))
        if rnd() < 0.4:
            ticket = V.SUPPORT_C[int(rnd() * len(V.SUPPORT_C))][0]
            out.append((rr(1, hi), "support_ticket", ticket, 0))
        if rnd() < 0.3:
            out.append((rr(1, hi), "meeting", V.QBR[0], 0))


def fast_randrange(rng: random.Random) -> Callable[[int, int], int]:
    """`randrange(a, b)` without its argument checks (several times faster; same stream use)."""
    rnd = rng.random

    def rr(a: int, b: int) -> int:
        return a + int(rnd() * (b - a))

    return rr
