"""The exit statuses of every `syncd` command, in one table.

| code | name      | meaning                                                                 |
|------|-----------|-------------------------------------------------------------------------|
| 0    | OK        | everything asked for was done                                           |
| 1    | FAILED    | done in part: some input lines or records were rejected, a connector's  |
|      |           | cycle failed, or the config has errors (each one is printed)            |
| 2    | UNUSABLE  | nothing was done: the model, the input or the output cannot be used     |
| 70   | INTERNAL  | a bug in syncd (never a user mistake); the message asks for a report    |
| 75   | TEMPFAIL  | a temporary failure (the state store stayed unreachable at start-up);   |
|      |           | try again later: the shipped service files restart syncd on it          |
| 130  | INTERRUPTED | stopped by the operator (Ctrl-C) before the work was finished         |
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1
    UNUSABLE = 2
    INTERNAL = 70
    TEMPFAIL = 75
    INTERRUPTED = 130
