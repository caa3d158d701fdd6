"""Round lifecycle and matching: the rules of unmentor, free of Slack."""
