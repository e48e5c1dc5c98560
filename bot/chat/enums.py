import enum


class Sender(str, enum.Enum):
    user = "user"
    bot = "bot"
    staff = "staff"
    system = "system"
