"""Local wall-clock time and UTC: the one conversion rule (filled in below)."""
