import CytoCore
