"""Understanding read documents: classification, layout, label dictionaries, extraction, templates."""
