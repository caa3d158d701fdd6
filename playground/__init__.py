"""The playground: the real bot, running against a built-in Slack stand-in, shown in a browser."""
