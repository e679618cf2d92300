"""Built-in vendor templates (YAML, invoice2data format)."""
