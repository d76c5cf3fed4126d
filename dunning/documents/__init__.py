"""Payment demands (wezwanie do zapłaty) and interest notes (nota odsetkowa) as PDF.

`content` gathers what a letter says (plain data), `rendering` turns it into HTML with the client's
template and into a PDF with WeasyPrint, `services` stores each document once per (payer, kind,
day), `tasks` render a day's letters in parallel on the `documents` queue.
"""
