"""The load benchmark's bare "hello" view exists only in the benchmark's own server (issue 13)."""

import importlib

from django.urls import clear_url_caches

import zzmetro.urls


def test_deployed_portal_has_no_benchmark_hello_page(client):
    """Without ZZ_BENCH_HELLO the URL is unknown: nothing benchmark-only reaches a deployment."""
    assert client.get("/bench/hello/").status_code == 404


def test_benchmark_server_answers_hello_without_touching_the_database(
    db, client, monkeypatch, django_assert_num_queries
):
    """With ZZ_BENCH_HELLO=1 (set only by benchmarks/load.py) the yardstick page answers through every middleware."""
    monkeypatch.setenv("ZZ_BENCH_HELLO", "1")
    try:
        importlib.reload(zzmetro.urls)
        clear_url_caches()
        with django_assert_num_queries(0):
            response = client.get("/bench/hello/")
        assert response.status_code == 200 and response.content == b"hello"
    finally:
        monkeypatch.delenv("ZZ_BENCH_HELLO")
        importlib.reload(zzmetro.urls)
        clear_url_caches()
    assert client.get("/bench/hello/").status_code == 404
