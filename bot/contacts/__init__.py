"""Reading and saving a contact: the parser and its vocabulary data (vocabulary/*.toml), client
codes, redaction, the language of a contact, card drafts and the guided flow's steps, saving,
undoing and closing, corrections made on the card. Never imports `telegram`."""
