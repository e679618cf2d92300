"""Labelled corpus generator: business documents rendered with their ground truth.

Generates invoices, credit notes, purchase orders, customer orders, receipts and remittance
advices in 30 layout families (about a third ``holdout``), five languages (en, de, fr, es, nl),
several currencies and number/date formats, as text-layer PDFs, clean scans and damaged scans
(skew, 90/180/270 rotation, blur, noise, low dpi, JPEG artefacts, fax, phone photo), each with a
``<id>.truth.json`` in the shared capture vocabulary (see ``devkit.corpus.vocabulary``).

Generate from the shell::

    .venv/bin/python -m devkit.corpus generate --out /tmp/corpus --count 60 --seed 7 \\
        [--types invoice,credit_note] [--conditions text_layer,clean_scan,damaged_scan] [--split dev]

or from Python::

    from devkit.corpus.generate import generate_corpus, generate_document
    truths = generate_corpus(Path("/tmp/corpus"), count=60, seed=7)
    doc = generate_document(seed=7, index=0, document_type="invoice", condition="text_layer", split="dev")
    doc.data, doc.truth.fields, doc.truth.line_items

Same seed, same bytes. Tune extraction on ``split="dev"`` only; report accuracy on ``holdout``.
This package shares no code with the extractor (``docket.capture``) on purpose.
"""
