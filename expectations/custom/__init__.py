"""Custom GX expectations (time series, bars, keys, schema); importing the package registers
them."""

from __future__ import annotations

from expectations.custom.bars import ExpectBarPricesToBeOrdered
from expectations.custom.freshness import ExpectNewestDateToBeRecent
from expectations.custom.gaps import ExpectDatesToHaveNoGapsOrRepeats
from expectations.custom.jump import ExpectSeriesLevelsToNotJump
from expectations.custom.key import ExpectKeyToBeUnique
from expectations.custom.schema import ExpectTableSchemaToMatch
from expectations.custom.tga import ExpectEachRecordDateToHaveOneTgaClosingBalance

__all__ = [
    "ExpectBarPricesToBeOrdered",
    "ExpectDatesToHaveNoGapsOrRepeats",
    "ExpectEachRecordDateToHaveOneTgaClosingBalance",
    "ExpectKeyToBeUnique",
    "ExpectNewestDateToBeRecent",
    "ExpectSeriesLevelsToNotJump",
    "ExpectTableSchemaToMatch",
]
