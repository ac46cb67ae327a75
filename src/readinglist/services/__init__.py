"""One module per remote service: a client (policy in its constructor) and pure parsers."""
