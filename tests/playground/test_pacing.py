"""The live views' pace: the base interval while few play, longer as a process fills up, each
session counted at what its own frames cost."""

from __future__ import annotations

import threading

import pytest

from playground import pacing

pytestmark = pytest.mark.usefixtures("empty_pacing")


def test_idle_and_small_classes_get_the_base_interval():
    assert pacing.interval(0.1, now=0.0) == 0.1
    for s in range(3):
        pacing.frame(s, now=0.0)
    assert pacing.playing(now=0.0) == 3 and pacing.interval(0.1, now=0.0) == 0.1


def test_a_full_process_slows_every_session_down_to_what_one_core_holds():
    for s in range(20):
        pacing.frame(s, now=10.0)  # not measured: FRAME_COST each
    wanted = pacing.interval(0.1, now=10.0)
    assert wanted == pytest.approx(20 * pacing.FRAME_COST / pacing.UTILISATION)
    assert 20 * pacing.FRAME_COST / wanted <= pacing.UTILISATION + 1e-12
    assert 0.4 < wanted < 1.0  # measured: 20 sessions on one replica finish every frame at 0.5 s


def test_measured_costs_count_with_the_servers_overhead_and_are_smoothed():
    pacing.frame("big", cost=0.1, now=0.0)
    assert pacing.load(now=0.0) == pytest.approx(0.1 * pacing.OVERHEAD)
    assert pacing.interval(0.1, now=0.0) == pytest.approx(0.1 * pacing.OVERHEAD
                                                          / pacing.UTILISATION)
    pacing.frame("big", cost=0.0, now=0.1)  # one cheap frame moves the estimate part way
    assert 0 < pacing.load(now=0.1) < 0.1 * pacing.OVERHEAD
    for t in range(30):
        pacing.frame("big", cost=0.0, now=0.2 + t)
    assert pacing.load(now=30.0) < 1e-4
    pacing.frame("neg", cost=-1.0, now=30.0)  # a clock oddity never lowers the load
    assert pacing.load(now=30.0) >= 0.0


def test_one_heavy_session_weighs_like_many_light_ones():
    light = pacing.interval(0.1, now=0.0)
    pacing.frame("heavy", cost=0.2, now=0.0)
    assert pacing.interval(0.1, now=0.0) > 3 * light


def test_a_new_session_counts_itself_before_its_first_frame():
    for s in range(30):
        pacing.frame(s, now=0.0)
    assert pacing.interval(0.1, "newcomer", now=0.0) == pytest.approx(
        31 * pacing.FRAME_COST / pacing.UTILISATION)
    assert pacing.interval(0.1, 0, now=0.0) == pytest.approx(
        30 * pacing.FRAME_COST / pacing.UTILISATION)  # already counted: not twice


def test_sessions_that_stop_drawing_stop_counting():
    pacing.frame("a", now=0.0)
    pacing.frame("b", now=0.0)
    pacing.forget("a")
    assert pacing.playing(now=1.0) == 1
    assert pacing.playing(now=pacing.STALE + 0.1) == 0
    assert pacing.load(now=pacing.STALE + 0.1) == 0.0


def test_a_fragment_re_registers_only_when_the_pace_is_far_off():
    for s in range(20):
        pacing.frame(s, now=0.0)
    wanted = pacing.interval(0.1, now=0.0)
    assert pacing.needs_new_interval(0.1, 0.1, now=0.0)  # registered when the room was empty
    assert not pacing.needs_new_interval(wanted, 0.1, now=0.0)
    assert not pacing.needs_new_interval(wanted * 1.2, 0.1, now=0.0)
    for s in range(19):
        pacing.forget(s)
    assert pacing.needs_new_interval(wanted, 0.1, now=0.0)  # the class left: speed up again
    assert not pacing.needs_new_interval(0.1, 0.1, now=0.0)


def test_bad_base_is_refused_by_name():
    with pytest.raises(ValueError, match="positive number of seconds, got 0"):
        pacing.interval(0)


def test_many_threads_at_once():
    def play(k):
        for i in range(200):
            pacing.frame((k, i % 5), cost=0.001, now=1.0)
            pacing.playing(now=1.0)
            pacing.load(now=1.0)

    threads = [threading.Thread(target=play, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert pacing.playing(now=1.0) == 40
    assert pacing.load(now=1.0) == pytest.approx(40 * 0.001 * pacing.OVERHEAD)
