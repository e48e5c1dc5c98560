"""The bot web service of the Mutuals Information Service chat assistant."""
