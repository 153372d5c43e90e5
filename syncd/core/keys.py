"""Account keys: how contacts are grouped into accounts.

Contract (docs/scoring.md, "Accounts"): a contact's account key is, in order,
``id:<CRM account id>``; else ``domain:<corporate e-mail domain>`` (free-mail
domains never count); else ``domain:<account domain>``; else
``name:<normalised company name>`` (the contact's ``company`` or the account's
name) unless the name is a placeholder ("Self employed", "N/A", "[not provided]",
which CRMs force into required company fields and which would otherwise pool
unrelated people into one account); else ``None`` (the contact stands alone).
"""

from __future__ import annotations

from .text import normalise_company

__all__ = [
    "FREE_MAIL_DOMAINS",
    "PLACEHOLDER_COMPANIES",
    "account_key",
    "clean_domain",
    "email_domain",
    "is_free_mail",
]

FREE_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "ymail.com",
        "rocketmail.com",
        "hotmail.com",
        "outlook.com",
        "live.com",
        "msn.com",
        "aol.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "proton.me",
        "protonmail.com",
        "pm.me",
        "gmx.de",
        "gmx.net",
        "gmx.com",
        "gmx.at",
        "gmx.ch",
        "web.de",
        "t-online.de",
        "freenet.de",
        "mail.ru",
        "bk.ru",
        "inbox.ru",
        "list.ru",
        "yandex.ru",
        "yandex.com",
        "yandex.com.tr",
        "ya.ru",
        "mail.com",
        "zoho.com",
        "qq.com",
        "163.com",
        "126.com",
        "naver.com",
        "orange.fr",
        "free.fr",
        "laposte.net",
        "wanadoo.fr",
        "libero.it",
        "virgilio.it",
        "seznam.cz",
        "wp.pl",
        "o2.pl",
        "interia.pl",
        "hushmail.com",
        "tutanota.com",
        "fastmail.com",
    }
)
# Providers with many country domains (yahoo.co.uk, hotmail.fr, yandex.kz, gmx.at …).
_FREE_MAIL_FIRST_LABELS = frozenset(
    {
        "gmail",
        "googlemail",
        "yahoo",
        "ymail",
        "hotmail",
        "outlook",
        "live",
        "msn",
        "aol",
        "yandex",
        "gmx",
        "icloud",
        "protonmail",
        "proton",
        "windowslive",
    }
)

#: Normalised company names that name nobody's company (compared after
#: ``normalise_company``): they never become an account key.
PLACEHOLDER_COMPANIES = frozenset(
    {
        "self employed",
        "selfemployed",
        "self",
        "freelance",
        "freelancer",
        "independent",
        "individual",
        "private",
        "personal",
        "retired",
        "student",
        "unemployed",
        "home",
        "none",
        "no company",
        "n a",
        "na",
        "nil",
        "null",
        "unknown",
        "not provided",
        "not applicable",
        "not available",
        "test",
        "tbd",
        "x",
        "xx",
        "xxx",
        "company",
    }
)


def clean_domain(domain: str) -> str:
    """Lower-case a domain and strip scheme, ``www.``, path and port."""
    d = domain.strip().lower()
    for prefix in ("https://", "http://"):
        if d.startswith(prefix):
            d = d[len(prefix) :]
    d = d.split("/", 1)[0].split(":", 1)[0].strip(".")
    if d.startswith("www."):
        d = d[4:]
    return d


def email_domain(email: str | None) -> str | None:
    """The domain part of an e-mail address, lower-cased; ``None`` if absent."""
    if not email or "@" not in email:
        return None
    d = clean_domain(email.rsplit("@", 1)[1])
    return d or None


def is_free_mail(domain: str) -> bool:
    """True for consumer mailbox providers (gmail.com, yahoo.co.uk, web.de …)."""
    return domain in FREE_MAIL_DOMAINS or domain.split(".", 1)[0] in _FREE_MAIL_FIRST_LABELS


def account_key(
    account_id: str | None,
    mail_domain: str | None,
    account_domain: str | None,
    company: str | None,
) -> str | None:
    """Compute the account key (see module docstring)."""
    if account_id:
        return f"id:{account_id}"
    if mail_domain and not is_free_mail(mail_domain):
        return f"domain:{mail_domain}"
    if account_domain:
        d = clean_domain(account_domain)
        if d and not is_free_mail(d):
            return f"domain:{d}"
    if company:
        n = normalise_company(company)
        if n and n not in PLACEHOLDER_COMPANIES:
            return f"name:{n}"
    return None
