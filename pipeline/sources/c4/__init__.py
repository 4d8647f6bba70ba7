"""C4 (Raffel et al. 2020): raw Common Crawl WET cleaned with the rules of the code that
built C4, or an already-built C4 read as it is."""
