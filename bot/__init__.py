"""The Slack surface of unmentor: Bolt listeners, Block Kit builders, App Home and the CLI."""
