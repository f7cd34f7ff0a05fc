"""/bench/hello, the anchor of bench/load.py: a bare view that exists only when FLAXU_BENCH_HELLO is on."""

from __future__ import annotations


def test_the_hello_view_is_not_served_by_default(client, db):
    assert client.get("/bench/hello").status_code == 404


def test_the_hello_view_answers_without_any_query_when_the_bench_turns_it_on(
    client, db, settings, django_assert_num_queries
):
    settings.FLAXU_BENCH_HELLO = True
    with django_assert_num_queries(0):
        response = client.get("/bench/hello")
    assert response.status_code == 200 and response.content == b"hello"
