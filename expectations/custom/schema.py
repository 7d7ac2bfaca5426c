"""Custom expectation: the batch has exactly the contract's columns, in order, with their dtypes.

GX states this with ``expect_table_columns_to_match_ordered_list`` plus one
``expect_column_values_to_be_in_type_list`` per column; a 13-column contract would then cost
14 expectations' worth of GX overhead per batch (about 3-5 ms each here) for what is a single
look at the frame's dtypes. This reads GX's built-in ``table.column_types`` metric once.
"""

from __future__ import annotations

from typing import Any, ClassVar

from great_expectations.expectations.expectation import BatchExpectation

from expectations.custom.sentence import RendersSentence


class ExpectTableSchemaToMatch(RendersSentence, BatchExpectation):
    """Expect exactly these columns, in this order, each with one of its allowed dtypes.

    Args:
        column_list: the columns, in order (a list: JSON keeps its order, a dict's may not).
        column_types: column -> accepted ``str(dtype)`` names (e.g. ``["int64", "Int64"]``).
    """

    column_list: list[str]
    column_types: dict[str, list[str]]

    sentence: ClassVar[str] = (
        "Exactly the columns $column_list, in this order; dtypes: $column_types."
    )
    metric_dependencies: ClassVar[tuple[str, ...]] = ("table.column_types",)
    success_keys: ClassVar[tuple[str, ...]] = ("column_list", "column_types")
    args_keys: ClassVar[tuple[str, ...]] = ("column_list", "column_types")

    def _validate(
        self,
        metrics: dict,
        runtime_configuration: dict | None = None,
        execution_engine: Any = None,
    ) -> dict[str, Any]:
        observed = {str(c["name"]): str(c["type"]) for c in metrics["table.column_types"]}
        kwargs = self._get_success_kwargs()
        order: list[str] = kwargs["column_list"]
        expected: dict[str, list[str]] = kwargs["column_types"]
        details: dict[str, Any] = {
            "missing": [c for c in order if c not in observed],
            "unexpected": [c for c in observed if c not in order],
            "mismatched": {
                column: {"expected": allowed, "found": observed[column]}
                for column, allowed in expected.items()
                if column in observed and observed[column] not in allowed
            },
        }
        in_order = list(observed) == order
        if not in_order and not details["missing"] and not details["unexpected"]:
            details["order"] = list(observed)
        return {
            "success": in_order and not details["mismatched"],
            "result": {
                "observed_value": observed,
                "details": {k: v for k, v in details.items() if v},
            },
        }
