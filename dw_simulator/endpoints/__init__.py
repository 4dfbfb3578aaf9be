"""Wire-protocol endpoints that let users' own clients reach dw-sim's experiments."""
