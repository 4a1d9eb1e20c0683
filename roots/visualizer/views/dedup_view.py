"""Page 3, dedup: cluster sizes, the largest clusters side by side, near-duplicate pairs by similarity."""

from __future__ import annotations

from typing import Any

import pyarrow.compute as pc
import pyarrow.parquet as pq
import streamlit as st

from roots.visualizer import loaders, plaintext, rundata, stagedocs, worddiff
from roots.visualizer.charts import HEIGHTS, bar_chart
from roots.visualizer.views.common import (
    MAX_SHOWN_CHARS,
    Context,
    format_value,
    language_label,
    plural,
    show_facts,
    show_text,
)

COLUMNS_PER_ROW = 3


@st.cache_data(max_entries=16, show_spinner="Reading near-duplicate pairs…")
def _pairs(path: str, mtime: int, lang: str) -> list[dict[str, Any]]:
    table = pq.read_table(path)
    if "lang" in table.column_names:
        table = table.filter(pc.equal(table.column("lang"), lang))
    if "similarity" in table.column_names:
        table = table.sort_by([("similarity", "descending")])
    return table.slice(0, 5_000).to_pylist()


def render(ctx: Context) -> None:
    st.header("Deduplication")
    stats = rundata.stage_stats(ctx.run)
    report = rundata.dedup_report(stats)
    if not report:
        if "dedup" not in rundata.stale_stages(ctx.run):  # else the warning above names the command
            st.info(
                f"The dedup stage has not run on this run yet: run `{rundata.stage_command('dedup', ctx.run)}`."
            )
        return
    languages = sorted(report, key=lambda code: (-_removed(report[code]), code))
    lang = st.selectbox(
        "Language (most duplicates first)", languages, format_func=language_label, key="dedup:language"
    )
    entry = report[lang]
    cols = st.columns(5)
    for col, (label, key) in zip(
        cols,
        (
            ("Documents in", "docs_in"),
            ("Exact duplicates", "exact_duplicates"),
            ("Same URL", "url_duplicates"),
            ("Near duplicates", "near_duplicates"),
            ("Repeated lines removed", "lines_removed"),
        ),
        strict=True,
    ):
        col.metric(label, f"{int(entry.get(key) or 0):,}")

    hist = rundata.cluster_size_rows(entry.get("cluster_size_histogram"))
    if hist:
        st.altair_chart(
            bar_chart(
                hist,
                "cluster size",
                "clusters",
                "Near-duplicate clusters by size",
                "Documents in the cluster",
                "Clusters",
            ),
            width="stretch",
            height=HEIGHTS["bars"],
        )
    _largest_clusters(ctx, entry.get("largest_clusters") or [])
    _pair_section(ctx, lang)


def _removed(entry: dict[str, Any]) -> int:
    keys = ("exact_duplicates", "url_duplicates", "near_duplicates")
    return sum(int(entry.get(k) or 0) for k in keys)


KEPT_RULE = "kept: the longest text of its cluster (ties: the smallest id)"


def _member_outcome(doc: dict[str, Any] | None, kept_id: str) -> str:
    """Why a cluster member was kept or removed, from its row in the dedup output."""
    if doc is None:
        return "not found in the dedup output"
    if doc.get("drop_reason"):
        return f"removed ({doc['drop_reason']}) as a duplicate of {doc.get('duplicate_of') or kept_id}"
    return KEPT_RULE if doc.get("id") == kept_id else "kept"


def _largest_clusters(ctx: Context, clusters: list[dict[str, Any]]) -> None:
    st.subheader("The largest clusters")
    if not clusters:
        st.caption("No near-duplicate clusters.")
        return
    for cluster in clusters:
        members = cluster.get("members") or []
        size = int(cluster.get("size") or len(members))
        with st.expander(
            f"Cluster {plaintext.md_escape(cluster.get('cluster_id'))} · {plural(size, 'document')}"
        ):
            ids = tuple(str(m.get("id")) for m in members)
            found = loaders.documents_by_id(
                ctx.root, "dedup", ids, loaders.stage_signature(ctx.root, "dedup")
            )
            kept_id = ids[0] if ids else ""
            st.caption(
                f"The first document is the one dedup kept ({KEPT_RULE.removeprefix('kept: ')}); "
                "the others were removed as its duplicates."
            )
            for start in range(0, len(members), COLUMNS_PER_ROW):
                row = st.columns(COLUMNS_PER_ROW)
                for col, member in zip(row, members[start : start + COLUMNS_PER_ROW], strict=False):
                    with col:
                        doc = found.get(str(member.get("id")))
                        show_facts(
                            [
                                ("outcome", _member_outcome(doc, kept_id)),
                                (
                                    "similarity to the kept document",
                                    format_value(member.get("similarity_to_kept")),
                                ),
                                ("source", (doc or {}).get("source")),
                                ("url", member.get("url")),
                                ("id", member.get("id")),
                            ]
                        )
                        show_text(str(member.get("text_preview") or ""), (doc or {}).get("lang"))


def _pair_label(pair: dict[str, Any]) -> str:
    return f"similarity {format_value(pair.get('similarity'))}: {pair.get('id_a')} / {pair.get('id_b')}"


def _pair_section(ctx: Context, lang: str) -> None:
    st.subheader("Near-duplicate pairs")
    path = ctx.run.stage("dedup").path / "pairs.parquet"
    if not path.is_file():
        st.caption("This run has no pairs.parquet.")
        return
    pairs = _pairs(str(path), path.stat().st_mtime_ns, lang)
    if not pairs:
        st.caption("No near-duplicate pairs for this language.")
        return
    st.dataframe(pairs, hide_index=True, width="stretch")
    choice = st.selectbox(
        "Compare a pair",
        range(len(pairs)),
        format_func=lambda i: _pair_label(pairs[i]),
        key=f"dedup:{lang}:pair",
    )
    pair = pairs[choice]
    ids = (str(pair.get("id_a")), str(pair.get("id_b")))
    found = loaders.documents_by_id(ctx.root, "dedup", ids, loaders.stage_signature(ctx.root, "dedup"))
    texts = [str((found.get(i) or {}).get("text") or "")[:MAX_SHOWN_CHARS] for i in ids]
    sides = worddiff.word_diff(*texts)
    st.caption(
        f"Similarity {format_value(pair.get('similarity'))} (estimated Jaccard similarity of their shingles). "
        "Highlighted words differ between the two documents."
    )
    for col, doc_id, segments in zip(st.columns(2), ids, sides, strict=True):
        with col:
            doc = found.get(doc_id)
            if doc is None:
                show_facts([("not found in the dedup output", doc_id)])
                continue
            show_facts(
                [
                    ("outcome", stagedocs.outcome(doc)),
                    ("duplicate of", doc.get("duplicate_of")),
                    ("source", doc.get("source")),
                    ("url", doc.get("url")),
                    ("id", doc_id),
                    ("differing words", f"{worddiff.changed_words(segments):,}"),
                ]
            )
            st.html(worddiff.diff_html(segments, doc.get("lang")))
