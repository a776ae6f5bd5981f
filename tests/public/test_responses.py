"""A bulk page held in memory goes out in one write with its length."""

from __future__ import annotations

from renovation.public import responses


def test_a_text_goes_out_encoded_in_one_chunk_with_its_length():
    response = responses.text_stream(['{"a": ', '"引号"', "}"], "application/json")
    body = '{"a": "引号"}'.encode()
    assert list(response.streaming_content) == [body]
    assert response["Content-Length"] == str(len(body)) == "15"
    assert response["Content-Type"] == "application/json"


def test_pieces_given_as_utf8_bytes_go_out_as_they_are():
    response = responses.text_stream([b'{"a": ', '"引号"', '"引号"'.encode(), b"}"], "application/json")
    body = '{"a": "引号""引号"}'.encode()
    assert list(response.streaming_content) == [body]
    assert response["Content-Length"] == str(len(body))
