"""The spreadsheet toolkit every workbook import and export uses (a platform module: it imports
no domain app, so a change to one import cannot break another).

- ``files``     is the upload a plain .xlsx we may open (not a workbook, macros, zip bombs, size),
                each refusal naming the import it belongs to;
- ``cells``     columns, the header check, typed cell readers and the problems they collect
                (sheet, row, column);
- ``annotate``  the user's workbook handed back with bad cells marked and a 错误清单 sheet;
- ``template``  downloadable import templates;
- ``writer``    report workbooks: title row, bilingual headers, frozen header, widths, 元/万元/percent/
                date formats, the formula-injection guard, write-only streaming;
- ``responses`` sending a written workbook to the browser.

Imports (``cells.Column``: key, Chinese header, kind) and exports (``writer.Column``: translated
header, ``Kind``, width) describe their columns differently; each app keeps its own columns.
"""
