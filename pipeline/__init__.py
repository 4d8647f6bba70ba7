"""fleece's Beam stages and the tools around them (see DESIGN.md for the layout)."""

import logging


class _BeamGcpNotice(logging.Filter):
    """Beam announces on the root logger, at import, that its GCP client libraries are
    absent; fleece's gs:// users install apache-beam[gcp] and everyone else needs no notice."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "apitools not found" not in record.getMessage()


logging.getLogger().addFilter(_BeamGcpNotice())
