"""Thin Faust agents, one module per stage: decode → call domain code → route → emit.

The loop in :mod:`agents.runtime` is shared: it decodes each raw message with the topic's Avro
codec, hands the event to the stage's handler, and turns every failure into an event — a
dead letter for bytes that do not decode, a ``documents.rejected`` event for a document a stage
could not process — so no exception escapes an agent.
"""
