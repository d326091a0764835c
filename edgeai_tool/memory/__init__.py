"""Memory stage: the board's pools and the static plan of every activation buffer."""

from edgeai_tool.memory.mempools import MemoryPool, default_pools, load_mempools
from edgeai_tool.memory.planner import Allocation, MemoryPlan, plan_memory

__all__ = ["Allocation", "MemoryPlan", "MemoryPool", "default_pools", "load_mempools",
           "plan_memory"]
