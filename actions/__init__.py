"""Custom actions of the Mutuals Information Service assistant.

Actions are thin: they call the bot web service's internal API through `client` and turn
its answers into messages. When the API fails they say so plainly and give the hotline.
"""
