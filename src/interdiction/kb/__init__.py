"""The substance knowledge base: curated data files with provenance, loaders, queries."""

from interdiction.kb.loader import KBError, KnowledgeBase, load_kb, merge_key
from interdiction.kb.schema import cas_check_digit_ok, format_cas

__all__ = ["KBError", "KnowledgeBase", "cas_check_digit_ok", "format_cas", "load_kb", "merge_key"]
