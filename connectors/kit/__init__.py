"""The runtime every connector shares, so each CRM package keeps only what is its own
(mapping, queries, search windows, describes, auth flows):

* ``retry``: the one retry policy (tenacity) around every CRM call;
* ``deadline``: the overall deadline of one CRM call (connect plus the whole answer),
  enforced on the SDKs' urllib3 connections;
* ``paging``: guards that stop a paged read going round in a loop;
* ``budget``: the budget meter, the one place that decides "stop this cycle";
* ``pacing``: client-side token buckets on an injected clock;
* ``stream``: the stream driver (stages, versioned opaque cursor, budget check
  between pages);
* ``batcher``: write batching (batch size, splitting a refused batch, ordered
  per-record outcomes, the bulk / concurrent switch).
"""
