"""SQL handling shared by every backend: parsing users' SQL in their dialect and writing it for an engine."""
