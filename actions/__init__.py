"""Custom actions of the Mutuals Information Service assistant.

Actions are thin: they call the bot web service's internal API through `client` and turn
its answers into messages. When the API fails they say so plainly and give the hotline.
"""

from actions.client import mask_personal_data_in_logs

# rasa_sdk sets up its logging before it imports this package, and its debug output
# includes the events actions return (slots holding contact details): mask from the start.
mask_personal_data_in_logs()
