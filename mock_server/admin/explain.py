"""Why a request was answered as it was, in words: what ``mock-server explain`` prints and the
dashboard shows, from one journal entry."""

from typing import Any


def entry_line(entry: dict[str, Any]) -> str:
    target = entry["path"] + (f"?{entry['query']}" if entry["query"] else "")
    clock = entry["at"][11:19]
    line = f"{clock}  {entry['provider']:<10} {entry['method']:<6} {target} -> {entry['status']}"
    if entry["rule"]:
        line += f"  rejected by {entry['rule']}: {entry['message']}"
    elif entry.get("would_have_failed"):
        line += "  lenient, would have failed: " + "; ".join(entry["would_have_failed"])
    return f"{line}  [journal {entry['id']}]"


LABELS = {
    "string_to_sign": "what the server signed",
    "expected_signature": "expected signature",
    "expected_signature_urlsafe": "expected (URL-safe)",
    "received_signature": "received signature",
    "key_fingerprint": "key fingerprint",
    "skew_seconds": "clock skew (s)",
    "window_seconds": "allowed window (s)",
}


def explanation(entry: dict[str, Any]) -> str:
    out = [entry_line(entry), ""]
    if entry.get("client_id"):
        out.append(f"client: {entry['client_id']}")
    if entry["rule"]:
        out.append(f"rejected by rule `{entry['rule']}`: {entry['message']}")
    elif entry.get("would_have_failed"):
        out.append("accepted in lenient mode; in strict mode it would have failed:")
        out += [f"  - {item}" for item in entry["would_have_failed"]]
    else:
        out.append("accepted: every check passed.")
    if entry.get("diagnosis"):
        out.append("")
        out += describe(entry["diagnosis"], "")
    if entry.get("response_headers") or entry.get("response_excerpt"):
        out += ["", f"answered {entry['status']}:"]
        out += [f"  {name}: {value}" for name, value in entry.get("response_headers", {}).items()]
        if excerpt := entry.get("response_excerpt"):
            size = entry.get("response_bytes", len(excerpt))
            cut = f" (first {len(excerpt.encode())} of {size} bytes)" if size > len(excerpt) else ""
            out += [f"  body{cut}:", *(f"    {line}" for line in excerpt.splitlines())]
    return "\n".join(out)


def describe(diagnosis: dict[str, Any], indent: str) -> list[str]:
    lines = []
    hints = diagnosis.get("hints")
    for key, value in diagnosis.items():
        if key == "hints":
            continue
        label = LABELS.get(key, key.replace("_", " "))
        if isinstance(value, dict):
            lines.append(f"{indent}{label}:")
            lines += describe(value, indent + "  ")
        elif isinstance(value, str) and "\n" in value:
            # Make every newline visible: a trailing or missing \n is a classic signing bug.
            shown = value.replace("\r", "\\r").replace("\n", "\\n\n" + indent + "    ")
            lines.append(f"{indent}{label}:\n{indent}    {shown}")
        elif key == "string_to_sign":
            lines.append(f"{indent}{label}:\n{indent}    {value}")
        else:
            lines.append(f"{indent}{label + ':':<22}{value}")
    if hints:
        lines.append(f"{indent}hints:")
        lines += [f"{indent}  - {hint}" for hint in hints]
    return lines
