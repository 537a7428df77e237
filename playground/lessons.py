"""Guided lessons in course order: short sequences of steps, each with words and an experiment.

Pure data (no streamlit). A lesson is a key, its steps and a question; every step has a text
(``lesson.<key>.step<i>`` in the ``lessons.json`` catalogs, markdown, English and Simplified
Chinese), optionally a preset to load on the Network page, a page to go and look at
("network", "paths", "landscape"), a formula (LaTeX, language-free) and a live panel the
lessons page draws ("gradcheck": analytic vs numerical gradients of a tiny net; "shapes": the
shapes through the Network page's current model).
"""

from __future__ import annotations

from dataclasses import dataclass

from playground.i18n import DEFAULT, t

__all__ = ["LESSONS", "LINKS", "PANELS", "Lesson", "Step", "get", "keys", "text_keys"]

LINKS: tuple[str, ...] = ("network", "paths", "landscape")
PANELS: tuple[str, ...] = ("gradcheck", "shapes")


@dataclass(frozen=True)
class Step:
    """One step of a lesson; ``text`` is a catalog key."""

    text: str
    preset: str | None = None
    link: str | None = None
    latex: str | None = None
    panel: str | None = None


@dataclass(frozen=True)
class Lesson:
    key: str
    steps: tuple[Step, ...]

    @property
    def title_key(self) -> str:
        return f"lesson.{self.key}.title"

    @property
    def question_key(self) -> str:
        return f"lesson.{self.key}.question"

    def title(self, lang: str = DEFAULT) -> str:
        return t(self.title_key, lang)

    def question(self, lang: str = DEFAULT) -> str:
        return t(self.question_key, lang)

    def step_text(self, i: int, lang: str = DEFAULT) -> str:
        return t(self.steps[i].text, lang)


def _lesson(key: str, *steps: dict) -> Lesson:
    return Lesson(key, tuple(Step(text=f"lesson.{key}.step{i + 1}", **s)
                             for i, s in enumerate(steps)))


LESSONS: tuple[Lesson, ...] = (
    _lesson("derivatives",
            {"latex": r"f'(x) \approx \frac{f(x+h) - f(x-h)}{2h}"},
            {"latex": r"\frac{\partial L}{\partial W_1} = \frac{\partial L}{\partial \hat y}"
                      r"\,\frac{\partial \hat y}{\partial h}\,\frac{\partial h}{\partial W_1}"},
            {"panel": "gradcheck",
             "latex": r"\mathrm{err} = \frac{\lVert g_{\mathrm{bp}} - g_{\mathrm{num}}\rVert}"
                      r"{\lVert g_{\mathrm{bp}}\rVert + \lVert g_{\mathrm{num}}\rVert}"},
            {"preset": "xor_hidden", "link": "network"}),
    _lesson("shapes",
            {"latex": r"\underbrace{H}_{n\times m} = \underbrace{X}_{n\times d}\,"
                      r"\underbrace{W}_{d\times m} + \underbrace{b}_{1\times m}"},
            {"panel": "shapes"},
            {"preset": "xor_hidden", "panel": "shapes", "link": "network"}),
    _lesson("learning_rate",
            {"latex": r"\theta \leftarrow \theta - \eta\,\nabla L(\theta)"},
            {"preset": "lr_too_large", "link": "network"},
            {"preset": "lr_too_small", "link": "network"},
            {"link": "paths"}),
    _lesson("momentum",
            {"latex": r"v \leftarrow \beta v - \eta \nabla L(\theta),\qquad \theta \leftarrow "
                      r"\theta + v"},
            {"preset": "momentum_spiral", "link": "network"},
            {"link": "paths"}),
    _lesson("adaptive",
            {"latex": r"\theta \leftarrow \theta - \eta\,\frac{\hat m}{\sqrt{\hat v} + "
                      r"\epsilon}"},
            {"preset": "adam_vs_sgd", "link": "network"},
            {"link": "paths"}),
    _lesson("activations",
            {"latex": r"\sigma'(z) = \sigma(z)\,(1-\sigma(z)) \le \tfrac14"},
            {"preset": "sigmoid_vanishing", "link": "network"},
            {"preset": "relu_deep", "link": "network"}),
    _lesson("overfitting",
            {"preset": "overfit", "link": "network"},
            {"preset": "overfit_l2", "link": "network",
             "latex": r"L_{\mathrm{reg}} = L + \lambda \lVert W \rVert_2^2"},
            {"preset": "dropout", "link": "network"}),
    _lesson("landscapes",
            {"preset": "adam_vs_sgd", "link": "landscape"},
            {"latex": r"\lambda_{\max}(\nabla^2 L) \;\lessgtr\; \frac{2}{\eta}",
             "link": "landscape"},
            {"preset": "lr_too_small", "link": "landscape"}),
)

_BY_KEY = {lesson.key: lesson for lesson in LESSONS}


def get(key: str) -> Lesson:
    try:
        return _BY_KEY[key]
    except KeyError:
        raise KeyError(f"unknown lesson {key!r}; known: {', '.join(_BY_KEY)}") from None


def keys() -> tuple[str, ...]:
    return tuple(_BY_KEY)


def text_keys() -> list[str]:
    """Every catalog key the lessons use (titles, step texts, questions)."""
    out: list[str] = []
    for lesson in LESSONS:
        out += [lesson.title_key, *(s.text for s in lesson.steps), lesson.question_key]
    return out
