"""Working memory as Mastra stores it: the rules every page that shows or changes it shares.

A plain package (no views, no models), below the areas that read working memory (threads,
resources) and the two that change and record it (memory_editor, audit), so none of them has to
import another for the same rule.
"""
