"""Review: items in, the priority queue, decisions, notices and statements of reasons."""
