"""System-ready records: normalize extracted values and validate them against rules as data."""
