# SCons runs this before the SConstruct. The tools in site_tools/ and the
# SConstruct import edgeai_tool: take it from this tree (tool and generator
# are versioned together), ahead of any installed edgeai.
import os as _os
import sys as _sys

_tree = _os.path.dirname(_os.path.dirname(_os.path.abspath(__file__)))
if _tree not in _sys.path:
    _sys.path.insert(0, _tree)
