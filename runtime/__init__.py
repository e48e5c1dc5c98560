"""What runs in production besides the web service: the code Rasa loads (the gateway
channel, the lock store, logging) and the action server, with the check every internal hop
makes. Developer tools (training, evaluation, the bench) are in ops/."""
