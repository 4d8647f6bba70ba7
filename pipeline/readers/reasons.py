"""What the shared readers' error reasons mean, for the declarations of the sources that read
with them (README, report). Standard library only: declarations are read by `fleece --help`."""

# pipeline/readers/wet.py
WET_ERRORS: dict[str, str] = {
    "corrupt_member": "a gzip member that cannot be read; reading resumes at the next",
    "truncated_member": "the file ends inside a gzip member",
    "malformed_record": "a WARC record without the headers a WET record has",
    "malformed_header": "WARC headers that cannot be parsed",
    "content_length_mismatch": "a record shorter than its Content-Length",
    "not_wet": "a file that is not WARC/WET",
    "record_too_large": "a record above max_record_bytes",
    "empty_file": "an input file with no bytes",
}
