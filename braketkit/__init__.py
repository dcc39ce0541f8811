"""braketkit"""
