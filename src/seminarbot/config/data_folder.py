"""What the bot keeps in its data folder, by name (README: What is stored). Each owner reads
its name here, and so do the commands that must know them all: `run`'s clean-up after a
refused first start (cli.leftovers) and export's refusal to overwrite the bot's own files
(cli.export_target)."""

HEARTBEAT = "heartbeat"  # cli/heartbeat.py: the bot's last state, for `seminarbot health`
SYLLABUS_CACHE = "syllabus.cache"  # syllabus/cache.py: the checked content, ready to load
MATRIX = "matrix"  # adapters/matrix/files.py: the Matrix adapter's folder
MATRIX_LOGIN = "login.json"  # in it: the device the homeserver made for the bot, its token
MATRIX_DEVICE = "device-id"  # in it: the device a log-in asked for, while unanswered
