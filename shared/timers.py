"""A nameko timer whose interval is a setting of deploy/config.yml, not a number in the code
(the escalations' sweep, the monitor's alerts and the imports' poll each have their own such
class; new timers use this one). Example::

    retention_timer = interval_timer(settings, "RETENTION_SWEEP_SECONDS")

    @retention_timer
    def sweep_raisers(self): ...
"""
from nameko.timer import Timer


def interval_timer(load_settings, key):
    """The entrypoint decorator of a timer firing every ``load_settings(config)[key]`` s."""

    class IntervalTimer(Timer):
        def __init__(self, eager=False, **kwargs):
            super().__init__(None, eager=eager, **kwargs)

        def setup(self):
            self.interval = load_settings(self.container.config)[key]
            super().setup()

    IntervalTimer.__name__ = f"IntervalTimer[{key}]"
    return IntervalTimer.decorator
