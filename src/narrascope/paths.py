"""Where the shared training corpora are: ``../shared/data`` beside the checkout.

``NARRASCOPE_DATA`` overrides it (an installed package has no checkout beside it). Commands only
use this as a default: every train/evaluate command also takes the data folder as an option.
"""

from __future__ import annotations

import os
from pathlib import Path

# src/narrascope/paths.py -> the checkout's parent folder, where shared/ sits.
_BESIDE_CHECKOUT = Path(__file__).resolve().parents[3] / "shared" / "data"

SHARED_DATA = Path(os.environ.get("NARRASCOPE_DATA", _BESIDE_CHECKOUT))
