"""Property tests load their hypothesis profile (``tests.properties.profiles``)."""
import tests.properties.profiles  # noqa: F401
