"""The handover pages: batches and slots, the desk's day, a household's inspection and
handover (pages.py), and bulk printing (printing.py)."""
