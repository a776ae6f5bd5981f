"""A bulk page held in memory goes out in a few large writes with its length."""

from __future__ import annotations

from renovation.public import responses


def test_a_text_goes_out_encoded_in_chunks_of_the_write_size_with_its_length(monkeypatch):
    monkeypatch.setattr(responses, "WRITE_SIZE", 4)
    response = responses.text_stream(['{"a": ', '"引号"', "}"], "application/json")
    chunks = list(response.streaming_content)
    body = '{"a": "引号"}'.encode()
    assert b"".join(chunks) == body and response["Content-Length"] == str(len(body)) == "15"
    assert [len(chunk) for chunk in chunks] == [4, 4, 4, 3]
    assert response["Content-Type"] == "application/json"


def test_a_page_smaller_than_a_write_is_one_chunk():
    response = responses.text_stream(["[", "1,2", "]"], "application/json")
    assert list(response.streaming_content) == [b"[1,2]"] and response["Content-Length"] == "5"
