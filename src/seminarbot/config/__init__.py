"""Settings: `settings` loads one YAML file plus the environment; `yamlfile` reads YAML strictly;
`sources` picks a value from the environment or the file. Each platform declares its own part
in its adapter folder (`adapters/<platform>/settings.py`)."""
