"""Pure text functions shared by the stages: standard library only, no Beam, no models."""
