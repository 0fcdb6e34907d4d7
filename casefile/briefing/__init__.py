"""Briefing packs: a PDF set from the case with ReportLab, every statement cited."""
