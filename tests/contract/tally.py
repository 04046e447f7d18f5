"""How many requests the property-based and schemathesis suites sent, and how many were 5xx:
printed at the end of the run (``make fuzz``), the figures the README's Reliability table states."""

from collections import Counter

# (suite, "requests" | "5xx") -> count, for this pytest process.
SENT: Counter[tuple[str, str]] = Counter()


def count(suite: str, status: int) -> None:
    SENT[suite, "requests"] += 1
    if status >= 500:
        SENT[suite, "5xx"] += 1


def summary() -> list[str]:
    suites = sorted({suite for suite, _ in SENT})
    return [
        f"{suite}: {SENT[suite, 'requests']:,} requests, {SENT[suite, '5xx']} answered 5xx"
        for suite in suites
    ]
