"""The ``docket`` command. Sub-commands import what they need when they run, so ``docket extract``
does not load Kafka clients and ``docket worker`` does not load OCR models in the parent."""
