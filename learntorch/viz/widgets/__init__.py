"""ipywidgets for the course; each renders into ``HTML``/``Image`` values, never into ``Output``."""
from .conv_explorer import ConvExplorer
from .dashboard import TrainingDashboard
from .inspector import TensorInspector
from .playground import OptimizerPlayground
from .stepper import BackpropStepper

__all__ = ["BackpropStepper", "ConvExplorer", "OptimizerPlayground", "TensorInspector", "TrainingDashboard"]
