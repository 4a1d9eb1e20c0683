import json

import pyarrow as pa

from roots.schema import BASE_COLUMNS, DOCUMENT_SCHEMA, documents_to_table, make_doc_id, make_document


def test_ids_are_deterministic_and_depend_on_source_and_locator():
    assert make_doc_id("warc", "a.warc.gz@1234") == make_doc_id("warc", "a.warc.gz@1234")
    assert make_doc_id("warc", "a.warc.gz@1234") != make_doc_id("warc", "a.warc.gz@1235")
    assert make_doc_id("warc", "x") != make_doc_id("pdf", "x")
    # separator prevents ambiguity between ("ab","c") and ("a","bc")
    assert make_doc_id("ab", "c") != make_doc_id("a", "bc")
    assert len(make_doc_id("hf", "ds/train#0")) == 32


def test_document_rows_follow_the_schema():
    doc = make_document(source="pdf", locator="f.pdf#1", text="Bonjour", meta={"page": 1, "file": "f.pdf"})
    table = documents_to_table([doc])
    assert table.schema.equals(DOCUMENT_SCHEMA)
    assert tuple(table.column_names) == BASE_COLUMNS
    row = table.to_pylist()[0]
    assert row["url"] is None and row["lang"] is None and row["lang_score"] is None
    assert json.loads(row["meta"]) == {"file": "f.pdf", "page": 1}
    # meta serialisation is canonical (sorted keys), so equal metadata gives equal bytes
    assert (
        row["meta"]
        == make_document(source="pdf", locator="f.pdf#1", text="", meta={"file": "f.pdf", "page": 1})["meta"]
    )


def test_empty_table_keeps_schema():
    table = documents_to_table([])
    assert table.num_rows == 0 and table.schema == DOCUMENT_SCHEMA
    assert pa.types.is_string(table.schema.field("meta").type)
