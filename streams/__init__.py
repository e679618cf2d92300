"""The Kafka topology: settings, topics, Avro codecs, the Faust app."""
