"""`make corpus-portable`: the sample corpus built on Beam's portable path, as Flink, Spark
and Dataflow run Python, with its inputs and outputs on an S3 API server, and compared file
by file with `make corpus` (the DirectRunner on local disk).

- store.py: an S3 API server on localhost (moto's), started and stopped here;
- pool.py: the worker image (the built wheel, in an interpreter of its own) and the external
  worker pool, started as another user with the launcher's folders closed to it;
- compare.py: two runs' files by sha256, each difference explained or reported;
- __main__.py: the whole check.
"""
