# Type stubs for the Rust extension module permkit._native. The public,
# documented API is the Python layer (permkit/*.py), which validates arguments
# before calling these.
import numpy as np

__version__: str

# --- algebra -------------------------------------------------------------
def inverse(p: np.ndarray) -> np.ndarray: ...
