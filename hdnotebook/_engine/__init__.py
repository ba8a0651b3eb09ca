"""The engine: the background loop that samples, launches, watches and stops child runs, the executors, the
child -> loop channel and the store. It takes plain plans (``plan.py``) and never imports the Azure layer
(workspace, experiment, runs, data, ...) or the widget; ``hdnotebook.submission`` builds its plans."""
