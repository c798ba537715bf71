"""Handover (交房): batches of buildings, appointments, notices, inspection and defects, the
handover of keys, and the bulk printing of their documents."""
