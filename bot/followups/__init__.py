"""Follow-ups after a contact: the reminder sweep's domain half, the texts of nudges and their
button actions, leave and cover, handover of clients. Never imports `telegram`."""
