"""The typesetter: fonts, Chinese line breaking, flowables and pages over ReportLab.

ReportLab settings that hold for every PDF we make are set here, once.
"""
from reportlab import rl_config

rl_config.useA85 = 0  # binary streams: smaller files, and ReportLab's ASCII85 encoder is slow pure Python
