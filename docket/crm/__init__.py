"""The CRM side of documents: contract terms, what a change form changes."""
