"""
What people give the flows, checked before any API call: the form's or batch file's request, the LOA file, batch
files and the health check's config file. Every error names the field (and the file); none shows its content.
"""
