"""The benchmark's fifty sign-ins at once (tooling/bench/sign_in_storm.py): its RSS sampler and
its section of the report."""
import os
import time

from tooling.bench import report
from tooling.bench.sign_in_storm import PeakRss, markdown_lines
from tooling.tests.test_bench_report import results

STORM = {"sign_ins": 50, "answered": {"201": 12, "429": 38}, "seconds": 3.2,
         "accounts_rss_before_mb": 63.0, "accounts_rss_peak_mb": 190.4,
         "authenticated_gets": 40, "authenticated_failed": 0, "authenticated_p50": 0.012,
         "authenticated_max": 0.25}


def test_the_sampler_keeps_the_highest_rss_it_saw():
    sampler = PeakRss([os.getpid()])
    sampler.start()
    ballast = bytearray(64 * 1024 * 1024)  # noqa: F841 (held while sampled)
    ballast[::4096] = b"x" * len(ballast[::4096])  # touched, so resident
    time.sleep(0.1)
    sampler.stop()
    assert sampler.peak[os.getpid()] >= 64


def test_the_report_shows_the_accounts_peak_rss_and_the_answers():
    lines = "\n".join(markdown_lines({"sign_in_storm": STORM}))
    assert "## 50 sign-ins at once" in lines
    assert "| 63 MB | 190 MB | 12 × 201, 38 × 429 | 3.2 s | 40 (0 failed), p50 12 ms, " \
           "slowest 250 ms |" in lines
    assert markdown_lines({}) == []


def test_the_section_is_in_the_written_report():
    assert "## 50 sign-ins at once" in report.markdown(results(sign_in_storm=STORM))
    assert "sign-ins at once" not in report.markdown(results())
