"""Gateway: the HTTP face of the system; talks to the other services over RPC."""
