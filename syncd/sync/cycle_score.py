"""The cycle's recheck and score steps: re-diff records whose only change is the
CRM's copy of syncd's fields, then score the affected set in whole account groups
with the core and save each chunk's contact and account verdicts (a dry run
counts them in its summary and stores nothing)."""

from __future__ import annotations

from collections.abc import Sequence

from syncd import __version__
from syncd.core import AccountScore, Contact, ScoreResult
from syncd.core.evidence import evidence_text
from syncd.core.routing import (
    Router,
    evidence_key,
    routed_account_scores,
    score_evidence,
    score_routed,
)
from syncd.state import AccountValues, AccountVerdict, Scored, ScoringRow
from syncd.sync.cycle_context import CycleContext, log
from syncd.sync.predictive import (
    Predictor,
    contact_verdicts,
    model_path,
    predictive_ref,
    predictor,
)
from syncd.sync.shadow import record_shadows
from syncd.sync.writeback import account_recheck, account_verdict
from syncd.sync.writeback import recheck as contact_recheck

__all__ = ["account_summary", "recheck", "score"]


def recheck(c: CycleContext, everything: bool) -> None:
    """Re-diff contacts and accounts whose only change is the CRM's values of
    syncd's fields (a dry run counts the contacts in its summary unless
    everything is rescored anyway, and stores nothing)."""
    mql = c.app.router(c.name).mql_tiers
    if c.summary is not None and everything:
        return
    for batch in c.store.recheck_batches(c.name, c.cfg.score_chunk):
        if c.summary is not None:
            for sc in batch:
                if sc.desired is not None:
                    c.summary.add_values(sc, sc.desired, sc.desired_mql, mql)
            continue
        now = c.app.clock()
        verdicts = [v for v in (contact_recheck(sc, mql, now) for sc in batch) if v is not None]
        c.store.save_rechecks(c.name, verdicts)
    while c.summary is None:
        accounts = c.store.account_rechecks(c.name, c.cfg.score_chunk)
        if not accounts:
            break
        c.store.save_account_rechecks(c.name, [(a.id, account_recheck(a)) for a in accounts])


def score(c: CycleContext, everything: bool) -> None:
    """Score the dirty account groups (every group when ``everything``) as of the
    run's start, a chunk at a time, and save each chunk's verdicts; after a
    rescore of everything, note the model (and predictive model) it used."""
    router = c.app.router(c.name)
    mql = router.mql_tiers
    c.store.prepare_scoring(c.name)
    chunk = c.cfg.score_chunk
    c.phase("score", None)
    key = _evidence_key(c, router)
    groups = (
        c.store.all_groups(c.name, chunk, evidence_ref=key)
        if everything
        else c.store.dirty_groups(c.name, chunk, evidence_ref=key)
    )
    # the predictive model: read once, by the first chunk that needs it, and used
    # for the whole cycle
    predictive: Predictor | None = None
    read = False
    for group in groups:
        ok: list[ScoringRow] = []
        bad: list[str] = []
        for sc in group:
            if sc.contact is not None or sc.evidence is not None:
                ok.append(sc)
                continue
            if sc.dirty or sc.recheck:
                bad.append(sc.id)  # its flags are cleared
            c.t.skipped += 1
            log.warning(
                "contact not scorable",
                extra={
                    "connector": c.name,
                    "run_id": c.run_id,
                    "event": "skipped",
                    "record_id": sc.id,
                    "reason": sc.error,
                },
            )
        # with a key there is no predictive or shadow model, which read contacts
        contacts: list[Contact] = [sc.contact for sc in ok if sc.contact is not None]
        evidence: list[tuple[str, str]] = []
        if key is None:
            results = score_routed(router, contacts, c.started)
        else:
            items = [(sc.id, sc.contact if sc.evidence is None else sc.evidence) for sc in ok]
            results, fresh = score_evidence(router, items, c.started)
            evidence = [(sc.id, evidence_text(e)) for sc, e in zip(ok, fresh, strict=True) if e]
        c.t.scored += len(results)
        if c.summary is not None:
            for sc, r in zip(ok, results, strict=True):
                c.summary.add(sc, r, mql)
            c.t.unchanged = c.summary.scored - c.summary.would_write
        else:
            record_shadows(c.app, c.name, contacts, (router.ref, results), c.started)
            if results and not read:
                predictive, read = predictor(c.app, c.name), True
            verdicts = contact_verdicts(predictive, ok, contacts, results, mql, c.started)
            c.t.unchanged += sum(1 for v in verdicts if not v.pending)
            c.store.save_scores(
                c.name,
                [v for sc, v in zip(ok, verdicts, strict=True) if _changes_row(sc, v)],
                bad,
                c.run_id,
                c.started,
                _account_verdicts(c, router, results),
                evidence=evidence,
                evidence_ref=key,
            )
        c.advance(len(group))
        c.checkpoint()
    c.event("scored", scored=c.t.scored)
    if everything and c.summary is None:
        if read:  # the content every chunk was scored with
            ref = None if predictive is None else predictive.ref
        else:
            ref = predictive_ref(c.app, c.name)
        c.store.set_meta(
            c.name,
            c.app.clock(),
            model_ref=router.ref,
            last_rescore_at=c.started,
            predictive_ref=ref,
        )


def _evidence_key(c: CycleContext, router: Router) -> str | None:
    """The key of the stored evidence this cycle may score from and saves
    (``core.evidence``); None when every contact must be rebuilt: a
    predictive model or shadow models read the contact itself."""
    cfg = c.app.config(c.name)
    if model_path(cfg) is not None or cfg.shadow_models:
        return None
    return evidence_key(router, __version__)


def _changes_row(sc: ScoringRow, v: Scored) -> bool:
    """Whether saving verdict ``v`` changes the stored row ``sc``: its values
    (``persist``) or its flags (saved, a row is not ``dirty`` and is marked
    ``recheck`` exactly when ``v.waiting``). A row that already holds all of
    it is left alone: on the daily pass that is most rows."""
    return v.persist or sc.dirty or sc.recheck != v.waiting


def _account_verdicts(
    c: CycleContext, router: Router, results: Sequence[ScoreResult]
) -> list[AccountVerdict]:
    """Verdicts for the stored CRM accounts scored in one chunk."""
    new = {
        a.key[3:]: AccountValues(a.score, account_summary(a), a.priority)
        for a in routed_account_scores(router, results)
        if a.key.startswith("id:")
    }
    states = c.store.account_states(c.name, list(new))
    return [v for v in (account_verdict(s, new[i]) for i, s in states.items()) if v is not None]


def account_summary(a: AccountScore) -> str:
    """The account's summary field (≤ 255 characters): the buying group's one-line
    summary when the model declares one ("Buying group 67%: economic buyer,
    champion engaged; missing: technical evaluator"), else the aggregate, the
    contacts, the top contacts and the priority flag."""
    if a.buying_group is not None:
        text = a.buying_group.summary + ("; priority account" if a.priority else "")
    else:
        text = (
            f"{a.aggregate} = {a.score} over {a.contacts} contact(s); top: "
            f"{', '.join(a.top_contact_ids)}" + ("; priority account" if a.priority else "")
        )
    return text if len(text) <= 255 else text[:254] + "…"
