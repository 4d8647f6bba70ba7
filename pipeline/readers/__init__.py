"""Format readers any source may use: a file's bytes -> records, with faults as values.

A reader belongs here when the format is not one source's own: WET/WARC (commoncrawl and
c4 read the same files), gzip and JSON lines (github, books, c4's built files), tar
streams (arxiv today, any tarball tomorrow). A format only one source reads (a MediaWiki
dump, a StackExchange Posts.xml) stays in that source's package. Readers follow the
record-reader contract of `pipeline.records`; none imports Beam.
"""
