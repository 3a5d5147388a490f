"""The bounds of a campaign's numbers: checked by the actions (campaigns.actions:
campaign, mailboxes), shown by the editor's forms as the inputs' min and max."""

AUTO_REPLY_DAILY = (0, 1000)  # automatic replies to one address in 24 hours
AUTO_REPLY_HOURLY = (0, 100_000)  # automatic replies of the campaign in an hour
PRIORITY = (-1000, 1000)
MAX_ATTEMPTS = (1, 1000)
BLOCKING_MINUTES = (0, 100_000)  # about ten weeks
IMAP_PORT = (1, 65535)
NAME_LENGTH = 200  # a campaign's, a holiday's, a sender's name
