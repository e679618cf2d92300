"""Sources: the ways documents come in (CLI, HTTP upload, folder drop, mailbox, Kafka producers)."""
