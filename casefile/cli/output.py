"""How the CLI prints records, cases and history, as text for people and JSON for scripts.

Whatever a case or a file name holds reaches the terminal through ``terminal_safe``, a
line at a time (``safe_lines``): a name cannot recolour the terminal, rewrite a line or start
a new one. JSON escapes the same characters (``json_text``).
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TextIO
from uuid import UUID

from casefile.domain.display import (
    COUNT_FIELDS,
    UNSAFE,
    UNSOURCED,
    display,
    field_label,
    how_many,
    link_caveats,
    shortened,
    terminal_safe,
)
from casefile.domain.input_text import clean_text
from casefile.domain.moments import moment
from casefile.domain.records import Record
from casefile.domain.serialize import jsonable, record_json
from casefile.domain.terms import Kind

if TYPE_CHECKING:  # the values a command prints; their services load only when it runs
    from casefile.domain.corroboration import Corroboration
    from casefile.services.audit import HistoryEntry
    from casefile.services.case import CaseInfo
    from casefile.services.details import RecordDetail
    from casefile.services.importer import ImportReport
    from casefile.services.near_duplicates import NearDuplicate
    from casefile.services.search import SearchResult

__all__ = ["record_json"]


def safe_lines(rows: Iterable[str]) -> str:
    """Lines of text as printed: each one terminal-safe, so none can become two."""
    return "\n".join(terminal_safe(row) for row in rows)


def json_text(data: Any) -> str:
    """``data`` as JSON for a terminal or a script. json.dumps escapes the C0 controls in
    strings (those left are its own indentation); the other ``UNSAFE`` characters (DEL,
    C1, bidirectional controls, lone surrogates) are escaped here as it would, so the text
    reads back to exactly the same values."""
    return UNSAFE.sub(_json_escape, json.dumps(data, ensure_ascii=False, indent=2))


def _json_escape(found: re.Match[str]) -> str:
    char = found[0]
    return char if char < " " else f"\\u{ord(char):04x}"


def plural(kind: Kind, n: int) -> str:
    return how_many(n, kind.singular, kind.plural)


def counts_line(info: CaseInfo) -> str:
    return ", ".join(plural(k, n) for k, n in info.counts.items() if n)


def info_json(info: CaseInfo) -> dict[str, Any]:
    return {
        "id": str(info.id),
        "title": info.title,
        "summary": info.summary,
        "path": str(info.path),
        "created_at": info.created_at.isoformat(),
        "encrypted": info.encrypted,
        "schema": info.schema,
        "size_bytes": info.size_bytes,
        "counts": {k.value: n for k, n in info.counts.items()},
    }


def info_text(info: CaseInfo) -> str:
    rows = [
        info.title,
        f"  file:      {info.path} ({info.size_bytes / 1e6:.1f} MB, "
        f"{'encrypted' if info.encrypted else 'not encrypted'})",
        f"  created:   {moment(info.created_at)}",
        f"  records:   {counts_line(info) or 'none yet'}",
    ]
    if info.summary:
        rows += ["", *info.summary.splitlines()]
    return safe_lines(rows)


def table(kind: Kind, records: list[Record[Any]]) -> str:
    if not records:
        return f"no {kind.plural}"
    columns = {
        Kind.ATTACK: ("date", "killed", "wounded"),
        Kind.PERSON: ("roles",),
        Kind.GROUP: ("group_kind",),
        Kind.SOURCE: ("published", "reliability"),
        Kind.QUOTE: ("said",),
        Kind.REPORT: ("reported",),
        Kind.JUDGEMENT: ("made", "probability"),
    }.get(kind, ())
    rows = [
        [
            str(r.id)[:8],
            *(terminal_safe(display(c, getattr(r.fields, c), {})) for c in columns),
            *([_link_caveats(r)] if kind is Kind.LINK else []),
            terminal_safe(r.label),
        ]
        for r in records
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)) + "  " + row[-1]
        for row in rows
    )


def _link_caveats(link: Record[Any]) -> str:
    return link_caveats(link.fields.confidence, len(link.fields.citations))


def _supported(link: Record[Any]) -> str:
    """A link's corroboration, when something cites it ("unsourced" says the rest)."""
    return link.support.said() if link.support and link.support.independent else ""


def _support_json(support: Corroboration | None) -> dict[str, Any]:
    if support is None:
        return {"independent_sources": 0, "best_grade": ""}
    return {"independent_sources": support.independent, "best_grade": support.best_grade}


def show_json(detail: RecordDetail) -> dict[str, Any]:
    record, related = detail.record, detail
    data = record_json(record)
    data["references"] = {str(k): v for k, v in related.labels.items()}
    data["links"] = [
        {**record_json(link), "corroboration": _support_json(link.support)}
        for link in related.links
    ]
    if record.kind is Kind.LINK or record.support is not None:
        data["corroboration"] = _support_json(record.support)
    if related.facts:
        data["facts"] = facts_json(related)
    if record.kind is Kind.SOURCE:
        data["near_duplicates"] = [
            near_duplicate_json(record.id, d) for d in related.near_duplicates
        ]
        data["thread"] = [
            {"id": str(t.source), "label": t.label, "depth": t.depth} for t in related.thread
        ]
        data["quotes"] = [str(q.id) for q in related.quotes]
        data["documents"] = [str(d.id) for d in related.documents]
        data["mentions"] = [
            {"id": str(m.record_id), "label": m.label, "count": m.count, "linked": m.linked}
            for m in related.mentions
        ]
    return data


def show_text(detail: RecordDetail) -> str:
    record, related = detail.record, detail
    rows = [f"{record.kind.label}: {record.label}", f"  id:                  {record.id}"]
    for f in dataclasses.fields(record.fields):
        text = display(f.name, detail.display_value(f.name), related.labels)
        if text or f.name in COUNT_FIELDS:
            rows.append(f"  {f.name.replace('_', ' ') + ':':<21}{text}")
    rows += facts_lines(related)
    if record.tags:
        rows.append(f"  tags:                {', '.join(record.tags)}")
    if record.created_at and record.updated_at:
        rows.append(f"  created:             {moment(record.created_at)}")
        rows.append(f"  updated:             {moment(record.updated_at)}")
    if record.notes:
        rows += ["  notes:", *(f"    {line}" for line in record.notes.splitlines())]
    if related.links:
        rows.append("  links:")
        for link in related.links:
            said = ", ".join(p for p in (_link_caveats(link), _supported(link)) if p)
            rows.append(f"    {link.label} [{str(link.id)[:8]}]" + (f" ({said})" if said else ""))
    for title, items in (("quotes", related.quotes), ("documents", related.documents)):
        if items:
            rows.append(f"  {title}:")
            rows.extend(f"    {r.label} [{str(r.id)[:8]}]" for r in items)
    if related.near_duplicates:
        rows.append("  near-duplicates:")
        rows.extend(f"    {d.said()} [{str(d.other)[:8]}]" for d in related.near_duplicates)
    if related.thread:
        rows.append("  thread:")
        for t in related.thread:
            mark = "* " if t.source == record.id else ""  # this one
            rows.append(f"    {'  ' * t.depth}{mark}{t.label} [{str(t.source)[:8]}]")
    if related.mentions:
        rows.append(
            "  mentions:            "
            + ", ".join(
                f"{m.label} ({m.count}{', linked' if m.linked else ''})" for m in related.mentions
            )
        )
    return safe_lines(rows)


def history_json(e: HistoryEntry) -> dict[str, Any]:
    return {
        "at": e.at.isoformat(),
        "action": e.action,
        "record_id": str(e.record_id),
        "kind": e.kind,
        "label": e.label,
        "changes": jsonable(e.changes),
        "action_id": str(e.action_id),
    }


def history_text(entries: list[HistoryEntry]) -> str:
    if not entries:
        return "no history"
    rows = []
    for e in entries:
        rows.append(f"{moment(e.at):<22}  {e.action:<7}  {e.kind:<8}  {e.label}")
        if e.action == "update":
            rows.extend(f"    {name}: {old!r} → {new!r}" for name, (old, new) in e.changes.items())
    return safe_lines(rows)


def import_json(report: ImportReport) -> dict[str, Any]:
    return {
        "total": report.total,
        "cancelled": report.cancelled,
        "files": [
            {
                "path": clean_text(str(o.path)),
                "status": o.status.value,
                "message": o.message,
                "source": str(o.source_id) if o.source_id else None,
                "title": o.title,
            }
            for o in report.outcomes
        ],
    }


def import_text(report: ImportReport) -> str:
    return safe_lines([*(o.line() for o in report.outcomes), report.summary()])


class ProgressBar:
    """One self-rewriting line on a terminal: how far, and the file just done."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def show(self, done: int, total: int, name: str) -> None:
        width = shutil.get_terminal_size().columns
        filled = 24 * done // max(total, 1)
        head = f"[{'#' * filled}{'.' * (24 - filled)}] {done:,}/{total:,} "
        self.stream.write("\r" + (head + terminal_safe(name))[: width - 1].ljust(width - 1))
        self.stream.flush()

    def clear(self) -> None:
        self.stream.write("\r" + " " * (shutil.get_terminal_size().columns - 1) + "\r")
        self.stream.flush()


def search_json(result: SearchResult) -> dict[str, Any]:
    from casefile.services.search import MARK_END, MARK_START  # loaded by the search that ran

    return {
        "query": result.query.match(),
        "stopped": result.stopped(),  # the line saying it ran out of time, or null
        "ranked": result.bounded(),  # the line saying only the newest matches were, or null
        "hits": [
            {
                "id": str(h.record_id),
                "kind": h.kind.value,
                "group": h.group,
                "label": h.label,
                "page": h.page,
                "snippet": h.snippet.replace(MARK_START, "").replace(MARK_END, ""),
                "highlight": h.snippet.replace(MARK_START, "[").replace(MARK_END, "]"),
            }
            for h in result.hits
        ],
    }


def search_text(result: SearchResult) -> str:
    """Grouped by what was found, in rank order; matched words in [brackets]. Last, the
    lines saying that only the newest matches were ranked, and that the search ran out
    of time, where so."""
    from casefile.services.search import MARK_END, MARK_START, group_title

    stopped = result.stopped()
    if not result.hits:
        return stopped or "nothing found"
    lines: list[str] = []
    groups = list(dict.fromkeys(h.group for h in result.hits))
    for group in groups:
        hits = [h for h in result.hits if h.group == group]
        title = group_title(group)
        lines.append(f"{title} ({len(hits)})")
        for hit in hits:
            where = f", page {hit.page}" if hit.page else ""
            snippet = " ".join(hit.snippet.split()).replace(MARK_START, "[").replace(MARK_END, "]")
            said = f" ({hit.caveats})" if hit.caveats else ""
            lines.append(f"  {hit.label} [{str(hit.record_id)[:8]}{where}]{said}")
            lines.append(f"    {snippet}")
    lines.extend(said for said in (result.bounded(), stopped) if said)
    return safe_lines(lines)


def facts_json(detail: RecordDetail) -> list[dict[str, Any]]:
    """Each reported fact: the value that stands, how it was chosen, its corroboration
    and every report (value, source, grade, date, quote and page)."""
    return [
        {
            "fact": f.name,
            "value": jsonable(f.value),
            "chosen": "assessed" if f.assessed else "rule" if f.reports else "unsourced",
            "reason": f.reason,
            "disputed": f.disputed,
            "corroboration": _support_json(f.corroboration),
            "reports": [
                {
                    "id": str(r.record.id),
                    "value": jsonable(r.value),
                    "said": detail.said(f.name, r.value),
                    "source": jsonable(r.record.fields.source),
                    "source_title": r.source,
                    "grade": r.grade,
                    "quote": jsonable(r.record.fields.quote),
                    "page": r.record.fields.page,
                    "reported": jsonable(r.record.fields.reported),
                    "claim_mode": jsonable(r.record.fields.claim_mode),
                    "assessed": r.record.fields.assessed,
                    "reason": r.record.fields.reason,
                }
                for r in f.reports
            ],
        }
        for f in detail.facts
        if f.reports
    ]


def facts_lines(detail: RecordDetail) -> list[str]:
    """The reported facts: each one's summary, then its reports, the assessed one ticked."""
    rows = []
    for f in (f for f in detail.facts if f.reports):
        flag = "  [disputed]" if f.disputed else ""
        summary = f.summary(detail.said(f.name, f.value))
        rows.append(f"    {field_label(f.name).lower()}: {summary}{flag}")
        for r in f.reports:
            said = detail.said(f.name, r.value)
            fields = r.record.fields
            source = f"{shortened(r.source)} [{r.grade or 'ungraded'}]" if r.source else UNSOURCED
            extra = [
                *([f"reported {fields.reported.display()}"] if fields.reported else []),
                *([f"p. {fields.page}"] if fields.page else []),
                *([f"claim mode: {fields.claim_mode.label.lower()}"] if fields.claim_mode else []),
            ]
            tail = f" ({', '.join(extra)})" if extra else ""
            mark = "✓" if fields.assessed else "·"
            rows.append(f"      {mark} {said} — {source}{tail} [{str(r.record.id)[:8]}]")
    return ["  reported values:", *rows] if rows else []


def near_duplicate_json(source: UUID, match: NearDuplicate) -> dict[str, Any]:
    return {
        "source": str(source),
        "other": str(match.other),
        "other_title": match.title,
        "similarity": round(match.similarity, 3),
        "verdict": match.verdict.value,
    }
