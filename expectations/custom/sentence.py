"""Data Docs sentences for the custom expectations (GX's legacy prescriptive renderer).

Without one, Data Docs print a custom expectation as its raw keyword arguments. Each custom
expectation mixes in :class:`RendersSentence` and declares a ``sentence`` such as
``"Per $column_list, consecutive dates are 1 to $max_step days apart."``; the renderer fills
it from the expectation's arguments (defaults included), lists and dicts as short text.
"""

from __future__ import annotations

from typing import Any, ClassVar

from great_expectations.render import LegacyRendererType, RenderedStringTemplateContent
from great_expectations.render.renderer.renderer import renderer

# The domain of every row-wise (multicolumn map) metric here: GX's own multicolumn keys.
MULTICOLUMN_DOMAIN_KEYS = (
    "batch_id",
    "table",
    "column_list",
    "row_condition",
    "condition_parser",
    "ignore_row_if",
)


def _text(value: Any) -> str:
    if isinstance(value, dict) and "$PARAMETER" in value:
        return f"${value['$PARAMETER']}"
    if isinstance(value, dict):
        return ", ".join(f"{k} {_text(v)}" for k, v in value.items()) or "none"
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value)) or "none"
    return str(value)


class RendersSentence:
    """Mixin: a GX prescriptive renderer that fills the class's ``sentence`` template."""

    sentence: ClassVar[str] = ""

    @classmethod
    @renderer(renderer_type=LegacyRendererType.PRESCRIPTIVE)
    def _prescriptive_renderer(
        cls,
        configuration: Any = None,
        result: Any = None,
        runtime_configuration: dict | None = None,
    ) -> list[RenderedStringTemplateContent]:
        fields = getattr(cls, "__fields__", {})
        defaults = {name: f.default for name, f in fields.items() if not f.required}
        kwargs = {**defaults, **(configuration.kwargs if configuration is not None else {})}
        styling = (runtime_configuration or {}).get("styling", {})
        params = {key: _text(value) for key, value in kwargs.items()}
        return [
            RenderedStringTemplateContent(
                content_block_type="string_template",
                string_template={"template": cls.sentence, "params": params, "styling": styling},
            )
        ]
