"""The campaign editor's changes, one module per topic: campaign (create, information,
advanced settings, the right: check_manages), routing (inbound addresses), mailboxes (IMAP),
templates (and signatures), planning (opening hours, holidays), status (deactivate, delete).
Import from the topic's module; nothing is re-exported here."""
