"""The fault suite: kills, damaged stores, hostile input, the portable process path (issue 12)."""
