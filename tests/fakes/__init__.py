"""Test fakes: each passes the same contract suite as the real thing it stands in for."""
