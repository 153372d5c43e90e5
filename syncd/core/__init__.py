"""Pure scoring core: no I/O, no clock (``as_of`` is always an argument).

Imports only the standard library and pydantic; reading model files (YAML)
is ``syncd.modelfile``'s job.

Public API::

    spec = parse_model_data(data, lines, source, attachments)  # raises ModelError
    model = compile_model(spec)                      # model.ref == "name@1a2b3c4d"
    contact = contact_from_json(obj)                 # raises ContactError
    results = score_batch(model, contacts, as_of)    # input order preserved
    # or, streaming contacts: finish_batch(model, [score_contact(model, c, ts) ...], as_of)
    result_to_json(results[0])                       # the result JSON (docs/scoring.md)
    account_scores(model, results)
"""

from .accounts import account_scores
from .compiler import CompiledModel, compile_model
from .contract import (
    CONTACT_KEYS,
    ContactError,
    account_score_to_json,
    contact_from_json,
    parse_datetime,
    result_to_json,
)
from .errors import ModelError, ModelIssue
from .explain import summary
from .keys import account_key, is_free_mail
from .parse import parse_model_data
from .schema import ModelSpec
from .scoring import Partial, finish_batch, score_batch, score_contact
from .text import normalise
from .types import (
    Account,
    AccountScore,
    Activity,
    BuyingGroupSignals,
    Contact,
    Reason,
    ScoreResult,
    format_points,
    round_half_up,
)

__all__ = [
    "CONTACT_KEYS",
    "Account",
    "AccountScore",
    "Activity",
    "BuyingGroupSignals",
    "CompiledModel",
    "Contact",
    "ContactError",
    "ModelError",
    "ModelIssue",
    "ModelSpec",
    "Partial",
    "Reason",
    "ScoreResult",
    "account_key",
    "account_score_to_json",
    "account_scores",
    "compile_model",
    "contact_from_json",
    "finish_batch",
    "format_points",
    "is_free_mail",
    "normalise",
    "parse_datetime",
    "parse_model_data",
    "result_to_json",
    "round_half_up",
    "score_batch",
    "score_contact",
    "summary",
]
